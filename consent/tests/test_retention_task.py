"""The retention beat task, called eagerly: warning 14 days ahead (once), then removal (once)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from consent import hooks
from consent.factories import ConsentRecordFactory, ParticipantLinkFactory, TransparencyStatementFactory
from consent.models import ConsentRecord, RetentionNotice
from consent.tasks import retention_scan
from participants.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def retained(campaign, lead, other_campaign):
    today = timezone.localdate()
    TransparencyStatementFactory(campaign=campaign, language="en", retain_until=today + datetime.timedelta(days=20))
    # The Spanish version promised an earlier date: the earliest promise binds.
    TransparencyStatementFactory(campaign=campaign, language="es", retain_until=today + datetime.timedelta(days=10))
    # Another campaign far from its date is left alone.
    TransparencyStatementFactory(campaign=other_campaign, retain_until=today + datetime.timedelta(days=300))
    people = [
        ParticipantFactory(campaign=campaign, full_name="Alma Reyes", email="alma@example.net", phone="555 0100"),
        ParticipantFactory(campaign=campaign, full_name="Mateo Cruz", is_minor=True, school="Lincoln HS", grade="9"),
    ]
    ConsentRecordFactory(participant=people[1], kind=ConsentRecord.Kind.GUARDIAN, guardian_name="Rosa Cruz")
    ParticipantLinkFactory(participant=people[0])
    other = ParticipantFactory(campaign=other_campaign, full_name="Kept Person", email="kept@example.net")
    return campaign, people, other


def run(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return retention_scan.apply(kwargs=kwargs).get()


def test_leads_are_warned_once_fourteen_days_before(retained, lead, django_capture_on_commit_callbacks):
    campaign, people, _other = retained
    today = timezone.localdate()
    assert run(django_capture_on_commit_callbacks) == {"warned": 1, "applied": 0}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [lead.email]
    when = today + datetime.timedelta(days=10)
    assert "will be removed" in message.subject
    assert f"/c/{campaign.slug}/consent/" in message.body
    notice = RetentionNotice.objects.get(campaign=campaign)
    assert notice.kind == "warning" and notice.retain_until == when

    # The hourly beat runs again: nothing more is sent.
    assert run(django_capture_on_commit_callbacks) == {"warned": 0, "applied": 0}
    assert len(mail.outbox) == 1
    people[0].refresh_from_db()
    assert people[0].full_name == "Alma Reyes"


def test_on_the_date_identifying_data_goes_and_codes_stay(retained, django_capture_on_commit_callbacks):
    campaign, people, other = retained
    calls = []

    def raw_notes(*, participants, reason, by):
        calls.append((sorted(participants.values_list("code", flat=True)), reason))
        return {"notes": 0}

    hooks.register_purge_hook(raw_notes)
    try:
        later = timezone.localdate() + datetime.timedelta(days=10)
        assert run(django_capture_on_commit_callbacks, today=later.isoformat()) == {"warned": 0, "applied": 1}
        assert run(django_capture_on_commit_callbacks, today=later.isoformat()) == {"warned": 0, "applied": 0}
    finally:
        hooks._purge_hooks.remove(raw_notes)

    for person in people:
        person.refresh_from_db()
        assert (person.full_name, person.email, person.phone, person.note) == ("", "", "", "")
    assert [p.code for p in people] == ["P-001", "P-002"]
    # Pseudonymized attributes (school, grade) stay for synthesis; guardian names go.
    assert (people[1].school, people[1].grade) == ("Lincoln HS", "9")
    assert not ConsentRecord.objects.exclude(guardian_name="").exists()
    assert ConsentRecord.objects.filter(participant=people[1]).count() == 1
    assert not people[0].links.active().exists()
    assert calls == [(["P-001", "P-002"], "retention")]
    other.refresh_from_db()
    assert other.full_name == "Kept Person"
    event = AuditEvent.objects.get(action=AuditEvent.Action.PURGE, campaign=campaign)
    assert event.detail["what"] == "retention" and event.detail["participants"] == 2
    assert RetentionNotice.objects.filter(campaign=campaign, kind="applied").count() == 1


def test_the_task_is_scheduled_by_beat(settings):
    entries = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "consent.tasks.retention_scan" in entries
