from .models import Email, Kind


def reminders_for_interview(interview):
    """Every email about one interview, in send order, with what the page shows. One query."""
    return list(Email.objects.for_interview(interview).select_related("user").order_by("send_at", "id"))


def outbox(campaign):
    return (
        Email.objects.filter(campaign=campaign)
        .select_related("user", "participant", "interview__participant")
        .order_by("-send_at", "-id")
    )


def is_participant_email(row) -> bool:
    return row.kind in (Kind.REMINDER_PARTICIPANT, Kind.CANCELLATION_PARTICIPANT, Kind.CONSENT_REQUEST)
