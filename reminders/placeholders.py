"""The tiny template language leads write emails in: plain text with `{placeholder}`s.

No Django template code from users, ever: a template is split into literal text and names
from a per-kind whitelist. Values are substituted as text (plain part) or escaped HTML (HTML
part); a value marked as a link becomes an <a> in HTML. Anything else in braces is refused
when the template is saved, so what a lead previews is exactly what is sent.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from .models import Kind

TOKEN = re.compile(r"\{([a-z_]+)\}")
BRACE = re.compile(r"[{}]")

COMMON = {
    "campaign": _("the campaign's title"),
    "team_contact": _("who to contact on the team (the interviewer's name and email)"),
}
INTERVIEW = {
    "when": _("date and time of the interview, in its time zone"),
    "duration": _("how long it takes, in minutes"),
    "mode": _("in person, by phone or by video"),
    "place": _("where it happens, or the link to join"),
    "team": _("who will be there (first names of the interviewer and note-taker)"),
    "reason": _("why it was cancelled, when a reason was given"),
}
PARTICIPANT = {
    "name": _("the participant's first name (or 'family of …' for a minor)"),
    "participant_code": _("the participant's code, e.g. P-014"),
    "link": _("the participant's own link to reschedule, withdraw or read more"),
}

ALLOWED: dict[str, dict] = {
    Kind.REMINDER_PARTICIPANT: {
        **COMMON,
        **PARTICIPANT,
        **{k: v for k, v in INTERVIEW.items() if k != "reason"},
        "transparency": _("the transparency statement, in short"),
    },
    Kind.CANCELLATION_PARTICIPANT: {**COMMON, **PARTICIPANT, **INTERVIEW},
    Kind.REMINDER_TEAM: {
        **COMMON,
        **{k: v for k, v in INTERVIEW.items() if k != "reason"},
        "participant_code": PARTICIPANT["participant_code"],
        "guide": _("the interview guide's title (the guide is attached)"),
        "interview_url": _("the interview's page"),
    },
    Kind.CANCELLATION_TEAM: {
        **COMMON,
        **INTERVIEW,
        "participant_code": PARTICIPANT["participant_code"],
        "interview_url": _("the interview's page"),
    },
    Kind.TEAM_INVITATION: {
        **COMMON,
        "role": _("the role offered"),
        "invited_by": _("who sent the invitation"),
        "link": _("the link to accept"),
        "expires": _("when the link stops working"),
    },
    Kind.CONSENT_REQUEST: {
        **COMMON,
        **PARTICIPANT,
        "expires": _("when the link stops working"),
    },
    Kind.DAILY_DIGEST: {
        **COMMON,
        "date": _("the day the digest covers"),
        "digest": _("the digest itself: interviews, missing consents, under-heard groups"),
        "link": _("the campaign's overview page"),
    },
    Kind.RETENTION_WARNING: {
        **COMMON,
        "retain_until": _("the date identifying data is removed"),
        "link": _("the consent page"),
    },
    Kind.EXPORT_READY: {
        **COMMON,
        "export": _("what was exported"),
        "link": _("the exports page"),
    },
    Kind.COMMUNITY_SUMMARY: {
        **COMMON,
        "link": _("the public “What we heard” page, in the participant's language"),
    },
}
# Values that are URLs: shown as links in the HTML part.
LINKS = {"link", "interview_url"}


def allowed(kind: str) -> dict:
    return ALLOWED[kind]


def validate(text: str, kind: str) -> None:
    """Refuse unknown placeholders and stray braces, naming what is allowed."""
    names = allowed(kind)
    unknown = sorted({name for name in TOKEN.findall(text) if name not in names})
    if unknown:
        raise ValidationError(
            _("Unknown placeholder(s): %(unknown)s. You can use: %(allowed)s."),
            params={
                "unknown": ", ".join("{" + n + "}" for n in unknown),
                "allowed": ", ".join("{" + n + "}" for n in names),
            },
            code="unknown_placeholder",
        )
    if BRACE.search(TOKEN.sub("", text)):
        raise ValidationError(
            _("Curly braces are only for placeholders such as {campaign}; remove the other braces."),
            code="stray_brace",
        )


def _parts(text: str):
    position = 0
    for match in TOKEN.finditer(text):
        yield False, text[position : match.start()]
        yield True, match.group(1)
        position = match.end()
    yield False, text[position:]


def render_text(text: str, values: dict) -> str:
    return "".join(str(values.get(part, "")) if is_name else part for is_name, part in _parts(text))


def _html_value(name: str, value) -> str:
    value = "" if value is None else str(value)
    if name in LINKS and value.startswith(("http://", "https://")):
        return format_html('<a href="{}">{}</a>', value, value)
    return escape(value)


@dataclass
class Rendered:
    subject: str
    text: str
    html: SafeString


def render(subject: str, body: str, values: dict) -> Rendered:
    """Subject and plain text as typed with values filled in; HTML with everything escaped.

    Blank lines separate paragraphs; single newlines become line breaks.
    """
    html_body = "".join(
        _html_value(part, values.get(part)) if is_name else escape(part) for is_name, part in _parts(body)
    )
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", html_body) if p.strip()]
    html = "\n".join("<p>" + p.replace("\n", "<br>\n") + "</p>" for p in paragraphs)
    # Every piece above is escaped or built with format_html: the result is safe by construction.
    return Rendered(
        subject=" ".join(render_text(subject, values).split()),
        text=render_text(body, values).strip() + "\n",
        html=mark_safe(html),  # noqa: S308
    )
