import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .models import Invitation


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def send_invitation_email(invitation_id: int, token: str) -> bool:
    """Email an invitation link. Skips invitations that were revoked or used meanwhile."""
    from .services import invitation_url

    invitation = Invitation.objects.select_related("campaign", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.state != "pending":
        return False
    context = {"invitation": invitation, "url": invitation_url(token)}
    with translation.override(translation.get_language() or "en"):
        subject = render_to_string("emails/invitation_subject.txt", context).strip()
        text = render_to_string("emails/invitation.txt", context)
        html = render_to_string("emails/invitation.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True
