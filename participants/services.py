"""Writes and business rules for participants. Views, admin, imports and other apps call these."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Participant, StatusChange


@transaction.atomic
def participant_set_status(*, participant: Participant, status: str, by, note: str = "") -> StatusChange | None:
    """Move a participant to `status` and record who did it, when and why.

    Returns the history row, or None when the participant already had that status.
    """
    if status not in Participant.Status.values:
        raise ValidationError(_("Unknown status: %(status)s") % {"status": status})
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status == status:
        return None
    now = timezone.now()
    change = StatusChange.objects.create(
        participant=participant,
        from_status=participant.status,
        to_status=status,
        by=by if by is not None and getattr(by, "is_authenticated", False) else None,
        note=note[:500],
        created_at=now,
    )
    participant.status = status
    participant.status_changed_at = now
    fields = ["status", "status_changed_at", "updated_at"]
    if status == Participant.Status.INTERVIEWED:
        participant.interviewed_at = now
        fields.append("interviewed_at")
    participant.save(update_fields=fields)
    return change
