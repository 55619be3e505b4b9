from django import forms
from django.utils.translation import gettext_lazy as _

from interviews.models import Prediction

from .models import QUOTE_MAX_CHARS, RootCause


class HighlightForm(forms.Form):
    """What the browser sends for a selection; `quote` alone works too (typed or pasted words)."""

    # Offsets as the browser counts them: UTF-16 code units of the note's text (an emoji is two).
    start_utf16 = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end_utf16 = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    quote = forms.CharField(
        label=_("Words to highlight"),
        max_length=QUOTE_MAX_CHARS,
        help_text=_("Select words in the note with the mouse or Shift+arrow keys, or paste them here."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Comma-separated; new tags are created."),
    )
    memo = forms.CharField(label=_("Memo"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def tag_names(self):
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class TagsForm(forms.Form):
    tags = forms.CharField(label=_("Tags"), required=False, max_length=500, help_text=_("Comma-separated."))

    def tag_names(self):
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class MemoForm(forms.Form):
    body = forms.CharField(label=_("Memo"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ThemeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    statement = forms.CharField(
        label=_("Statement"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class TagForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MergeForm(forms.Form):
    into = forms.TypedChoiceField(label=_("Merge into"), coerce=int)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].choices = [("", "—")] + [(o.pk, str(o)) for o in choices]


class EvidenceForm(forms.Form):
    evidence = forms.TypedMultipleChoiceField(
        label=_("How do you know? (cite at least one highlight)"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, highlights=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = [(h.pk, f"{h.participant.code}: “{h.quote[:140]}”") for h in highlights]


class WhyStepForm(EvidenceForm):
    answer = forms.CharField(label=_("Why? Because…"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["answer", "evidence"]


class RootCauseForm(EvidenceForm):
    category = forms.ChoiceField(label=_("Category"), choices=RootCause.Category.choices)
    statement = forms.CharField(label=_("Root cause"), max_length=300)
    field_order = ["category", "statement", "evidence"]


class RefineForm(forms.Form):
    text = forms.CharField(label=_("New issue statement"), widget=forms.Textarea(attrs={"rows": 4}))
    rationale = forms.CharField(label=_("Why this version"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    root_causes = forms.TypedMultipleChoiceField(
        label=_("Root causes behind it"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, causes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root_causes"].choices = [(c.pk, f"{c.get_category_display()}: {c.statement}") for c in causes]
        if not causes:
            del self.fields["root_causes"]


class PredictionMarkForm(forms.Form):
    status = forms.ChoiceField(label=_("What we heard"), choices=Prediction.Status.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
