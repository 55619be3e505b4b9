import datetime
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import ParticipantLink, RetentionNotice

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
    """Email the campaign's leads that identifying data will be removed soon."""
    from .services import retention_date

    notice = RetentionNotice.objects.select_related("campaign").filter(pk=notice_id).first()
    if notice is None:
        return 0
    campaign = notice.campaign
    leads = [m.user.email for m in campaign.memberships.leads().select_related("user")]
    if not leads:
        return 0
    context = {
        "campaign": campaign,
        "retain_until": retention_date(campaign) or notice.retain_until,
        "url": settings.SITE_URL + reverse("consent:overview", args=[campaign.slug]),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("consent/emails/retention_warning_subject.txt", context).strip()
        text = render_to_string("consent/emails/retention_warning.txt", context)
    EmailMultiAlternatives(subject=subject, body=text, to=leads).send()
    return len(leads)


@shared_task(**RETRY)
def send_participant_link(link_id: int, token: str) -> bool:
    """Email a participant (or their guardian) their link, in their language."""
    from .services import current_form_for, link_url

    link = ParticipantLink.objects.select_related("participant", "participant__campaign").filter(pk=link_id).first()
    if link is None or link.state != "active" or not link.participant.email:
        return False
    participant = link.participant
    form = current_form_for(participant.campaign, participant.preferred_language)
    language = form.language if form else settings.LANGUAGE_CODE
    context = {
        "participant": participant,
        "campaign": participant.campaign,
        "form": form,
        "url": link_url(token),
        "expires_at": link.expires_at,
    }
    with translation.override(language):
        subject = render_to_string("consent/emails/participant_link_subject.txt", context).strip()
        text = render_to_string("consent/emails/participant_link.txt", context)
    EmailMultiAlternatives(subject=subject, body=text, to=[participant.email]).send()
    return True
