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
        # The next scan finds nothing left to remove (the hooks run again and find nothing either).
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
    assert calls == [(["P-001", "P-002"], "retention")] * 2
    other.refresh_from_db()
    assert other.full_name == "Kept Person"
    event = AuditEvent.objects.get(action=AuditEvent.Action.PURGE, campaign=campaign)
    assert event.detail["what"] == "retention" and event.detail["participants"] == 2 and event.detail["first"]
    assert RetentionNotice.objects.filter(campaign=campaign, kind="applied").count() == 1


def test_people_added_or_edited_after_the_date_are_scrubbed_at_the_next_scan(
    retained, lead, django_capture_on_commit_callbacks
):
    campaign, people, _other = retained
    later = timezone.localdate() + datetime.timedelta(days=10)
    assert run(django_capture_on_commit_callbacks, today=later.isoformat())["applied"] == 1
    # After the date: someone is added, someone has a name typed back in, a consent note is written.
    late = ParticipantFactory(campaign=campaign, full_name="Late Comer", email="late@example.net", phone="555 0199")
    people[0].full_name = "Alma Again"
    people[0].save(update_fields=["full_name"])
    ConsentRecordFactory(participant=late, kind=ConsentRecord.Kind.CONSENT, note="Lives on Elm Street")

    assert run(django_capture_on_commit_callbacks, today=later.isoformat())["applied"] == 1
    late.refresh_from_db()
    people[0].refresh_from_db()
    assert (late.full_name, late.email, late.phone) == ("", "", "")
    assert late.code.startswith("P-")
    assert people[0].full_name == ""
    assert not ConsentRecord.objects.filter(participant__campaign=campaign).exclude(note="").exists()
    # Every removal is audited; the notice stays one per date, for the record.
    events = AuditEvent.objects.filter(action=AuditEvent.Action.PURGE, campaign=campaign).order_by("pk")
    assert [(e.detail["first"], e.detail["participants"]) for e in events] == [(True, 2), (False, 2)]
    assert RetentionNotice.objects.filter(campaign=campaign, kind="applied").count() == 1

    # A scan with nothing left to remove writes nothing.
    assert run(django_capture_on_commit_callbacks, today=later.isoformat())["applied"] == 0
    assert events.count() == 2


def test_the_task_is_scheduled_by_beat(settings):
    entries = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "consent.tasks.retention_scan" in entries
