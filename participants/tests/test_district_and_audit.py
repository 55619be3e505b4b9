"""Outside a campaign, nothing of it is shown; deletions and admin access are audited; matching
across the district reads only the rows it needs."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from campaigns.factories import CampaignFactory, UserFactory
from participants.factories import (
    DimensionValueFactory,
    EquityDimensionFactory,
    ParticipantFactory,
    PriorityGroupFactory,
)
from participants.models import Participant, ParticipantValue, StatusChange, TargetOverride
from participants.services import campaign_override_record, participant_create

pytestmark = pytest.mark.django_db


def test_match_candidates_come_only_from_campaigns_the_lead_leads_and_showing_them_is_audited(
    campaign, client_for, lead
):
    led = CampaignFactory(district=campaign.district, title="Family engagement")
    led.memberships.create(user=lead, role="lead")
    not_mine = CampaignFactory(district=campaign.district, title="Bus routes")
    analysed = CampaignFactory(district=campaign.district, title="Lunch menus")
    analysed.memberships.create(user=lead, role="analyst")
    ParticipantFactory(campaign=led, full_name="Thanh Vo", email="")
    ParticipantFactory(campaign=not_mine, full_name="Thanh Vo", email="")
    # A sibling on the shared family email, in a campaign the lead is not part of.
    ParticipantFactory(campaign=not_mine, full_name="Minh Vo", email="vo.family@example.net")
    ParticipantFactory(campaign=analysed, full_name="THANH VO", email="")
    now = participant_create(
        campaign=campaign, by=lead, full_name="thanh vo", email="vo.family@example.net", role="family"
    )
    page = client_for(lead).get(now.get_absolute_url()).content.decode()
    assert "Thanh Vo — P-001, Family engagement" in page
    assert "Bus routes" not in page and "Minh Vo" not in page and "Lunch menus" not in page
    event = AuditEvent.objects.get(detail__page="match candidates")
    assert event.actor == lead and event.detail["candidates"] == [{"campaign": led.slug, "code": "P-001"}]


def test_earlier_participations_name_only_campaigns_the_user_is_part_of(campaign, client_for, lead):
    mine = CampaignFactory(district=campaign.district, title="Family engagement")
    mine.memberships.create(user=lead, role="analyst")
    other = CampaignFactory(district=campaign.district, title="Bus routes")
    participant_create(campaign=mine, by=lead, full_name="Rosa", email="rosa@example.net", role="family")
    participant_create(campaign=other, by=lead, full_name="Rosa", email="rosa@example.net", role="family")
    now = participant_create(campaign=campaign, by=lead, full_name="Rosa", email="rosa@example.net", role="family")
    page = client_for(lead).get(now.get_absolute_url()).content.decode()
    assert "Family engagement: P-001" in page
    assert "Bus routes" not in page
    assert "Also part of 1 campaign of the district you are not a member of." in page


def test_recognising_by_email_reads_only_the_matching_rows(campaign, lead, monkeypatch):
    elsewhere = CampaignFactory(district=campaign.district)
    for i in range(30):
        ParticipantFactory(campaign=elsewhere, email=f"someone{i}@example.net")
    ParticipantFactory(campaign=elsewhere, email="ROSA@example.net")
    loaded = []
    original = Participant.from_db.__func__

    def counting(cls, db, field_names, values):
        loaded.append(values)
        return original(cls, db, field_names, values)

    monkeypatch.setattr(Participant, "from_db", classmethod(counting))
    rosa = participant_create(campaign=campaign, by=lead, full_name="Rosa", email="rosa@example.net", role="family")
    assert rosa.person_id is not None
    assert len(loaded) <= 2  # the one match (and nothing like the 31 rows of the district)


def test_deleting_a_dimension_or_a_priority_group_is_audited(campaign, client_for, lead):
    dimension = EquityDimensionFactory(campaign=campaign, name="Housing")
    value = DimensionValueFactory(dimension=dimension, label="Unstable")
    p = ParticipantFactory(campaign=campaign)
    ParticipantValue.objects.create(participant=p, dimension=dimension, value=value)
    group = PriorityGroupFactory(campaign=campaign, name="Families", role="family")
    client = client_for(lead)
    client.post(reverse("participants:dimension_delete", args=[campaign.slug, dimension.pk]))
    client.post(reverse("participants:priority_delete", args=[campaign.slug, group.pk]))
    deleted = {e.detail["what"]: e for e in AuditEvent.objects.filter(action=AuditEvent.Action.DELETE)}
    assert deleted["dimension"].detail["participant_values"] == 1 and deleted["dimension"].actor == lead
    assert deleted["priority group"].detail["name"] == "Families"


def test_editing_a_priority_group_goes_through_the_service_and_is_audited(campaign, dims, client_for, lead):
    client_for(lead).post(
        reverse("participants:priority_add", args=[campaign.slug]),
        {"name": "Families of ELs", "role": "family", "values": [dims["yes"].pk], "target": "8"},
    )
    event = AuditEvent.objects.get(detail__what="priority group added")
    assert event.detail["values"] == [dims["yes"].pk] and event.detail["target"] == 8


@pytest.fixture
def admin_client(client_for):
    return client_for(UserFactory(is_staff=True, is_superuser=True))


def test_the_admin_lists_no_names_searches_no_names_and_audits_opening_a_participant(campaign, admin_client):
    p = ParticipantFactory(campaign=campaign, full_name="Rosa Diaz", email="rosa@example.net")
    changelist = reverse("admin:participants_participant_changelist")
    listing = admin_client.get(changelist).content.decode()
    assert p.code in listing and "Rosa Diaz" not in listing
    assert p.code not in admin_client.get(changelist, {"q": "Rosa"}).content.decode()
    change = admin_client.get(reverse("admin:participants_participant_change", args=[p.pk]))
    html = change.content.decode()
    assert change.status_code == 200 and 'name="full_name"' not in html and 'name="is_minor"' not in html
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_IDENTIFIED, detail__page="admin").exists()
    admin_client.post(reverse("admin:participants_participant_delete", args=[p.pk]), {"post": "yes"})
    assert not Participant.objects.filter(pk=p.pk).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, target_id=str(p.pk)).exists()


def test_history_and_overrides_cannot_be_changed_or_deleted_in_the_admin(
    campaign, dims, make_people, lead, admin_client
):
    group = PriorityGroupFactory(campaign=campaign, role="family", target=2)
    group.values.add(dims["yes"])
    override = campaign_override_record(campaign=campaign, reason="Board meets.", by=lead)
    assert (
        admin_client.post(
            reverse("admin:participants_targetoverride_delete", args=[override.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert TargetOverride.objects.filter(pk=override.pk).exists()
    change = admin_client.post(reverse("admin:participants_targetoverride_change", args=[override.pk]), {"reason": "x"})
    assert change.status_code == 403 or TargetOverride.objects.get(pk=override.pk).reason == "Board meets."
    [p] = make_people(1)
    assert StatusChange.objects.filter(participant=p).exists()
    from django.contrib import admin

    assert not admin.site.is_registered(StatusChange)  # only inline, read-only, on the participant's page
