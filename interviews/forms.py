import re

from django import forms
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from participants.models import LANGUAGES

from .models import Interview, InterviewGuide, Prompt, PromptPattern
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


# Interviews --------------------------------------------------------------------------------


def _time_zone_choices():
    import zoneinfo

    return [(tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones()) if "/" in tz or tz == "UTC"]


class ParticipantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, participant):
        # The code and role only: this list is seen by the whole field team.
        return f"{participant.code} · {participant.get_role_display()}"


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.email


class WhenForm(forms.Form):
    """Date, time and time zone, combined into one aware datetime (stored in UTC)."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=())
    duration_minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=5, max_value=480, initial=45)

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = _time_zone_choices()
        self.fields["time_zone"].initial = settings.TIME_ZONE

    def clean(self):
        import datetime
        import zoneinfo

        data = super().clean()
        if data.get("date") and data.get("time") and data.get("time_zone"):
            tz = zoneinfo.ZoneInfo(data["time_zone"])
            local = datetime.datetime.combine(data["date"], data["time"]).replace(tzinfo=tz)
            utc = local.astimezone(datetime.UTC)
            if utc.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
                raise forms.ValidationError(
                    _("That time does not exist in %(tz)s (the clocks move forward). Choose another time.")
                    % {"tz": data["time_zone"]}
                )
            if local.replace(fold=1).astimezone(datetime.UTC) != utc:
                raise forms.ValidationError(
                    _("That time happens twice in %(tz)s (the clocks move back). Choose another time.")
                    % {"tz": data["time_zone"]}
                )
            data["scheduled_at"] = utc
        if data.get("duration_minutes"):
            data["duration"] = datetime.timedelta(minutes=data["duration_minutes"])
        return data


class InterviewScheduleForm(WhenForm):
    participant = ParticipantChoiceField(
        label=_("Participant"),
        queryset=None,
        help_text=_("Only people with a current consent (a minor needs a guardian's consent and their own assent)."),
    )
    guide = forms.ModelChoiceField(label=_("Guide"), queryset=None, required=False)
    mode = forms.ChoiceField(label=_("Mode"), choices=Interview.Mode.choices, initial=Interview.Mode.IN_PERSON)
    place_or_link = forms.CharField(
        label=_("Place or link"), max_length=500, required=False, help_text=_("A room, an address or a video link.")
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("The participant's preferred language")), *LANGUAGES],
        required=False,
    )
    interviewer = MemberChoiceField(label=_("Interviewer"), queryset=None)
    note_taker = MemberChoiceField(label=_("Note-taker"), queryset=None, required=False)

    field_order = [
        "participant",
        "guide",
        "date",
        "time",
        "time_zone",
        "duration_minutes",
        "mode",
        "place_or_link",
        "language",
        "interviewer",
        "note_taker",
    ]

    def __init__(self, *args, campaign, **kwargs):
        from campaigns.models import Role
        from consent.selectors import filter_by_consent_state, with_consent_flags
        from participants.models import Participant

        from .services import team_members

        super().__init__(*args, **kwargs)
        people = Participant.objects.filter(campaign=campaign)
        membership = getattr(campaign, "membership", None)
        if membership is not None and membership.role != Role.LEAD:
            # An interviewer schedules only people assigned to them (whose identity they may see).
            people = people.filter(assigned_interviewers=membership.user_id)
        self.fields["participant"].queryset = filter_by_consent_state(with_consent_flags(people), "complete").order_by(
            "number"
        )
        self.fields["guide"].queryset = InterviewGuide.objects.for_campaign(campaign).order_by("title")
        members = team_members(campaign)
        self.fields["interviewer"].queryset = members
        self.fields["note_taker"].queryset = members


class InterviewRescheduleForm(WhenForm):
    mode = forms.ChoiceField(label=_("Mode"), choices=Interview.Mode.choices)
    place_or_link = forms.CharField(label=_("Place or link"), max_length=500, required=False)

    @classmethod
    def for_interview(cls, interview, data=None):
        local = interview.local_scheduled_at
        initial = {
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "time_zone": interview.time_zone,
            "duration_minutes": int(interview.duration.total_seconds() // 60),
            "mode": interview.mode,
            "place_or_link": interview.place_or_link,
        }
        return cls(data, initial=initial)


class InterviewCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)


class DebriefForm(forms.ModelForm):
    class Meta:
        model = Interview
        fields = ["debrief_top_three", "debrief_surprises", "debrief_emotions"]
        widgets = {
            "debrief_top_three": forms.Textarea(attrs={"rows": 3, "maxlength": 3000}),
            "debrief_surprises": forms.Textarea(attrs={"rows": 2, "maxlength": 3000}),
            "debrief_emotions": forms.Textarea(attrs={"rows": 2, "maxlength": 3000}),
        }
        help_texts = {"debrief_top_three": _("One per line, in the participant's words where you can.")}


class InterviewFilterForm(forms.Form):
    WHEN = [("upcoming", _("Upcoming")), ("past", _("Past")), ("all", _("All"))]

    when = forms.ChoiceField(label=_("When"), choices=WHEN, required=False)
    participant = forms.CharField(label=_("Participant code"), max_length=16, required=False)
    member = MemberChoiceField(
        label=_("Team member"),
        queryset=None,
        required=False,
        empty_label=_("Anyone"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *Interview.Status.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, campaign, **kwargs):
        from .services import team_members

        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = team_members(campaign)


class NotesImportForm(forms.Form):
    file = forms.FileField(
        label=_("Transcript or notes file"),
        help_text=_(".txt, .docx, .vtt or .srt, up to 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.docx,.vtt,.srt"}),
    )
