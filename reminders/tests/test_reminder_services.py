"""Planning, moving and cancelling an interview's reminders; the send pipeline, in-process."""

import email as email_lib
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from reminders import services
from reminders.factories import EmailFactory, InterviewFactory, consented_participant
from reminders.models import Email, Kind, ReminderSettings

pytestmark = pytest.mark.django_db
Status = Email.Status


def _rows(interview, **filters):
    return list(Email.objects.filter(interview=interview, **filters).order_by("send_at", "kind", "recipient"))


def _send_all():
    return services.dispatch(budget_seconds=30)


def test_scheduling_creates_two_reminders_per_person(interview):
    rows = services.interview_reminders_plan(interview=interview)
    # participant, interviewer and note-taker, each 2 days and 2 hours before.
    assert len(rows) == 6
    assert {r.offset_minutes for r in rows} == {2880, 120}
    participant_rows = [r for r in rows if r.kind == Kind.REMINDER_PARTICIPANT]
    assert {r.send_at for r in participant_rows} == {
        interview.scheduled_at - timedelta(days=2),
        interview.scheduled_at - timedelta(hours=2),
    }
    assert all(r.status == Status.PENDING for r in rows)
    # Idempotent: the hook running twice makes no new rows.
    services.interview_reminders_plan(interview=interview)
    assert Email.objects.filter(interview=interview).count() == 6


def test_a_lead_can_change_the_times_per_campaign(interview, campaign):
    ReminderSettings.objects.create(campaign=campaign, offsets_minutes=[24 * 60], remind_team=False)
    rows = services.interview_reminders_plan(interview=interview)
    assert [(r.kind, r.offset_minutes) for r in rows] == [(Kind.REMINDER_PARTICIPANT, 1440)]


def test_short_notice_sends_one_reminder_now(interview):
    """Scheduled 5 hours ahead: the 2-day reminder (with the invite) goes now, the 2-hour one later."""
    now = timezone.now()
    interview.scheduled_at = now + timedelta(hours=5)
    interview.save()
    rows = services.interview_reminders_plan(interview=interview)
    participant_rows = [r for r in rows if r.kind == Kind.REMINDER_PARTICIPANT]
    assert [(r.offset_minutes, r.send_at <= timezone.now()) for r in participant_rows] == [(120, False), (2880, True)]
    interview.scheduled_at = timezone.now() + timedelta(minutes=30)
    interview.save()
    rows = services.interview_reminders_move(interview=interview)
    participant_rows = [r for r in rows if r.kind == Kind.REMINDER_PARTICIPANT]
    assert len(participant_rows) == 1 and participant_rows[0].send_at <= timezone.now()


def test_a_participant_without_email_gets_a_skipped_row_with_the_reason(campaign, interviewer):
    participant = consented_participant(campaign, email="")
    interview = InterviewFactory(campaign=campaign, participant=participant, interviewer=interviewer)
    services.interview_reminders_plan(interview=interview)
    row = Email.objects.filter(interview=interview, kind=Kind.REMINDER_PARTICIPANT).first()
    assert row.status == Status.SKIPPED and "No email address" in row.reason


def test_rescheduling_moves_pending_reminders(interview):
    services.interview_reminders_plan(interview=interview)
    ids = {r.pk for r in _rows(interview)}
    interview.scheduled_at += timedelta(days=1)
    interview.save()
    services.interview_reminders_move(interview=interview)
    rows = _rows(interview, status=Status.PENDING)
    assert {r.pk for r in rows} == ids  # moved, not replaced
    assert {r.send_at for r in rows if r.offset_minutes == 120} == {interview.scheduled_at - timedelta(hours=2)}
    assert all("Moved" in r.reason for r in rows)


def test_rescheduling_after_a_reminder_went_out_plans_a_new_one(interview, django_capture_on_commit_callbacks):
    services.interview_reminders_plan(interview=interview)
    first = Email.objects.get(interview=interview, kind=Kind.REMINDER_PARTICIPANT, offset_minutes=2880)
    Email.objects.filter(pk=first.pk).update(status=Status.SENT, sent_at=timezone.now())
    interview.scheduled_at += timedelta(days=7)
    interview.save()
    services.interview_reminders_move(interview=interview)
    two_day = Email.objects.filter(interview=interview, kind=Kind.REMINDER_PARTICIPANT, offset_minutes=2880)
    assert sorted(two_day.values_list("status", flat=True)) == [Status.PENDING, Status.SENT]


def test_cancelling_cancels_reminders_and_sends_cancellations(interview, django_capture_on_commit_callbacks):
    services.interview_reminders_plan(interview=interview)
    interview.mark_cancelled("The school is closed for snow.")
    with django_capture_on_commit_callbacks(execute=True):
        services.interview_reminders_cancel(interview=interview)
    kinds = {r.kind: r.status for r in _rows(interview) if r.kind.startswith("cancellation")}
    assert kinds == {Kind.CANCELLATION_PARTICIPANT: Status.SENT, Kind.CANCELLATION_TEAM: Status.SENT}
    assert not Email.objects.filter(interview=interview, status=Status.PENDING).exists()
    assert len(mail.outbox) == 3
    to_participant = next(m for m in mail.outbox if m.to == ["alma@example.net"])
    assert "snow" in to_participant.body
    name, content, mimetype = to_participant.attachments[0]
    assert name == "cancel.ics" and "METHOD:CANCEL" in content and "method=CANCEL" in mimetype


def test_a_due_reminder_is_sent_once_with_html_text_ics_and_link(interview, settings):
    services.interview_reminders_plan(interview=interview)
    Email.objects.filter(interview=interview).update(next_try_at=timezone.now() - timedelta(seconds=1))
    Email.objects.filter(interview=interview, offset_minutes=2880).update(status=Status.CANCELLED)
    counts = _send_all()
    assert counts[Status.SENT] == 3
    assert _send_all() == {"recovered": 0}  # nothing twice
    participant_mail = next(m for m in mail.outbox if m.to == ["alma@example.net"])
    assert "Alma" in participant_mail.body and "Room 12" in participant_mail.body
    assert "/p/" in participant_mail.body  # the signed link to reschedule or withdraw
    assert "To hear from the students" in participant_mail.body  # the transparency statement, short
    html, mimetype = participant_mail.alternatives[0]
    assert mimetype == "text/html" and "<p>" in html
    ics_name, ics_text, _mimetype = participant_mail.attachments[0]
    assert ics_name == "invite.ics" and "METHOD:REQUEST" in ics_text
    row = Email.objects.get(interview=interview, kind=Kind.REMINDER_PARTICIPANT, status=Status.SENT)
    parsed = email_lib.message_from_bytes(participant_mail.message().as_bytes())
    assert parsed["Message-ID"] == row.message_id
    assert row.context == {} and row.sent_at is not None
    team_mail = next(m for m in mail.outbox if m.to == ["interviewer@test.org"])
    assert [a[0] for a in team_mail.attachments] == ["invite.ics", "guide.txt"]
    assert "Tell me about the last time you missed school." in team_mail.attachments[1][1]
    assert "alma" not in team_mail.body.lower()  # the team's email names the code, not the person


def test_the_participant_gets_it_in_their_language(campaign, interviewer):
    participant = consented_participant(campaign, email="rosa@example.net", language="es", minor=True)
    interview = InterviewFactory(campaign=campaign, participant=participant, interviewer=interviewer)
    services.interview_reminders_plan(interview=interview)
    Email.objects.filter(interview=interview).update(next_try_at=timezone.now())
    Email.objects.filter(interview=interview, offset_minutes=2880).update(status=Status.CANCELLED)
    _send_all()
    message = next(m for m in mail.outbox if m.to == ["rosa@example.net"])
    assert message.subject.startswith("Recordatorio")
    assert "Hola, familia de Alma" in message.body
    assert participant.links.get().recipient == "guardian"  # the family's link, for the family's email


def test_no_email_to_a_participant_without_consent_to_be_contacted(campaign, interviewer):
    participant = consented_participant(campaign, email="no@example.net", recontact=False)
    interview = InterviewFactory(campaign=campaign, participant=participant, interviewer=interviewer)
    services.interview_reminders_plan(interview=interview)
    Email.objects.filter(interview=interview).update(next_try_at=timezone.now())
    _send_all()
    row = Email.objects.filter(interview=interview, kind=Kind.REMINDER_PARTICIPANT).first()
    assert row.status == Status.SKIPPED and "consent to be contacted" in row.reason
    assert all(m.to != ["no@example.net"] for m in mail.outbox)


def test_a_stale_reminder_is_skipped_and_a_late_one_still_goes(interview):
    """Beat was down: the 2-day reminder is late but the interview has not started → it goes
    (unless the 2-hour one is due too: then only that one goes)."""
    services.interview_reminders_plan(interview=interview)
    now = timezone.now()
    two_day = Email.objects.get(interview=interview, kind=Kind.REMINDER_PARTICIPANT, offset_minutes=2880)
    two_hour = Email.objects.get(interview=interview, kind=Kind.REMINDER_PARTICIPANT, offset_minutes=120)
    Email.objects.exclude(pk__in=[two_day.pk, two_hour.pk]).update(status=Status.CANCELLED)
    Email.objects.filter(pk=two_day.pk).update(send_at=now - timedelta(hours=1), next_try_at=now - timedelta(hours=1))
    _send_all()
    two_day.refresh_from_db()
    assert two_day.status == Status.SENT  # an hour late, still useful

    Email.objects.filter(pk=two_hour.pk).update(send_at=now - timedelta(minutes=5), next_try_at=now)
    interview.scheduled_at = now - timedelta(minutes=1)
    interview.save()
    _send_all()
    two_hour.refresh_from_db()
    assert two_hour.status == Status.SKIPPED and "Too late" in two_hour.reason


def test_when_two_reminders_are_due_only_the_later_goes(interview):
    services.interview_reminders_plan(interview=interview)
    now = timezone.now()
    rows = Email.objects.filter(interview=interview, kind=Kind.REMINDER_PARTICIPANT)
    Email.objects.filter(interview=interview).exclude(kind=Kind.REMINDER_PARTICIPANT).update(status=Status.CANCELLED)
    for row in rows:
        Email.objects.filter(pk=row.pk).update(send_at=now - timedelta(minutes=row.offset_minutes), next_try_at=now)
    _send_all()
    statuses = dict(rows.values_list("offset_minutes", "status"))
    assert statuses == {2880: Status.SKIPPED, 120: Status.SENT}
    assert len(mail.outbox) == 1


class FlakyBackend:
    """An email backend whose server fails the first `fails` sends."""

    failures = 0
    fails = 0
    error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    def __init__(self, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        if FlakyBackend.failures < FlakyBackend.fails:
            FlakyBackend.failures += 1
            raise FlakyBackend.error
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "reminders.tests.test_reminder_services.FlakyBackend"
    FlakyBackend.failures = 0
    FlakyBackend.error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    return FlakyBackend


def test_smtp_errors_are_retried_with_backoff(db, flaky):
    flaky.fails = 2
    row = EmailFactory()
    assert services.send_one(pk=row.pk) == Status.PENDING
    row.refresh_from_db()
    assert row.attempts == 1 and "Try 1 failed" in row.reason
    assert row.next_try_at > timezone.now() + timedelta(seconds=25)
    Email.objects.filter(pk=row.pk).update(next_try_at=timezone.now())
    assert services.send_one(pk=row.pk) == Status.PENDING
    row.refresh_from_db()
    assert row.next_try_at > timezone.now() + timedelta(seconds=55)  # 30 s, then 60 s
    Email.objects.filter(pk=row.pk).update(next_try_at=timezone.now())
    assert services.send_one(pk=row.pk) == Status.SENT
    assert len(mail.outbox) == 1


def test_after_the_last_try_the_failure_is_recorded(db, flaky, settings):
    settings.REMINDERS_MAX_ATTEMPTS = 3
    flaky.fails = 99
    row = EmailFactory()
    for _n in range(3):
        Email.objects.filter(pk=row.pk).update(next_try_at=timezone.now())
        services.send_one(pk=row.pk)
    row.refresh_from_db()
    assert row.status == Status.FAILED and "Gave up after 3 tries" in row.reason
    assert services.send_one(pk=row.pk) is None


def test_a_refused_recipient_fails_at_once(db, flaky):
    flaky.fails = 1
    flaky.error = smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"No such user")})
    row = EmailFactory()
    assert services.send_one(pk=row.pk) == Status.FAILED


def test_a_lost_worker_before_smtp_is_retried(db):
    row = EmailFactory()
    claimed, token = services.claim(pk=row.pk)
    # ... the worker dies here. Within the lease nothing happens:
    assert services.recover_expired() == 0
    later = timezone.now() + timedelta(seconds=services.lease_seconds() + 1)
    assert services.recover_expired(now=later) == 1
    row.refresh_from_db()
    assert row.status == Status.PENDING and "before sending" in row.reason
    assert services.send_one(pk=row.pk) == Status.SENT
    # The dead worker's token is worthless now.
    assert services._finish(claimed, token, status=Status.SENT, sent_at=timezone.now()) is False
    assert len(mail.outbox) == 1


def test_a_lost_worker_during_smtp_is_resent_with_the_same_message_id(db):
    row = EmailFactory()
    services.claim(pk=row.pk)
    Email.objects.filter(pk=row.pk).update(handoff_at=timezone.now())
    services.recover_expired(now=timezone.now() + timedelta(seconds=services.lease_seconds() + 1))
    row.refresh_from_db()
    assert "same Message-ID" in row.reason
    services.send_one(pk=row.pk)
    assert mail.outbox[0].extra_headers["Message-ID"] == row.message_id


def test_two_claims_never_get_the_same_row(db):
    row = EmailFactory()
    assert services.claim(pk=row.pk) is not None
    assert services.claim(pk=row.pk) is None


def test_enqueue_is_idempotent_and_validates_addresses(db, campaign, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.email_enqueue(kind=Kind.EXPORT_READY, to="not an address", context={})
    with django_capture_on_commit_callbacks(execute=True):
        first = services.email_enqueue(
            kind=Kind.EXPORT_READY,
            to="lead@test.org",
            campaign=campaign,
            context={"export": "Notes (CSV)", "link": "https://example.org/e/1"},
            dedupe_key="export:1",
        )
        again = services.email_enqueue(
            kind=Kind.EXPORT_READY, to="lead@test.org", campaign=campaign, dedupe_key="export:1"
        )
    assert first.pk == again.pk
    assert len(mail.outbox) == 1 and "Notes (CSV)" in mail.outbox[0].body
    assert "https://example.org/e/1" in mail.outbox[0].alternatives[0][0]
