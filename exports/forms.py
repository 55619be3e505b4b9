from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import CommunitySummaryText, ExportJob


def export_choices(is_lead: bool):
    """Every (kind, format) pair offered, as "kind:format" values, e.g. "notes:csv"."""
    choices = []
    for kind, label in ExportJob.Kind.choices:
        if kind in ExportJob.LEAD_ONLY_KINDS and not is_lead:
            continue
        for fmt in ExportJob.FORMATS[kind]:
            choices.append((f"{kind}:{fmt}", f"{label} — {ExportJob.Format(fmt).label}"))
    return choices


class ExportForm(forms.Form):
    export = forms.ChoiceField(label=_("What to export"), widget=forms.RadioSelect)
    identified = forms.BooleanField(
        label=_("Include names and contact details (identified export)"),
        required=False,
        help_text=_("Leads only; not for the report or the codebook. Recorded in the audit trail with your reason."),
    )
    reason = forms.CharField(
        label=_("Why you need names and contact details"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, is_lead=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_lead = is_lead
        self.fields["export"].choices = export_choices(is_lead)
        self.fields["export"].initial = "notes:csv"
        if not is_lead:
            del self.fields["identified"]
            del self.fields["reason"]

    def clean(self):
        data = super().clean()
        if data.get("export"):
            data["kind"], data["format"] = data["export"].split(":", 1)
        if data.get("identified") and len(" ".join((data.get("reason") or "").split())) < 10:
            self.add_error("reason", _("Say why you need names and contact details (at least 10 characters)."))
        return data


class CodebookImportForm(forms.Form):
    file = forms.FileField(label=_("REFI-QDA codebook (.qdc) or project (.qde)"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 5 * 2**20:
            raise ValidationError(_("The file is larger than 5 MB."))
        return f


class SummaryTextForm(forms.ModelForm):
    class Meta:
        model = CommunitySummaryText
        fields = ["intro", "next_steps"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 4}), "next_steps": forms.Textarea(attrs={"rows": 4})}
