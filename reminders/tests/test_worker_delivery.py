"""Exactly-once delivery with real parts: Celery workers in subprocesses, a Redis server of the
test's own, and an SMTP server in this process that counts what arrives. Every scenario of the
issue: schedule / reschedule / cancel, a worker killed mid-batch, two workers, a Redis restart,
SMTP errors retried — and in each, every email arrives exactly once."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from reminders import services
from reminders.factories import EmailFactory
from reminders.models import Email, Kind

from .realworld import (
    Inbox,
    RedisServer,
    SmtpServer,
    Worker,
    beat_tick,
    point_celery_at,
    require_real_services,
    wait_until,
)

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]
Status = Email.Status


@pytest.fixture
def redis():
    require_real_services()
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def celery_app(redis, monkeypatch):
    from empathy.celery import app

    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    yield point_celery_at(redis.url)
    for key, value in saved.items():
        app.conf[key] = value
    point_celery_at(saved["broker_url"]).conf.task_always_eager = saved["task_always_eager"]


@pytest.fixture
def workers():
    started = []
    yield started
    for worker in started:
        worker.stop()


def _start(workers, redis, smtp, **env):
    worker = Worker(redis, smtp, **env).start()
    workers.append(worker)
    return worker


def _all_final(count):
    return lambda: Email.objects.filter(status__in=[Status.SENT, Status.SKIPPED, Status.CANCELLED]).count() == count


def _assert_exactly_once(inbox, rows):
    ids = inbox.message_ids()
    assert len(ids) == len(set(ids)), f"duplicates received: {sorted(ids)}"
    assert set(ids) == {r.message_id for r in rows}


def test_schedule_reschedule_and_cancel_with_a_real_worker(redis, celery_app, workers, interview):
    inbox = Inbox()
    with SmtpServer(inbox) as smtp:
        _start(workers, redis, smtp)
        # Scheduled at short notice: one reminder now to the participant, interviewer, note-taker.
        interview.scheduled_at = timezone.now() + timedelta(hours=1)
        interview.save()
        services.interview_reminders_plan(interview=interview)
        wait_until(lambda: inbox.count == 3, what="3 reminders")
        # Moved three hours on: pending ones move; a fresh one (with the new time) goes now.
        interview.reschedule(
            scheduled_at=timezone.now() + timedelta(hours=3), time_zone="America/Chicago", duration=interview.duration
        )
        services.interview_reminders_move(interview=interview)
        wait_until(lambda: inbox.count == 6, what="3 more reminders after rescheduling")
        assert Email.objects.filter(interview=interview, status=Status.PENDING).count() == 3  # the 2-hour ones
        # Cancelled: pending reminders are cancelled; everyone gets a cancellation.
        interview.mark_cancelled("Snow day")
        services.interview_reminders_cancel(interview=interview)
        wait_until(lambda: inbox.count == 9, what="3 cancellations")
        beat_tick(celery_app)
        wait_until(lambda: not Email.objects.filter(status__in=[Status.PENDING, Status.SENDING]).exists())
    sent = list(Email.objects.filter(status=Status.SENT))
    assert len(sent) == 9 and inbox.count == 9
    _assert_exactly_once(inbox, sent)
    cancellation = next(
        m for m in inbox.messages if m["to"] == ["alma@example.net"] and "Snow day" in str(m["message"])
    )
    ics = next(p for p in cancellation["message"].walk() if p.get_content_type() == "text/calendar")
    assert "METHOD:CANCEL" in ics.get_payload(decode=True).decode()
    assert Email.objects.filter(status=Status.CANCELLED, kind=Kind.REMINDER_PARTICIPANT).count() == 1


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(redis, celery_app, workers):
    rows = [EmailFactory() for _n in range(6)]
    inbox = Inbox(rcpt_delay=0.3)
    with SmtpServer(inbox) as smtp:
        first = _start(workers, redis, smtp)
        beat_tick(celery_app)
        # The third message is between RCPT and DATA: nothing of it has been accepted.
        assert inbox.event_for_rcpt(3).wait(30), "the worker never reached the third message"
        first.kill()
        assert inbox.count == 2
        assert Email.objects.filter(status=Status.SENDING).count() == 1
        _start(workers, redis, smtp)
        wait_until(
            lambda: (
                Email.objects.filter(
                    status=Status.SENDING, claimed_at__lt=timezone.now() - timedelta(seconds=2)
                ).exists()
                or inbox.count == 6
            )
        )
        beat_tick(celery_app)
        wait_until(_all_final(6), what="every email sent after the crash")
    assert inbox.count == 6
    _assert_exactly_once(inbox, rows)


def test_two_workers_share_the_work_and_never_send_twice(redis, celery_app, workers):
    rows = [EmailFactory() for _n in range(12)]
    inbox = Inbox(rcpt_delay=0.02)
    with SmtpServer(inbox) as smtp:
        _start(workers, redis, smtp)
        _start(workers, redis, smtp)
        for _n in range(3):
            beat_tick(celery_app)  # ticks pile up: every worker dispatches at once
        for row in rows:
            celery_app.send_task("reminders.tasks.send_email", args=[row.pk], queue="email")
        wait_until(_all_final(12), what="12 emails sent by two workers")
        beat_tick(celery_app)
        wait_until(lambda: inbox.count >= 12)
    assert inbox.count == 12
    _assert_exactly_once(inbox, rows)


def test_a_redis_restart_loses_nothing(redis, celery_app, workers):
    inbox = Inbox()
    rows = [EmailFactory() for _n in range(3)]
    with SmtpServer(inbox) as smtp:
        for row in rows:  # queued while no worker runs ...
            celery_app.send_task("reminders.tasks.send_email", args=[row.pk], queue="email")
        redis.restart()  # ... and lost: Redis keeps nothing across the restart
        point_celery_at(redis.url)
        _start(workers, redis, smtp)
        beat_tick(celery_app)  # the next beat tick finds the rows in the database
        wait_until(_all_final(3), what="the queued emails after the restart")
        # The worker lives through another restart and keeps working.
        redis.restart()
        point_celery_at(redis.url)
        rows += [EmailFactory() for _n in range(2)]
        wait_until(lambda: _tick_and_check(celery_app, 5), timeout=25, interval=1, what="emails after a second restart")
    assert inbox.count == 5
    _assert_exactly_once(inbox, rows)


def _tick_and_check(app, count):
    try:
        beat_tick(app)
    except Exception:  # the broker is still coming back
        return False
    return _all_final(count)()


def test_smtp_errors_are_retried_then_sent_once(redis, celery_app, workers):
    row = EmailFactory()
    inbox = Inbox(reject_first=2)
    with SmtpServer(inbox) as smtp:
        _start(workers, redis, smtp)
        celery_app.send_task("reminders.tasks.send_email", args=[row.pk], queue="email")
        wait_until(_all_final(1), what="the email after two refusals")
    row.refresh_from_db()
    assert row.attempts == 3 and inbox.count == 1
    _assert_exactly_once(inbox, [row])


def test_giving_up_records_the_failure(redis, celery_app, workers):
    row = EmailFactory()
    inbox = Inbox(reject_first=99)
    with SmtpServer(inbox) as smtp:
        _start(workers, redis, smtp, REMINDERS_MAX_ATTEMPTS="2")
        celery_app.send_task("reminders.tasks.send_email", args=[row.pk], queue="email")
        wait_until(lambda: Email.objects.filter(pk=row.pk, status=Status.FAILED).exists(), what="the recorded failure")
    row.refresh_from_db()
    assert "Gave up after 2 tries" in row.reason and "451" in row.reason
    assert inbox.count == 0


def test_the_at_least_once_window_resends_with_the_same_message_id(redis, celery_app, workers):
    """The one window no sender can close: the server accepted the message, the worker died
    before it heard the 250. Made wide here on purpose (normally a few milliseconds): the
    message is sent again, with the same Message-ID, so mail systems can drop the copy."""
    row = EmailFactory()
    inbox = Inbox(reply_delay=3)
    with SmtpServer(inbox) as smtp:
        first = _start(workers, redis, smtp)
        celery_app.send_task("reminders.tasks.send_email", args=[row.pk], queue="email")
        assert inbox.accepted.wait(20)
        first.kill()
        inbox.reply_delay = 0
        _start(workers, redis, smtp)
        wait_until(lambda: _tick_and_check(celery_app, 1), timeout=20, interval=1, what="the re-sent email")
    assert inbox.count == 2
    assert set(inbox.message_ids()) == {row.message_id}  # two copies, one Message-ID


def test_a_slow_answer_after_data_never_makes_a_duplicate_with_a_real_worker(redis, celery_app, workers):
    """The review's duplicate: the server holds its 250 longer than REMINDERS_SMTP_TIMEOUT.
    1. The final answer has its own, longer wait: the message is sent once and recorded as sent.
    2. When even that wait runs out, a live worker does not send again: the outcome is unknown,
       the row says so, and only a lead's Retry would resend it (with the same Message-ID)."""
    slow, silent = EmailFactory(), EmailFactory(next_try_at=timezone.now() + timedelta(days=1))
    inbox = Inbox(reply_delay=1.2)  # > REMINDERS_SMTP_TIMEOUT, < REMINDERS_SMTP_DATA_TIMEOUT
    with SmtpServer(inbox) as smtp:
        _start(
            workers,
            redis,
            smtp,
            REMINDERS_SMTP_TIMEOUT="0.5",
            REMINDERS_SMTP_DATA_TIMEOUT="2",
            REMINDERS_LEASE_SECONDS="30",
        )
        celery_app.send_task("reminders.tasks.send_email", args=[slow.pk], queue="email")
        wait_until(lambda: Email.objects.filter(pk=slow.pk, status=Status.SENT).exists(), what="the slow 250")
        inbox.reply_delay = 3.5  # > REMINDERS_SMTP_DATA_TIMEOUT
        Email.objects.filter(pk=silent.pk).update(next_try_at=timezone.now())
        celery_app.send_task("reminders.tasks.send_email", args=[silent.pk], queue="email")
        wait_until(
            lambda: Email.objects.filter(pk=silent.pk, status=Status.FAILED).exists(), what="the unknown outcome"
        )
        for _n in range(2):  # later beat ticks find nothing to recover or re-send
            beat_tick(celery_app)
        wait_until(lambda: inbox.count == 2, what="the second message to be counted")
        time.sleep(1.0)
    slow.refresh_from_db()
    silent.refresh_from_db()
    assert slow.status == Status.SENT and slow.reason == ""
    assert silent.status == Status.FAILED and silent.handoff_at is not None
    assert "may have been delivered" in silent.reason
    assert inbox.count == 2
    _assert_exactly_once(inbox, [slow, silent])


def test_a_cancel_while_the_worker_holds_the_reminder_stops_it(redis, celery_app, workers, interview, lead):
    """The review's 'send after cancel': the worker has claimed and built the reminder; the
    cancellation commits before the hand-off. The hand-off re-checks under the interview's lock."""
    from django.db import connection, transaction

    from interviews.models import Interview
    from interviews.services import interview_cancel

    interview.scheduled_at = timezone.now() + timedelta(hours=1)
    interview.save()
    services.interview_reminders_plan(interview=interview, nudge=False)  # 3 due now
    inbox = Inbox()

    def waiting_on_a_lock():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            return cursor.fetchone()[0] > 0

    with SmtpServer(inbox) as smtp:
        _start(workers, redis, smtp, REMINDERS_LEASE_SECONDS="30")
        with transaction.atomic():
            # What a cancelling request holds: the interview's row lock (interview_cancel runs in
            # one transaction with the hooks).
            locked = Interview.objects.select_for_update().get(pk=interview.pk)
            beat_tick(celery_app)
            wait_until(lambda: Email.objects.filter(status=Status.SENDING).exists(), what="the claim")
            wait_until(waiting_on_a_lock, what="the worker waiting at the hand-off")
            interview_cancel(interview=locked, by=lead, reason="Snow day")
        wait_until(
            lambda: not Email.objects.filter(status__in=[Status.PENDING, Status.SENDING]).exists(),
            what="every row final",
        )
        wait_until(lambda: inbox.count >= 3, what="the cancellations")
    subjects = [str(m["message"]["Subject"]) for m in inbox.messages]
    assert inbox.count == 3 and all("Reminder" not in s for s in subjects), subjects
    reminders = Email.objects.filter(interview=interview, kind__in=[Kind.REMINDER_PARTICIPANT, Kind.REMINDER_TEAM])
    assert not reminders.filter(status=Status.SENT).exists()
    assert reminders.filter(status=Status.SKIPPED, reason__contains="cancelled before").count() == 1
