import math

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import placeholders
from .models import EmailTemplate


def parse_offsets(text: str) -> list[int]:
    """ "2d, 2h, 30m" → minutes before the interview. Bare numbers are hours."""
    minutes = []
    for part in (p.strip().lower() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        unit = part[-1] if part[-1] in "dhm" else "h"
        number = part[:-1] if part[-1] in "dhm" else part
        try:
            value = float(number.strip())
            if not math.isfinite(value):  # "nan", "inf", "1e400"
                raise ValueError(number)
            total = int(value * {"d": 1440, "h": 60, "m": 1}[unit])
        except (ValueError, OverflowError):
            raise ValidationError(_("“%(part)s” is not a time such as 2d, 2h or 30m.") % {"part": part}) from None
        if not 5 <= total <= 60 * 24 * 30:
            raise ValidationError(_("Each time must be between 5 minutes and 30 days before the interview."))
        minutes.append(total)
    if not minutes:
        raise ValidationError(_("Give at least one time before the interview."))
    if len(minutes) > 4:
        raise ValidationError(_("Four reminders at most."))
    return sorted(set(minutes), reverse=True)


def format_offsets(minutes: list[int]) -> str:
    parts = []
    for m in minutes:
        if m % 1440 == 0:
            parts.append(f"{m // 1440}d")
        elif m % 60 == 0:
            parts.append(f"{m // 60}h")
        else:
            parts.append(f"{m}m")
    return ", ".join(parts)


class ReminderSettingsForm(forms.Form):
    offsets = forms.CharField(
        label=_("Send reminders this long before each interview"),
        max_length=60,
        help_text=_("Comma-separated: d = days, h = hours, m = minutes. For example: 2d, 2h"),
    )
    remind_team = forms.BooleanField(label=_("Remind the interviewer and note-taker too"), required=False)

    def clean_offsets(self):
        return parse_offsets(self.cleaned_data["offsets"])


class EmailTemplateForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = ["subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean_subject(self):
        subject = self.cleaned_data["subject"]
        placeholders.validate(subject, self.kind)
        return subject

    def clean_body(self):
        body = self.cleaned_data["body"]
        placeholders.validate(body, self.kind)
        return body
