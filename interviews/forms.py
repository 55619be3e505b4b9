import re

from django import forms
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import InterviewGuide, Prompt, PromptPattern
from .services import MAX_PREDICTIONS_PER_PERSON


class GuideForm(forms.ModelForm):
    class Meta:
        model = InterviewGuide
        fields = ["title", "introduction"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        taken = InterviewGuide.objects.filter(campaign=self.campaign, title=title).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("This campaign already has a guide with that title."))
        return title


class GuideChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, guide):
        return f"{guide.campaign.title} — {guide.title}"


class GuideCopyForm(forms.Form):
    source = GuideChoiceField(
        label=_("Guide to copy"),
        queryset=InterviewGuide.objects.none(),
        help_text=_("Guides of the campaigns you lead. The copy is yours to change; the original stays as it is."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = (
            InterviewGuide.objects.copyable_by(user).select_related("campaign").order_by("campaign__title", "title")
        )


class PromptForm(forms.ModelForm):
    """A prompt's kind and text; the text field asks the coach as the lead types (htmx)."""

    class Meta:
        model = Prompt
        fields = ["kind", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "maxlength": 1000})}
        help_texts = {"text": _("Short, open, about a real experience. The coach below checks as you type.")}

    def __init__(self, *args, campaign, coach_target, **kwargs):
        super().__init__(*args, **kwargs)
        coach = {
            "hx-post": reverse("interviews:coach", args=[campaign.slug]),
            "hx-target": f"#{coach_target}",
            "hx-include": "closest form",
            "hx-swap": "innerHTML",
        }
        self.fields["text"].widget.attrs.update(coach, **{"hx-trigger": "keyup changed delay:400ms, change"})
        self.fields["kind"].widget.attrs.update(coach, **{"hx-trigger": "change"})

    def clean_text(self):
        text = " ".join(self.cleaned_data["text"].split())
        if not text:
            raise forms.ValidationError(_("Write the prompt."))
        return text


class CoachForm(forms.Form):
    """What the coach endpoint reads; lenient, since it runs on half-typed text."""

    text = forms.CharField(required=False, strip=True)
    kind = forms.ChoiceField(required=False, choices=Prompt.Kind.choices)

    def clean_text(self):
        # Long text is still coached (it is "too long"); the cap only bounds the work done.
        return self.cleaned_data["text"][:5000]


class PatternFillForm(forms.Form):
    """Choose a pattern from the library and type the topic: the prompt text comes out."""

    pattern = forms.ModelChoiceField(label=_("Pattern"), queryset=PromptPattern.objects.none(), empty_label=None)
    topic = forms.CharField(
        label=_("Topic"),
        max_length=200,
        help_text=_("The words that fill the gap, e.g. “missed the bus”, “the attendance letter came home”."),
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = PromptPattern.objects.available_to(campaign)
        self.fields["pattern"].queryset = queryset
        # Rendering iterates the choices more than once; load them once.
        self.fields["pattern"].choices = [(p.pk, p.display) for p in queryset]


# "…", "...", "___" or "{topic}" mark where the topic goes.
_GAP = re.compile(r"\{topic\}|…|\.\.\.|_{2,}")


class PatternForm(forms.ModelForm):
    class Meta:
        model = PromptPattern
        fields = ["text", "kind", "why"]
        labels = {"text": _("Pattern")}
        help_texts = {
            "text": _("Write … where the topic goes, e.g. “What do you wish your teachers knew about …?”"),
            "why": _("Optional: when this pattern works well, for your team."),
        }

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign

    def clean_text(self):
        text = " ".join(self.cleaned_data["text"].split())
        gaps = _GAP.findall(text)
        if len(gaps) != 1:
            raise forms.ValidationError(_("Mark exactly one place for the topic with …"))
        text = _GAP.sub(PromptPattern.PLACEHOLDER, text)
        if PromptPattern.objects.available_to(self.campaign).filter(text=text).exists():
            raise forms.ValidationError(_("The library already has this pattern."))
        return text


class PredictionsForm(forms.Form):
    predictions = forms.CharField(
        label=_("What I expect to hear"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["predictions"].help_text = gettext(
            "One per line, up to %(n)d: what you expect people to say, in plain words."
        ) % {"n": MAX_PREDICTIONS_PER_PERSON}

    def clean_predictions(self):
        lines = [" ".join(line.split()) for line in self.cleaned_data["predictions"].splitlines()]
        lines = list(dict.fromkeys(line for line in lines if line))
        if len(lines) > MAX_PREDICTIONS_PER_PERSON:
            raise forms.ValidationError(
                gettext("Keep it to %(n)d or fewer: the ones you are surest of.") % {"n": MAX_PREDICTIONS_PER_PERSON}
            )
        too_long = [line for line in lines if len(line) > 300]
        if too_long:
            raise forms.ValidationError(_("Keep each prediction under 300 characters."))
        return lines
