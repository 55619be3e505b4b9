"""Turn an Email row into the message that goes out: values for the placeholders, the lead's
(or built-in) wording in the recipient's language, an HTML and a plain-text part, and the
attachments (.ics invitation or cancellation; the guide for the team).

Everything is rendered when the row is sent, from the database as it is then, so a moved
interview's reminder says the new time. `preview()` runs the same code without sending.
"""

import textwrap
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import ics, placeholders
from .defaults import default_for
from .models import INTERVIEW_KINDS, Email, EmailTemplate, Kind

TRANSPARENCY_MAX_CHARS = 600

# Words the product adds around a participant's values (the leads' wording is in their
# templates; these few are ours), translated through the catalog like every other string.
WORDS = {
    "who_sees": gettext_lazy("Who sees the raw notes: {who}"),
    "deleted_on": gettext_lazy("Names and raw notes are deleted on {date}."),
    "family_of": gettext_lazy("family of {name}"),
    "to_be_confirmed": gettext_lazy("to be confirmed"),
    "link_preview": gettext_lazy("(their personal link, created when the email is sent)"),
}


def word(key: str, language: str | None = None, **values) -> str:
    """One of our WORDS in `language` (default: the active one), with its values filled in."""
    with translation.override(language or translation.get_language() or "en"):
        return str(WORDS[key]).format(**values)


class SkipEmail(Exception):
    """The row must not be sent; the message says why (stored as the row's reason)."""


@dataclass
class Built:
    subject: str
    text: str
    html: str
    body_html: str = ""
    attachments: list[tuple[str, str, str]] = field(default_factory=list)  # (filename, content, mimetype)


def template_for(campaign, kind: str, language: str) -> tuple[str, str, str]:
    """(subject, body, source): the campaign's wording in the language, else the built-in one
    in the language, else the campaign's English, else the built-in English."""
    from .defaults import DEFAULTS

    saved = {}
    if campaign is not None:
        saved = {
            t.language: t
            for t in EmailTemplate.objects.filter(campaign=campaign, kind=kind, language__in=[language, "en"])
        }
    if language in saved:
        return saved[language].subject, saved[language].body, "campaign"
    if language in DEFAULTS[kind]:
        return (*DEFAULTS[kind][language], "default")
    if "en" in saved:
        return saved["en"].subject, saved["en"].body, "campaign"
    return (*default_for(kind, "en"), "default")


def _first_name(full_name: str) -> str:
    return (full_name or "").split(" ")[0]


def _user_name(user) -> str:
    return (user.full_name or user.email.split("@")[0]) if user else ""


def _when(interview) -> str:
    local = interview.local_scheduled_at
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({interview.time_zone})"


def _url(name: str, *args) -> str:
    try:
        return settings.SITE_URL + reverse(name, args=args)
    except NoReverseMatch:
        return settings.SITE_URL


def transparency_short(campaign, language: str) -> str:
    from consent.models import TransparencyStatement

    statements = {
        s.language: s
        for s in TransparencyStatement.objects.current().filter(campaign=campaign, language__in=[language, "en"])
    }
    statement = statements.get(language) or statements.get("en")
    if statement is None:
        return ""
    parts = [
        statement.why,
        word("who_sees", language, who=statement.raw_notes_access),
        word("deleted_on", language, date=formats.date_format(statement.retain_until, "DATE_FORMAT")),
    ]
    return textwrap.shorten(" ".join(" ".join(p.split()) for p in parts), TRANSPARENCY_MAX_CHARS, placeholder=" …")


def _interview_values(interview, *, for_participant: bool) -> dict:
    team = [u for u in (interview.interviewer, interview.note_taker) if u is not None]
    values = {
        "campaign": interview.campaign.title,
        "when": _when(interview),
        "duration": int(interview.duration.total_seconds() // 60),
        "mode": interview.get_mode_display(),
        "place": interview.place_or_link or word("to_be_confirmed"),
        "team": ", ".join(
            dict.fromkeys(_first_name(_user_name(u)) if for_participant else _user_name(u) for u in team)
        ),
        "team_contact": f"{_user_name(interview.interviewer)} <{interview.interviewer.email}>",
        "participant_code": interview.participant.code,
        "reason": interview.cancel_reason or "",
    }
    return values


def _participant_name(participant) -> str:
    first = _first_name(participant.full_name) or participant.code
    return word("family_of", name=first) if participant.is_minor else first


def _guide_text(guide) -> str:
    from interviews.services import guide_groups

    lines = [guide.title, "=" * len(guide.title), ""]
    if guide.introduction:
        lines += [guide.introduction, ""]
    for _kind, label, prompts in guide_groups(guide):
        if not prompts:
            continue
        lines += [str(label), "-" * len(str(label))]
        lines += [f"{n}. {p.text}" for n, p in enumerate(prompts, 1)]
        lines.append("")
    return "\n".join(lines)


def _ics(row: Email, interview, *, cancel: bool) -> tuple[str, str, str]:
    domain = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    content = ics.calendar(
        uid=f"interview-{interview.pk}@{domain}",
        sequence=calendar_sequence(interview),
        start=interview.scheduled_at,
        end=interview.ends_at,
        summary=f"{interview.campaign.title} ({interview.participant.code})"
        if row.kind in (Kind.REMINDER_TEAM, Kind.CANCELLATION_TEAM)
        else interview.campaign.title,
        location=interview.place_or_link,
        organizer=settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].strip(" >"),
        attendee=row.recipient,
        cancel=cancel,
    )
    method = "CANCEL" if cancel else "REQUEST"
    return ("cancel.ics" if cancel else "invite.ics", content, f"text/calendar; method={method}")


def calendar_sequence(interview) -> int:
    """The .ics SEQUENCE: how many times reminders saw the interview move or get cancelled
    (a counter, so two changes in one minute still make a higher number)."""
    from .models import CalendarSequence

    if interview.pk is None:
        return 0
    return CalendarSequence.objects.filter(interview_id=interview.pk).values_list("sequence", flat=True).first() or 0


def values_for(row: Email, *, make_link: bool = True) -> tuple[dict, list]:
    """Placeholder values and attachments for a row. `make_link=False` (preview) shows where the
    participant's link goes without creating one."""
    kind = row.kind
    attachments = []
    values = {"campaign": row.campaign.title if row.campaign else settings.SITE_NAME, "team_contact": ""}
    values.update({k: v for k, v in (row.context or {}).items() if k in placeholders.allowed(kind)})
    if kind in (Kind.REMINDER_PARTICIPANT, Kind.CANCELLATION_PARTICIPANT, Kind.REMINDER_TEAM, Kind.CANCELLATION_TEAM):
        interview = row.interview
        for_participant = kind in (Kind.REMINDER_PARTICIPANT, Kind.CANCELLATION_PARTICIPANT)
        values.update(_interview_values(interview, for_participant=for_participant))
        cancel = kind in (Kind.CANCELLATION_PARTICIPANT, Kind.CANCELLATION_TEAM)
        attachments.append(_ics(row, interview, cancel=cancel))
        if for_participant:
            values["name"] = _participant_name(interview.participant)
            values["transparency"] = transparency_short(interview.campaign, row.language)
        else:
            values["interview_url"] = _url("interviews:detail", interview.campaign.slug, interview.pk)
            values["guide"] = interview.guide.title if interview.guide else _("no guide chosen yet")
            if interview.guide and kind == Kind.REMINDER_TEAM:
                attachments.append(("guide.txt", _guide_text(interview.guide), "text/plain"))
        if for_participant:
            values["link"] = _participant_link(row, interview.participant) if make_link else word("link_preview")
    elif kind == Kind.CONSENT_REQUEST and row.participant is not None:
        values.setdefault("name", _participant_name(row.participant))
    return values, attachments


LINK_ID, LINK_TOKEN = "_link_id", "_link_token"


def _participant_link(row: Email, participant) -> str:
    """The participant's signed link for this email: one link per email row. Made at the row's
    first build (only the token's hash is stored in consent, so the token waits in the row's
    `context` — cleared when the row is finished or the participant purged) and reused by every
    retry, so a retry neither makes a new link nor revokes the one already sent. Making it revokes
    the participant's earlier links (consent's rule: the newest email's link is the one that
    works); a lead's Retry of a failed row makes a new one."""
    from django.core.exceptions import ValidationError

    from consent.models import ParticipantLink
    from consent.services import link_create, link_url

    saved = row.context or {}
    reusable = saved.get(LINK_TOKEN) and saved.get(LINK_ID)
    if reusable and ParticipantLink.objects.active().filter(pk=saved[LINK_ID], participant=participant).exists():
        return link_url(saved[LINK_TOKEN])
    try:
        # The email of a minor is addressed to the family: the guardian's link (their consent).
        recipient = (
            ParticipantLink.Recipient.GUARDIAN if participant.is_minor else ParticipantLink.Recipient.PARTICIPANT
        )
        _link, token = link_create(
            participant=participant, delivery=ParticipantLink.Delivery.EMAIL, by=None, recipient=recipient, notify=False
        )
    except ValidationError as exc:
        raise SkipEmail(" ".join(exc.messages)) from exc
    if row.pk:
        row.context = {**saved, LINK_ID: _link.pk, LINK_TOKEN: token}
        Email.objects.filter(pk=row.pk).update(context=row.context)
    return link_url(token)


def build(row: Email, *, make_link: bool = True, wording: tuple[str, str] | None = None) -> Built:
    with translation.override(row.language):
        values, attachments = values_for(row, make_link=make_link)
        subject, body = wording or template_for(row.campaign, row.kind, row.language)[:2]
        rendered = placeholders.render(subject, body, values)
        html = render_to_string(
            "reminders/email/message.html",
            {
                "body": rendered.html,
                "subject": rendered.subject,
                "campaign_title": values.get("campaign", ""),
                "LANGUAGE_CODE": row.language,
            },
        )
    return Built(
        subject=rendered.subject, text=rendered.text, html=html, body_html=rendered.html, attachments=attachments
    )


def to_message(row: Email, built: Built) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=built.subject,
        body=built.text,
        to=[row.recipient],
        headers={"Message-ID": row.message_id, "X-Empathy-Email": str(row.pk)},
    )
    message.attach_alternative(built.html, "text/html")
    for filename, content, mimetype in built.attachments:
        # Django adds the charset itself: "text/calendar; method=REQUEST" gets one charset parameter.
        message.attach(filename, content, mimetype)
    return message


SAMPLE_CONTEXT = {
    "role": "interviewer",
    "invited_by": "Dana Lead",
    "link": "https://example.org/…",
    "expires": "1 December 2026",
    "date": "24 November 2026",
    "digest": "Interviews (2):\n- P-004: Completed\n- P-007: No-show\n\nConsent still missing (1):\nP-012",
    "retain_until": "30 June 2027",
    "export": "Notes (CSV)",
}


def sample_interview(campaign, user):
    """An unsaved interview two days ahead, for previews when no real one is chosen."""
    from datetime import timedelta

    from django.utils import timezone

    from interviews.models import Interview
    from participants.models import Participant

    start = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    participant = Participant(campaign=campaign, code="P-000", full_name="Alex Sample", role="family")
    interview = Interview(
        campaign=campaign,
        participant=participant,
        guide=campaign.guides.first(),
        scheduled_at=start,
        time_zone=settings.TIME_ZONE,
        interviewer=user,
        place_or_link="Room 12, Lincoln Middle School",
    )
    interview.ends_at = start + interview.duration
    interview.updated_at = timezone.now()
    return interview


def preview(*, campaign, kind: str, language: str, user, interview=None, wording=None) -> Built:
    """Exactly what `build` sends, for a real upcoming interview or a sample; the participant's
    link is shown as a placeholder (a real one is created only when the email is sent)."""
    row = Email(kind=kind, campaign=campaign, language=language, recipient=user.email, context=SAMPLE_CONTEXT)
    if kind in INTERVIEW_KINDS:
        row.interview = interview or sample_interview(campaign, user)
        if kind in (Kind.REMINDER_PARTICIPANT, Kind.CANCELLATION_PARTICIPANT):
            row.recipient = row.interview.participant.email or "participant@example.org"
    elif kind == Kind.CONSENT_REQUEST:
        row.participant = sample_interview(campaign, user).participant
    return build(row, make_link=False, wording=wording)
