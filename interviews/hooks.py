"""The place for other parts of the product to react to interview scheduling.

Scheduling writes (`interviews.services.interview_schedule`, `interview_reschedule`,
`interview_cancel`, `interview_no_show`, and the cancellation when a participant withdraws) call
these functions INSIDE their transaction: whatever a hook writes (reminder rows) is saved together
with the interview, or rolled back with it. So a hook must only write rows; anything outside the
database (a Celery task, an email) it defers with `transaction.on_commit`. Each list below starts empty: the
reminders work (issue for Reminders) appends its callables here from its AppConfig.ready(), e.g.

    from interviews import hooks
    hooks.SCHEDULED.append(reminders.services.reminders_create_for)

A callable takes the Interview. Nothing here is a signal: the lists are explicit, greppable and
called in order; an exception in one is raised to the caller and rolls the scheduling back.
"""

SCHEDULED: list = []  # called with the interview, after it was scheduled
RESCHEDULED: list = []  # called with the interview, after its time or place changed
CANCELLED: list = []  # called with the interview, after it was cancelled or marked no-show


def _run(callbacks, interview):
    for callback in list(callbacks):
        callback(interview)


def on_scheduled(interview) -> None:
    _run(SCHEDULED, interview)


def on_rescheduled(interview) -> None:
    _run(RESCHEDULED, interview)


def on_cancelled(interview) -> None:
    _run(CANCELLED, interview)
