"""Where reminders plug into the rest of the product (called from RemindersConfig.ready()).

- interviews.hooks: scheduling creates reminder rows, rescheduling moves them, cancelling
  cancels them and sends cancellations (a no-show only stops the reminders).
- consent.hooks: a purge or the retention date removes participants' addresses from rows and
  cancels what has not gone yet.

The interview hooks run INSIDE the scheduling transaction (interviews/hooks.py): they only write
rows (rolled back with the interview if it fails) and defer every Celery nudge with
`transaction.on_commit`. Each is idempotent: calling it twice leaves the same rows.
"""

from django.utils.translation import gettext as _


def on_scheduled(interview):
    from .services import interview_reminders_plan

    interview_reminders_plan(interview=interview)


def on_rescheduled(interview):
    from .services import interview_reminders_move

    interview_reminders_move(interview=interview)


def on_cancelled(interview):
    from .models import Email, Kind
    from .services import interview_reminders_cancel

    if interview.status == interview.Status.CANCELLED:
        interview_reminders_cancel(interview=interview)
    else:
        Email.objects.filter(
            interview=interview, kind__in=[Kind.REMINDER_PARTICIPANT, Kind.REMINDER_TEAM], status=Email.Status.PENDING
        ).update(
            status=Email.Status.CANCELLED,
            reason=_("The interview is %(status)s.") % {"status": interview.get_status_display().lower()},
        )


def purge_emails(*, participants, reason, by):
    """Nothing unsent goes to a purged participant, and their address does not stay in our rows."""
    from .models import Email

    rows = Email.objects.filter(participant__in=participants) | Email.objects.filter(
        interview__participant__in=participants
    )
    rows = Email.objects.filter(pk__in=rows.values("pk"))
    cancelled = rows.filter(status=Email.Status.PENDING).update(
        status=Email.Status.CANCELLED, reason="Participant data removed."
    )
    participant_rows = rows.filter(
        kind__in=["reminder_participant", "cancellation_participant", "consent_request", "community_summary"]
    )
    scrubbed = participant_rows.exclude(recipient="").update(
        recipient="", context={}, subject="", reason="Participant data removed."
    )
    # A team row's reason may quote the server's answer; keep no trace of the person there either.
    rows.exclude(reason="").exclude(reason="Participant data removed.").update(reason="Participant data removed.")
    return {"emails_cancelled": cancelled, "emails_scrubbed": scrubbed}


def connect():
    from consent.hooks import register_purge_hook

    register_purge_hook(purge_emails)
    try:
        from interviews import hooks
    except ImportError:  # the interviews app predates its hooks
        return
    for name, callback in (("SCHEDULED", on_scheduled), ("RESCHEDULED", on_rescheduled), ("CANCELLED", on_cancelled)):
        callbacks = getattr(hooks, name, None)
        if callbacks is not None and callback not in callbacks:
            callbacks.append(callback)
