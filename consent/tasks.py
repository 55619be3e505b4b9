import datetime
import smtplib

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation

from .models import RetentionNotice

RETRY = {
    "autoretry_for": (smtplib.SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


@shared_task
def retention_scan(today: str | None = None) -> dict:
    """Beat task (hourly): warn leads 14 days before a campaign's retention date, then remove
    identifying data on it. Safe to run any number of times: each step happens once per date.
    `today` (ISO date) is for catching up or testing; by default it is the local date."""
    from .services import retention_scan as scan

    return scan(today=datetime.date.fromisoformat(today) if today else None)


@shared_task(**RETRY)
def send_retention_warning(notice_id: int) -> int:
    """Email the campaign's leads that identifying data will be removed soon (through the
    reminders pipeline: one row per lead, sent once)."""
    from reminders.models import Kind
    from reminders.services import email_enqueue

    from .services import retention_date

    notice = RetentionNotice.objects.select_related("campaign").filter(pk=notice_id).first()
    if notice is None:
        return 0
    campaign = notice.campaign
    leads = [m.user for m in campaign.memberships.leads().select_related("user")]
    retain_until = retention_date(campaign) or notice.retain_until
    for user in leads:
        with translation.override(user.language):
            when = formats.date_format(retain_until, "DATE_FORMAT")
        email_enqueue(
            kind=Kind.RETENTION_WARNING,
            to=user.email,
            campaign=campaign,
            user=user,
            language=user.language,
            context={
                "retain_until": when,
                "link": settings.SITE_URL + reverse("consent:overview", args=[campaign.slug]),
            },
            dedupe_key=f"retention:{notice.pk}:{user.pk}",
        )
    return len(leads)


@shared_task(**RETRY)
def send_participant_link(link_id: int) -> bool:
    """Email a participant (or their guardian) their link, in their language (through the
    reminders pipeline: the one email allowed before consent to be contacted).

    The message carries only the link's id: the secret is made here (`link_issue`), in the same
    transaction that hands the email over, so it never sits in the broker. A redelivered task
    finds the link issued and sends nothing."""
    from reminders.models import Kind
    from reminders.services import email_enqueue

    from .services import current_form_for, link_issue, link_url

    with transaction.atomic():
        issued = link_issue(link_id=link_id)
        if issued is None or not issued[0].participant.email:
            return False
        link, token = issued
        participant = link.participant
        form = current_form_for(participant.campaign, participant.preferred_language)
        language = form.language if form else settings.LANGUAGE_CODE
        with translation.override(language):
            expires = formats.date_format(timezone.localtime(link.expires_at), "DATE_FORMAT")
        email_enqueue(
            kind=Kind.CONSENT_REQUEST,
            to=participant.email,
            campaign=participant.campaign,
            participant=participant,
            language=language,
            context={"link": link_url(token), "expires": expires},
            dedupe_key=f"participant-link:{link.pk}",
        )
    return True
