"""The review's findings on reminders, each pinned by a test (in-process: SQLite or PostgreSQL;
the real-worker versions of the SMTP and cancel races are in test_worker_delivery.py)."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consent.models import ParticipantLink
from consent.services import participant_withdraw
from reminders import hooks, ics, messages, services
from reminders.factories import EmailFactory, InterviewFactory, consented_participant
from reminders.forms import parse_offsets
from reminders.models import Email, Kind, ReminderSettings

from .realworld import Inbox, SmtpServer

pytestmark = pytest.mark.django_db
Status = Email.Status


def _use_smtp(settings, port, timeout=1.0, data_timeout=5.0):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.REMINDERS_SMTP_TIMEOUT = timeout
    settings.REMINDERS_SMTP_DATA_TIMEOUT = data_timeout
    settings.REMINDERS_RETRY_BASE_SECONDS = 0.05


def _due_now(interview):
    Email.objects.filter(interview=interview).update(next_try_at=timezone.now() - timedelta(seconds=1))


# --- 9: a slow server's answer after DATA never makes a duplicate ------------------------------


def test_a_slow_answer_after_data_waits_longer_than_the_command_timeout(settings):
    inbox = Inbox(reply_delay=0.8)
    row = EmailFactory()
    with SmtpServer(inbox) as smtp:
        _use_smtp(settings, smtp.port, timeout=0.3, data_timeout=5)
        assert services.send_one(pk=row.pk) == Status.SENT
    row.refresh_from_db()
    assert row.status == Status.SENT and inbox.count == 1


def test_no_answer_after_data_is_unknown_and_never_sent_again(settings):
    inbox = Inbox(reply_delay=1.0)
    row = EmailFactory()
    with SmtpServer(inbox) as smtp:
        _use_smtp(settings, smtp.port, timeout=0.3, data_timeout=0.3)
        assert services.send_one(pk=row.pk) == Status.FAILED
        time.sleep(0.9)
        inbox.reply_delay = 0
        assert services.send_one(pk=row.pk) is None  # nothing due: not retried automatically
        assert services.dispatch(budget_seconds=5) == {"recovered": 0}
    row.refresh_from_db()
    assert inbox.count == 1
    assert row.status == Status.FAILED and row.handoff_at is not None
    assert "may have been delivered" in row.reason


def test_a_refusal_after_data_is_still_retried(settings, monkeypatch):
    monkeypatch.setattr(services, "_nudge", lambda pk, countdown=0: None)  # eager Celery ignores countdown
    inbox = Inbox(reject_first=1)
    row = EmailFactory()
    with SmtpServer(inbox) as smtp:
        _use_smtp(settings, smtp.port)
        assert services.send_one(pk=row.pk) == Status.PENDING
        row.refresh_from_db()
        assert row.handoff_at is None
        Email.objects.filter(pk=row.pk).update(next_try_at=timezone.now())
        assert services.send_one(pk=row.pk) == Status.SENT
    assert inbox.count == 1


def test_the_answer_wait_ends_before_the_lease(settings):
    settings.REMINDERS_LEASE_SECONDS = 60
    settings.REMINDERS_SMTP_DATA_TIMEOUT = 600
    row = EmailFactory(claimed_at=timezone.now() - timedelta(seconds=50))
    assert services.data_timeout(row) < 10


# --- 18: no reminder after the interview was cancelled -----------------------------------------


def test_a_cancel_committed_after_the_claim_stops_the_send(interview, monkeypatch):
    interview.scheduled_at = timezone.now() + timedelta(hours=1)
    interview.save()
    services.interview_reminders_plan(interview=interview, nudge=False)
    real_build = services.build

    def build_then_cancel(row, **kw):
        built = real_build(row, **kw)
        # Another request cancels the interview while this worker holds the claimed row.
        type(interview).objects.filter(pk=interview.pk).update(status="cancelled")
        return built

    monkeypatch.setattr(services, "build", build_then_cancel)
    result = services.send_one()
    assert result == Status.SKIPPED
    assert mail.outbox == []
    row = Email.objects.get(interview=interview, status=Status.SKIPPED, kind=Kind.REMINDER_PARTICIPANT)
    assert "cancelled" in row.reason and row.handoff_at is None


def test_a_move_committed_after_the_claim_stops_the_old_time(interview, monkeypatch):
    interview.scheduled_at = timezone.now() + timedelta(hours=1)
    interview.save()
    services.interview_reminders_plan(interview=interview, nudge=False)
    real_build = services.build

    def build_then_move(row, **kw):
        built = real_build(row, **kw)
        type(interview).objects.filter(pk=interview.pk).update(
            scheduled_at=interview.scheduled_at + timedelta(days=1), ends_at=interview.ends_at + timedelta(days=1)
        )
        return built

    monkeypatch.setattr(services, "build", build_then_move)
    assert services.send_one() == Status.SKIPPED
    assert mail.outbox == []


# --- 5: no participant address in reasons ------------------------------------------------------


class RefuseRecipient(Inbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return f"550 5.1.1 <{address}>: Recipient address rejected"


def test_a_refused_address_is_not_stored_nor_shown(settings, interview, campaign, cast, client_for):
    interview.scheduled_at = timezone.now() + timedelta(hours=1)
    interview.save()
    services.interview_reminders_plan(interview=interview, nudge=False)
    with SmtpServer(RefuseRecipient()) as smtp:
        _use_smtp(settings, smtp.port)
        services.dispatch(budget_seconds=10)
    row = Email.objects.get(interview=interview, kind=Kind.REMINDER_PARTICIPANT)
    assert row.status == Status.FAILED
    assert "550" in row.reason and "alma@example.net" not in row.reason and "[address]" in row.reason
    page = client_for(cast["analyst"]).get(reverse("interviews:detail", args=[campaign.slug, interview.pk]))
    assert b"alma@example.net" not in page.content
    # A purge leaves no trace of the person in any reason either.
    Email.objects.filter(pk=row.pk).update(reason="550 <alma@example.net> rejected")
    hooks.purge_emails(participants=[interview.participant], reason="test", by=None)
    assert not Email.objects.filter(interview=interview, reason__icontains="alma").exists()


def test_error_texts_lose_every_address():
    import smtplib

    exc = smtplib.SMTPRecipientsRefused({"alma@example.net": (550, b"5.1.1 <alma@example.net> unknown")})
    assert services.smtp_error_text(exc) == "550 5.1.1 <[address]> unknown"


# --- 6 and the cancelled-key nit: moving back ---------------------------------------------------


def test_moving_back_to_the_first_time_keeps_every_reminder(interview):
    now = timezone.now()
    first = now + timedelta(days=3)
    interview.scheduled_at = first
    interview.save()
    services.interview_reminders_plan(interview=interview, now=now)
    later = first - timedelta(days=2) + timedelta(minutes=1)
    Email.objects.filter(interview=interview, offset_minutes=2880).update(status=Status.SENT, sent_at=later)
    interview.reschedule(
        scheduled_at=first + timedelta(days=2), time_zone=interview.time_zone, duration=interview.duration
    )
    services.interview_reminders_move(interview=interview, now=later)
    interview.reschedule(scheduled_at=first, time_zone=interview.time_zone, duration=interview.duration)
    rows = services.interview_reminders_move(interview=interview, now=later)  # crashed before
    pending = Email.objects.filter(interview=interview, status=Status.PENDING)
    assert all(r.status == Status.PENDING for r in rows) and len(rows) == 6
    assert pending.filter(offset_minutes=120, send_at=first - timedelta(hours=2)).count() == 3
    # The 2-day time has passed for the first time again: one now (what a short-notice plan does).
    assert pending.filter(offset_minutes=2880, send_at=later).count() == 3


def test_a_cancelled_row_is_not_revived_by_its_key(interview, campaign):
    now = timezone.now()
    services.interview_reminders_plan(interview=interview, now=now)
    first = interview.scheduled_at
    ReminderSettings.objects.create(campaign=campaign, offsets_minutes=[120])
    interview.reschedule(
        scheduled_at=first + timedelta(days=1), time_zone=interview.time_zone, duration=interview.duration
    )
    services.interview_reminders_move(interview=interview, now=now)
    ReminderSettings.objects.filter(campaign=campaign).update(offsets_minutes=[2880, 120])
    interview.reschedule(scheduled_at=first, time_zone=interview.time_zone, duration=interview.duration)
    rows = services.interview_reminders_move(interview=interview, now=now)
    two_days = [r for r in rows if r.offset_minutes == 2880]
    assert len(two_days) == 3 and {r.status for r in two_days} == {Status.PENDING}
    # Idempotent still: the same move again makes nothing new.
    count = Email.objects.filter(interview=interview).count()
    services.interview_reminders_move(interview=interview, now=now)
    assert Email.objects.filter(interview=interview).count() == count


# --- 16: the hooks inside the scheduling transaction ------------------------------------------


def _schedule(campaign, participant, interviewer, lead):
    from interviews.services import interview_schedule

    return interview_schedule(
        campaign=campaign,
        participant=participant,
        scheduled_at=timezone.now() + timedelta(days=3),
        time_zone="America/Chicago",
        interviewer=interviewer,
        by=lead,
    )


def test_a_failed_scheduling_transaction_leaves_no_reminders(campaign, participant, interviewer, lead, monkeypatch):
    nudged = []
    monkeypatch.setattr(services, "_nudge", lambda pk, countdown=0: nudged.append(pk))
    with pytest.raises(RuntimeError), transaction.atomic():
        interview = _schedule(campaign, participant, interviewer, lead)
        assert Email.objects.filter(interview=interview).exists()  # written with the interview
        hooks.on_rescheduled(interview)
        hooks.on_cancelled(interview)
        raise RuntimeError("the request failed after scheduling")
    assert not Email.objects.exists()
    assert nudged == []  # nothing left for Celery either


def test_a_committed_schedule_has_its_reminders(
    campaign, participant, interviewer, lead, monkeypatch, django_capture_on_commit_callbacks
):
    nudged = []
    monkeypatch.setattr(services, "_nudge", lambda pk, countdown=0: nudged.append(pk))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        interview = _schedule(campaign, participant, interviewer, lead)
        interview.mark_cancelled("rain")
        hooks.on_cancelled(interview)
        assert nudged == []  # the hooks only registered nudges
    assert Email.objects.filter(interview=interview, kind=Kind.REMINDER_PARTICIPANT).count() == 2
    assert Email.objects.filter(interview=interview, kind=Kind.CANCELLATION_PARTICIPANT).count() == 1
    for callback in callbacks:
        callback()
    assert nudged  # the due cancellations were nudged after the commit


def test_the_hooks_are_idempotent(interview):
    hooks.on_scheduled(interview)
    hooks.on_scheduled(interview)
    assert Email.objects.filter(interview=interview).count() == 6
    interview.reschedule(
        scheduled_at=interview.scheduled_at + timedelta(days=1),
        time_zone=interview.time_zone,
        duration=interview.duration,
    )
    hooks.on_rescheduled(interview)
    hooks.on_rescheduled(interview)
    assert Email.objects.filter(interview=interview, status=Status.PENDING).count() == 6
    interview.mark_cancelled("rain")
    hooks.on_cancelled(interview)
    hooks.on_cancelled(interview)
    assert Email.objects.filter(interview=interview, kind__startswith="cancellation").count() == 3
    assert not Email.objects.filter(interview=interview, status=Status.PENDING, kind__startswith="reminder").exists()


# --- 11: withdrawal stops team reminders -------------------------------------------------------


def test_no_team_reminder_after_withdrawal(interview):
    interview.scheduled_at = timezone.now() + timedelta(hours=1)
    interview.save()
    services.interview_reminders_plan(interview=interview, nudge=False)
    participant_withdraw(participant=interview.participant)
    # Even if the interview were still scheduled (interviews cancels it on withdrawal), the
    # sender checks the participant's consent for the team's reminders too.
    type(interview).objects.filter(pk=interview.pk).update(status="scheduled")
    Email.objects.filter(interview=interview, kind=Kind.REMINDER_TEAM).update(
        status=Status.PENDING, next_try_at=timezone.now()
    )
    services.dispatch(budget_seconds=10)
    assert not [m for m in mail.outbox if "Reminder" in m.subject]
    team = Email.objects.filter(interview=interview, kind=Kind.REMINDER_TEAM)
    assert team.count() == 2  # one (short notice) for each team member
    assert all(r.status == Status.SKIPPED and "withdrew" in r.reason for r in team)


# --- 10: one link per email row ----------------------------------------------------------------


def test_a_retry_reuses_the_link_it_made(interview, monkeypatch):
    interview.scheduled_at = timezone.now() + timedelta(hours=1)
    interview.save()
    services.interview_reminders_plan(interview=interview, nudge=False)
    row = Email.objects.get(interview=interview, kind=Kind.REMINDER_PARTICIPANT)
    real = services.get_connection

    class Down:
        def open(self):
            raise ConnectionRefusedError("mail server down")

        def close(self):
            pass

    monkeypatch.setattr(services, "get_connection", lambda **kw: Down())
    assert services.send_one(pk=row.pk) == Status.PENDING
    links = list(ParticipantLink.objects.filter(participant=interview.participant))
    assert len(links) == 1 and links[0].state == "active"
    monkeypatch.setattr(services, "get_connection", real)
    Email.objects.filter(pk=row.pk).update(next_try_at=timezone.now())
    assert services.send_one(pk=row.pk) == Status.SENT
    assert ParticipantLink.objects.filter(participant=interview.participant).count() == 1
    assert ParticipantLink.objects.get().state == "active"
    sent = next(m for m in mail.outbox if m.to == ["alma@example.net"])
    assert "/p/" in sent.body
    row.refresh_from_db()
    assert row.context == {}  # the token does not outlive the send


# --- attempts cap -----------------------------------------------------------------------------


def test_a_row_that_cannot_be_built_fails_after_its_tries(settings, monkeypatch):
    settings.REMINDERS_MAX_ATTEMPTS = 3
    row = EmailFactory()

    def broken(row, **kw):
        raise KeyError("bad data")

    monkeypatch.setattr(services, "build", broken)
    monkeypatch.setattr(services, "_nudge", lambda pk, countdown=0: None)
    results = []
    for _n in range(5):
        Email.objects.filter(pk=row.pk).update(next_try_at=timezone.now())
        results.append(services.send_one(pk=row.pk))
    assert results == [Status.PENDING, Status.PENDING, Status.FAILED, None, None]


def test_a_row_whose_worker_keeps_dying_gives_up(settings):
    settings.REMINDERS_MAX_ATTEMPTS = 2
    row = EmailFactory(
        status=Status.SENDING,
        claim_token="00000000-0000-0000-0000-000000000001",
        claimed_at=timezone.now() - timedelta(hours=1),
        attempts=2,
    )
    services.recover_expired()
    row.refresh_from_db()
    assert row.status == Status.FAILED


# --- nits -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["nan", "inf", "infd", "1e400h", "-inf m"])
def test_offsets_that_are_not_numbers_are_refused(text):
    with pytest.raises(ValidationError):
        parse_offsets(text)


def test_ics_sequence_grows_with_every_change_and_one_charset(interview):
    services.interview_reminders_plan(interview=interview, nudge=False)
    assert messages.calendar_sequence(interview) == 0
    for _n in range(2):  # two moves within the same minute
        interview.reschedule(
            scheduled_at=interview.scheduled_at + timedelta(hours=1),
            time_zone=interview.time_zone,
            duration=interview.duration,
        )
        services.interview_reminders_move(interview=interview)
    assert messages.calendar_sequence(interview) == 2
    row = Email.objects.filter(interview=interview, kind=Kind.REMINDER_PARTICIPANT).first()
    message = messages.to_message(row, messages.build(row, make_link=False)).message()
    calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert calendar["Content-Type"].lower().count("charset") == 1
    assert "REQUEST" in calendar["Content-Type"]
    assert "SEQUENCE:2" in calendar.get_payload(decode=True).decode()


def test_ics_escapes_a_lone_carriage_return():
    text = ics.calendar(
        uid="u", sequence=1, start=timezone.now(), end=timezone.now(), summary="a\rb", location="c\r\nd"
    )
    assert "SUMMARY:a\\nb" in text and "LOCATION:c\\nd" in text
    assert "\r" not in text.replace("\r\n", "")


def test_the_email_html_names_its_language(campaign, interviewer):
    participant = consented_participant(campaign, email="rosa@example.net", language="es")
    interview = InterviewFactory(campaign=campaign, participant=participant, interviewer=interviewer)
    row = services.interview_reminders_plan(interview=interview, nudge=False)[0]
    assert row.language == "es"
    assert '<html lang="es">' in messages.build(row, make_link=False).html


def test_the_interview_language_decides_the_participants_email(campaign, interviewer):
    participant = consented_participant(campaign, email="rosa@example.net", language="en")
    interview = InterviewFactory(campaign=campaign, participant=participant, interviewer=interviewer, language="es")
    rows = services.interview_reminders_plan(interview=interview, nudge=False)
    assert {r.language for r in rows if r.kind == Kind.REMINDER_PARTICIPANT} == {"es"}


def test_reminder_settings_are_read_once_per_plan(interview):
    with CaptureQueriesContext(connection) as queries:
        services.interview_reminders_plan(interview=interview, nudge=False)
    assert sum("reminders_remindersettings" in q["sql"] for q in queries.captured_queries) == 1


def test_the_preview_picker_shows_times_in_the_interviews_zone(campaign, lead, client_for, interview):
    from zoneinfo import ZoneInfo

    from django.utils import formats

    url = reverse("reminders:template", args=[campaign.slug, Kind.REMINDER_PARTICIPANT, "en"])
    page = client_for(lead).get(url).content.decode()
    local = interview.scheduled_at.astimezone(ZoneInfo("America/Chicago"))
    assert f"{formats.date_format(local, 'DATETIME_FORMAT')} (America/Chicago)" in page
