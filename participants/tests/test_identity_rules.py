"""Identity rules on the participant pages: the retention date, is_minor once consent exists,
audited assignments, and status notes (treated as identifying) shown only with identity."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from consent.factories import ConsentRecordFactory, TransparencyStatementFactory
from participants.factories import ParticipantFactory
from participants.models import Participant
from participants.services import participant_create, participant_set_status, participant_update

pytestmark = pytest.mark.django_db

RETENTION_ERROR = "retention date has passed"


@pytest.fixture
def retention_passed(campaign):
    TransparencyStatementFactory(campaign=campaign, retain_until=timezone.localdate() - datetime.timedelta(days=1))


def _data(**overrides):
    return {
        "full_name": "Ana Ruiz",
        "email": "ana@example.net",
        "role": "family",
        "preferred_language": "en",
        **overrides,
    }


def test_after_the_retention_date_no_one_is_added_with_a_name(campaign, client_for, lead, retention_passed):
    response = client_for(lead).post(reverse("participants:add", args=[campaign.slug]), _data())
    assert response.status_code == 200
    assert RETENTION_ERROR in response.context["form"].errors["full_name"][0]
    assert not Participant.objects.exists()
    with pytest.raises(ValidationError):
        participant_create(campaign=campaign, by=lead, full_name="Ana", role="family")
    imported = client_for(lead).post(
        reverse("participants:import", args=[campaign.slug]), {"text": "full_name,role\nAna,family\n"}
    )
    assert imported.status_code == 400 and RETENTION_ERROR in imported.content.decode()
    assert not Participant.objects.exists()


def test_after_the_retention_date_identity_cannot_be_changed_but_the_rest_can(
    campaign, client_for, lead, retention_passed
):
    # Scrubbed at the date: no name, no contact; role and flags stay editable.
    p = ParticipantFactory(campaign=campaign, full_name="", email="", role="family")
    url = reverse("participants:edit", args=[campaign.slug, p.code])
    client = client_for(lead)
    refused = client.post(url, _data(full_name="", email="new@example.net"))
    assert refused.status_code == 200
    assert RETENTION_ERROR in refused.context["form"].errors["email"][0]
    allowed = client.post(url, _data(full_name="", email="", role="student", most_directly_impacted="on"))
    assert allowed.status_code == 302
    p.refresh_from_db()
    assert (p.full_name, p.email, p.role, p.most_directly_impacted) == ("", "", "student", True)


def test_before_the_retention_date_details_are_edited_as_usual(campaign, client_for, lead):
    TransparencyStatementFactory(campaign=campaign, retain_until=timezone.localdate() + datetime.timedelta(days=5))
    p = ParticipantFactory(campaign=campaign)
    response = client_for(lead).post(reverse("participants:edit", args=[campaign.slug, p.code]), _data())
    assert response.status_code == 302


def test_once_consent_exists_only_a_lead_changes_is_minor_and_it_is_audited(campaign, client_for, lead, interviewer):
    p = ParticipantFactory(campaign=campaign, is_minor=True, role="student", assigned_interviewers=[interviewer])
    ConsentRecordFactory(participant=p, kind="guardian", guardian_name="A. Parent")
    url = reverse("participants:edit", args=[campaign.slug, p.code])
    data = _data(full_name=p.full_name, email=p.email, role="student")  # is_minor unticked
    client_for(interviewer).post(url, data)
    p.refresh_from_db()
    assert p.is_minor is True
    with pytest.raises(ValidationError):
        participant_update(participant=p, by=interviewer, is_minor=False)
    assert not AuditEvent.objects.filter(detail__what="is_minor changed after consent was recorded").exists()

    assert client_for(lead).post(url, data).status_code == 302
    p.refresh_from_db()
    assert p.is_minor is False
    event = AuditEvent.objects.get(detail__what="is_minor changed after consent was recorded")
    assert (event.actor, event.action, event.detail["is_minor"]) == (lead, AuditEvent.Action.CONSENT_CHANGE, False)


def test_without_consent_records_an_interviewer_may_still_set_is_minor(campaign, client_for, interviewer):
    p = ParticipantFactory(campaign=campaign, assigned_interviewers=[interviewer])
    data = _data(full_name=p.full_name, email=p.email, is_minor="on")
    assert (
        client_for(interviewer).post(reverse("participants:edit", args=[campaign.slug, p.code]), data).status_code
        == 302
    )
    p.refresh_from_db()
    assert p.is_minor is True


def test_assigning_interviewers_is_audited(campaign, client_for, lead, interviewer):
    p = ParticipantFactory(campaign=campaign)
    client_for(lead).post(
        reverse("participants:assign", args=[campaign.slug, p.code]), {"assign-interviewers": [interviewer.pk]}
    )
    assert list(p.assigned_interviewers.all()) == [interviewer]
    event = AuditEvent.objects.get(detail__what="assigned interviewers")
    assert event.actor == lead and event.detail["added"] == [interviewer.pk]


def test_status_notes_are_shown_only_to_those_who_see_identity(campaign, client_for, lead, analyst):
    p = ParticipantFactory(campaign=campaign)
    participant_set_status(participant=p, status="invited", by=lead, note="Called her mother at work")
    assert "Called her mother at work" in client_for(lead).get(p.get_absolute_url()).content.decode()
    analyst_page = client_for(analyst).get(p.get_absolute_url()).content.decode()
    assert "Invited" in analyst_page and "Called her mother at work" not in analyst_page
