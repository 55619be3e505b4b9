import datetime

from celery import shared_task


@shared_task(acks_late=True)
def dispatch_due() -> dict:
    """Beat task (every minute): recover rows of lost workers and send every due email.
    Runs safely on any number of workers at once (rows are claimed with skip_locked)."""
    from .services import dispatch

    return dispatch()


@shared_task(acks_late=True)
def send_email(email_id: int) -> str | None:
    """A nudge to send one row now (e.g. right after it is created). Idempotent: a row that is
    not pending and due is left alone, so a duplicated or late message does nothing."""
    from .services import send_one

    return send_one(pk=email_id)


@shared_task
def daily_digest(day: str | None = None) -> int:
    """Beat task (daily): each lead of each active campaign gets yesterday's digest, once."""
    from .digest import digests_enqueue

    return digests_enqueue(day=datetime.date.fromisoformat(day) if day else None)
