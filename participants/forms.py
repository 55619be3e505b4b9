from django import forms
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from campaigns.models import Role
from empathy.widgets import QuickSelect

from .models import DimensionValue, EquityDimension, Participant, PriorityGroup, SelectionRule

MAX_IMPORT_BYTES = 2 * 1024 * 1024


class ValueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class ParticipantForm(forms.ModelForm):
    """A participant's details plus one choice per custom equity dimension (`dim_<id>`)."""

    class Meta:
        model = Participant
        fields = [
            "full_name",
            "email",
            "phone",
            "role",
            "school",
            "grade",
            "preferred_language",
            "is_minor",
            "most_directly_impacted",
            "not_usually_asked",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 2}), "phone": forms.TextInput(attrs={"type": "tel"})}

    def __init__(self, *args, campaign, dimensions, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.custom_dimensions = [d for d in dimensions if d.source == EquityDimension.Source.CUSTOM]
        current = {}
        if self.instance.pk:
            current = {link.dimension_id: link.value_id for link in self.instance.dimension_values.all()}
        for dimension in self.custom_dimensions:
            values = list(dimension.values.all())
            field = ValueChoiceField(
                queryset=DimensionValue.objects.filter(dimension=dimension),
                required=False,
                label=dimension.name,
                empty_label=_("Not recorded"),
                initial=current.get(dimension.pk),
            )
            # The values are already loaded: reuse them rather than query again for the choices.
            field.choices = [("", _("Not recorded")), *[(v.pk, v.label) for v in values]]
            self.fields[f"dim_{dimension.pk}"] = field
        if self.instance.pk and not self.instance.full_name:
            # Removed at the retention date: the rest of the record can still be edited.
            self.fields["full_name"].required = False
        membership = getattr(campaign, "membership", None)
        if self.instance.pk and not (membership is not None and membership.is_lead):
            from consent.selectors import has_any_consent_record

            if has_any_consent_record(self.instance):
                self.fields["is_minor"].disabled = True
                self.fields["is_minor"].help_text = _(
                    "Consent is already recorded for this person: only a lead may change this."
                )

    def clean_email(self):
        from .access import duplicate_email_message
        from .services import _email_owners

        email = self.cleaned_data["email"].strip()
        if email:
            other = _email_owners(self.campaign, [email], exclude_pk=self.instance.pk).first()
            if other is not None:
                raise forms.ValidationError(duplicate_email_message(getattr(self.campaign, "membership", None), other))
        return email

    def clean(self):
        from .services import retention_refusals

        cleaned = super().clean()
        current = self.instance if self.instance.pk else None
        for name, message in retention_refusals(self.campaign, cleaned, current).items():
            self.add_error(name, message)
        return cleaned

    def profile(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def dimension_values(self) -> dict:
        return {d.pk: self.cleaned_data.get(f"dim_{d.pk}") for d in self.custom_dimensions}


class ParticipantFilterForm(forms.Form):
    FLAGS = [
        ("", _("Any")),
        ("impacted", _("Most directly impacted")),
        ("not_usually_asked", _("Not usually asked")),
        ("recent", _("Interviewed recently elsewhere")),
        ("minor", _("Minors")),
        ("mine", _("Assigned to me")),
    ]
    q = forms.CharField(label=_("Search"), required=False)
    # Drawn on every view of the list: QuickSelect renders without a template per option.
    status = forms.ChoiceField(label=_("Status"), required=False, widget=QuickSelect)
    role = forms.ChoiceField(label=_("Role"), required=False, widget=QuickSelect)
    school = forms.CharField(label=_("School"), required=False)
    value = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int, empty_value=None, widget=QuickSelect)
    flag = forms.ChoiceField(label=_("Flag"), required=False, choices=FLAGS, widget=QuickSelect)

    def __init__(self, *args, dimensions, shows_school: bool, may_be_assigned: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any")), *Participant.Status.choices]
        self.fields["role"].choices = [("", _("Any")), *Participant.Role.choices]
        groups = [("", _("Any"))]
        for dimension in dimensions:
            groups.append((dimension.name, [(v.pk, v.label) for v in dimension.values.all()]))
        self.fields["value"].choices = groups
        if not shows_school:
            del self.fields["school"]
        if not may_be_assigned:
            self.fields["flag"].choices = [c for c in self.FLAGS if c[0] != "mine"]
        for name, field in self.fields.items():
            css = "form-control form-control-sm" if name in ("q", "school") else "form-select form-select-sm"
            field.widget.attrs["class"] = css
        self.fields["q"].widget.input_type = "search"


class StatusForm(forms.Form):
    """By hand: nominated, invited, declined. Consent and interviews move people on from there."""

    status = forms.ChoiceField(
        label=_("New status"),
        choices=[
            (s.value, s.label)
            for s in (Participant.Status.NOMINATED, Participant.Status.INVITED, Participant.Status.DECLINED)
        ],
        help_text=_("Inviting emails a consent request (or asks you to print a consent card)."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    confirm_recent = forms.BooleanField(
        label=_("Invite anyway: I know this person was interviewed recently"), required=False
    )


class AssignForm(forms.Form):
    interviewers = forms.ModelMultipleChoiceField(
        label=_("Assigned interviewers"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["interviewers"].queryset = (
            get_user_model()
            .objects.filter(memberships__campaign=campaign, memberships__role__in=[Role.INTERVIEWER, Role.LEAD])
            .order_by("email")
        )


class MatchForm(forms.Form):
    earlier = forms.ModelChoiceField(label=_("Same person as"), queryset=None)

    def __init__(self, *args, candidates, shown=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["earlier"]
        field.queryset = candidates
        field.label_from_instance = lambda p: f"{p.full_name} — {p.code}, {p.campaign.title}"
        if shown is not None:
            # Already loaded (and audited) by the view: no second query for the choices.
            field.choices = [("", field.empty_label), *[(p.pk, field.label_from_instance(p)) for p in shown]]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), required=False)
    text = forms.CharField(
        label=_("…or paste or fix the CSV here"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "wrap": "off", "class": "font-monospace"}),
    )
    assign_to = forms.ModelMultipleChoiceField(
        label=_("Assign the new participants to"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Assigned interviewers see these people's names and contact details."),
    )

    def __init__(self, *args, campaign, lead: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if lead:
            from django.contrib.auth import get_user_model

            self.fields["assign_to"].queryset = (
                get_user_model()
                .objects.filter(memberships__campaign=campaign, memberships__role=Role.INTERVIEWER)
                .order_by("email")
            )
        else:
            del self.fields["assign_to"]

    def clean(self):
        from .importing import decode

        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            if upload.size > MAX_IMPORT_BYTES:
                raise forms.ValidationError(_("The file is larger than 2 MB. Split it into smaller files."))
            cleaned["csv_text"] = decode(upload.read())
        elif cleaned.get("text", "").strip():
            cleaned["csv_text"] = cleaned["text"]
        else:
            raise forms.ValidationError(_("Choose a CSV file or paste its contents."))
        return cleaned


class DimensionForm(forms.ModelForm):
    class Meta:
        model = EquityDimension
        fields = ["name", "key", "source", "often_marginalized", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign

    def _unique(self, field, lookup):
        value = self.cleaned_data[field]
        clash = EquityDimension.objects.filter(campaign=self.campaign, **{lookup: value})
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another dimension already uses this."))
        return value

    def clean_name(self):
        return self._unique("name", "name__iexact")

    def clean_key(self):
        return self._unique("key", "key")


class BaseValueFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        labels = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            label = form.cleaned_data.get("label", "").strip().lower()
            if label in labels:
                form.add_error("label", _("This value is listed twice."))
            labels.add(label)


DimensionValueFormSet = forms.inlineformset_factory(
    EquityDimension,
    DimensionValue,
    formset=BaseValueFormSet,
    fields=["label", "population_share", "often_marginalized"],
    extra=3,
    can_delete=True,
)


class PriorityGroupForm(forms.ModelForm):
    class Meta:
        model = PriorityGroup
        fields = ["name", "role", "values", "target"]
        widgets = {"values": forms.CheckboxSelectMultiple}
        help_texts = {
            "values": _("Participants need one of the chosen values in each dimension you pick from."),
            "target": _("At least this many interviews with people in the group."),
        }

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["values"].queryset = (
            DimensionValue.objects.filter(dimension__campaign=campaign)
            .select_related("dimension")
            .order_by("dimension__position", "dimension_id", "position", "id")
        )
        self.fields["values"].label_from_instance = lambda v: f"{v.dimension.name}: {v.label}"
        self.fields["role"].required = False

    def clean_name(self):
        name = self.cleaned_data["name"]
        clash = PriorityGroup.objects.filter(campaign=self.campaign).annotate(n=Lower("name")).filter(n=name.lower())
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another priority group has this name."))
        return name

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("role") and not cleaned.get("values"):
            raise forms.ValidationError(_("Choose a role, one or more values, or both."))
        return cleaned


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why may the campaign move on with these targets unmet?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class SelectionRuleForm(forms.ModelForm):
    class Meta:
        model = SelectionRule
        fields = ["recent_interview_days"]
