"""The place for other parts of the product to react to interview scheduling.

Scheduling writes (`interviews.services.interview_schedule`, `interview_reschedule`,
`interview_cancel`) call these functions through `transaction.on_commit`, so they run only once
the change is in the database and never for a rolled-back one. Each list below starts empty: the
reminders work (issue for Reminders) appends its callables here from its AppConfig.ready(), e.g.

    from interviews import hooks
    hooks.SCHEDULED.append(reminders.services.reminders_create_for)

A callable takes the Interview. Nothing here is a signal: the lists are explicit, greppable and
called in order; an exception in one is raised to the caller (after the commit), not swallowed.
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
