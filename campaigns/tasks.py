from celery import shared_task
from django.utils import formats, timezone, translation

from .models import Invitation


@shared_task
def send_invitation_email(invitation_id: int, token: str) -> bool:
    """Email an invitation link. Skips invitations that were revoked or used meanwhile.

    The email goes through the reminders pipeline (one row, sent once, retried from the row);
    this task only puts it there, so a redelivered task never sends twice."""
    from reminders.models import Kind
    from reminders.services import email_enqueue

    from .services import invitation_url

    invitation = Invitation.objects.select_related("campaign", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.state != "pending":
        return False
    email_enqueue(
        kind=Kind.TEAM_INVITATION,
        to=invitation.email,
        campaign=invitation.campaign,
        language=translation.get_language() or "en",
        context={
            "invitation_id": invitation.pk,
            "link": invitation_url(token),
            "role": str(invitation.get_role_display()),
            "invited_by": str(invitation.invited_by or invitation.campaign.title),
            "expires": formats.date_format(timezone.localtime(invitation.expires_at), "DATETIME_FORMAT"),
        },
        dedupe_key=f"invitation:{invitation.pk}",
    )
    return True
