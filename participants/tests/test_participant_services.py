import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from campaigns.factories import CampaignFactory, DistrictFactory
from participants.factories import ParticipantFactory
from participants.models import DimensionValue, EquityDimension, Participant, StatusChange
from participants.services import (
    dimension_resync,
    dimensions_add_starter_set,
    participant_create,
    participant_match_person,
    participant_set_status,
    participant_update,
    recent_interview_days,
)

pytestmark = pytest.mark.django_db


def test_codes_continue_the_campaigns_sequence_and_are_per_campaign(campaign, other_campaign, lead):
    first = participant_create(campaign=campaign, by=lead, full_name="A", role="student")
    second = participant_create(campaign=campaign, by=lead, full_name="B", role="student")
    elsewhere = participant_create(campaign=other_campaign, by=lead, full_name="C", role="student")
    assert [first.code, second.code, elsewhere.code] == ["P-001", "P-002", "P-001"]
    assert StatusChange.objects.filter(participant=first, from_status="", to_status="nominated").exists()


def test_codes_are_never_reused_after_a_deletion(campaign, lead):
    first = participant_create(campaign=campaign, by=lead, full_name="A", role="student")
    second = participant_create(campaign=campaign, by=lead, full_name="B", role="student")
    second.delete()
    third = participant_create(campaign=campaign, by=lead, full_name="C", role="student")
    assert (first.code, third.code) == ("P-001", "P-003")


def test_the_same_email_cannot_be_added_twice_to_a_campaign_whatever_its_case(campaign, other_campaign, lead):
    participant_create(campaign=campaign, by=lead, full_name="A", email="Sam@Example.net", role="family")
    with pytest.raises(ValidationError):
        participant_create(campaign=campaign, by=lead, full_name="B", email="sam@example.NET", role="family")
    # The database refuses it too, whoever writes.
    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipantFactory(campaign=campaign, email="SAM@example.net")
    # Another campaign may have the same person; empty emails never clash.
    participant_create(campaign=other_campaign, by=lead, full_name="A", email="sam@example.net", role="family")
    participant_create(campaign=campaign, by=lead, full_name="C", role="family")
    participant_create(campaign=campaign, by=lead, full_name="D", role="family")


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "not-an-email"), ("phone", "call me maybe"), ("phone", "12"), ("preferred_language", "klingon")],
)
def test_contact_details_are_validated(campaign, lead, field, value):
    with pytest.raises(ValidationError) as error:
        participant_create(campaign=campaign, by=lead, full_name="A", role="family", **{field: value})
    assert field in error.value.message_dict
    assert not Participant.objects.exists()


def test_an_interviewer_who_adds_someone_is_assigned_to_them(campaign, interviewer):
    campaign.membership = campaign.memberships.get(user=interviewer)
    participant = participant_create(campaign=campaign, by=interviewer, full_name="A", role="family")
    assert list(participant.assigned_interviewers.all()) == [interviewer]


def test_status_changes_keep_their_history(campaign, lead):
    participant = ParticipantFactory(campaign=campaign)
    for status in ("invited", "consented", "scheduled", "interviewed"):
        participant_set_status(participant=participant, status=status, by=lead, note=f"to {status}")
    history = list(participant.status_changes.order_by("created_at", "id").values_list("from_status", "to_status"))
    assert history == [
        ("nominated", "invited"),
        ("invited", "consented"),
        ("consented", "scheduled"),
        ("scheduled", "interviewed"),
    ]
    assert participant.interviewed_at is not None
    with pytest.raises(ValidationError):
        participant_set_status(participant=participant, status="bogus", by=lead)


def test_role_and_school_dimensions_take_their_values_from_the_fields(campaign, lead):
    dimensions_add_starter_set(campaign=campaign)
    role_dim = campaign.dimensions.get(key="role")
    school = EquityDimension.objects.create(
        campaign=campaign, name="School", key="school", source=EquityDimension.Source.SCHOOL
    )
    lincoln = DimensionValue.objects.create(dimension=school, label="Lincoln Elementary")
    p = participant_create(campaign=campaign, by=lead, full_name="A", role="family", school="lincoln elementary")
    values = {link.dimension_id: link.value for link in p.dimension_values.select_related("value")}
    assert values[role_dim.pk].label == "Family member"
    assert values[school.pk] == lincoln
    # A value added later is picked up by a resync.
    DimensionValue.objects.create(dimension=school, label="Eastside High")
    p2 = participant_create(campaign=campaign, by=lead, full_name="B", role="student", school="Eastside High")
    participant_update(participant=p2, by=lead, school="Lincoln Elementary")
    dimension_resync(dimension=school)
    assert p2.dimension_values.get(dimension=school).value == lincoln


def test_starter_set_is_added_once_and_is_editable(campaign):
    created = dimensions_add_starter_set(campaign=campaign)
    assert {d.key for d in created} >= {"role", "race_ethnicity", "english_learner", "iep", "income", "housing"}
    assert dimensions_add_starter_set(campaign=campaign) == []
    el = campaign.dimensions.get(key="english_learner")
    assert el.values.get(label="Yes").often_marginalized


def test_people_from_earlier_campaigns_of_the_district_are_recognised_by_email(lead):
    district = DistrictFactory()
    earlier = CampaignFactory(district=district)
    current = CampaignFactory(district=district)
    elsewhere = CampaignFactory(district=DistrictFactory(slug="other-district", name="Other"))
    before = participant_create(campaign=earlier, by=lead, full_name="Rosa", email="rosa@example.net", role="family")
    participant_set_status(participant=before, status="interviewed", by=lead)
    other_district = participant_create(
        campaign=elsewhere, by=lead, full_name="Rosa", email="rosa@example.net", role="family"
    )
    now = participant_create(campaign=current, by=lead, full_name="Rosa D.", email="ROSA@example.net", role="family")
    before.refresh_from_db()
    other_district.refresh_from_db()
    assert now.person_id is not None and now.person_id == before.person_id
    assert other_district.person_id is None

    annotated = Participant.objects.with_history(90).get(pk=now.pk)
    assert annotated.earlier_campaigns == 1 and annotated.earlier_interviews == 1
    assert annotated.recently_interviewed
    assert not annotated.derived_not_usually_asked
    # Interviewed long ago: no longer protected, still not "not usually asked".
    Participant.objects.filter(pk=before.pk).update(interviewed_at=before.interviewed_at.replace(year=2000))
    annotated = Participant.objects.with_history(90).get(pk=now.pk)
    assert not annotated.recently_interviewed and annotated.earlier_interviews == 1


def test_a_lead_matches_people_with_different_emails(lead):
    district = DistrictFactory()
    earlier = CampaignFactory(district=district)
    current = CampaignFactory(district=district)
    before = participant_create(campaign=earlier, by=lead, full_name="Thanh Vo", role="family")
    now = participant_create(campaign=current, by=lead, full_name="Thanh Vo", email="t@example.net", role="family")
    assert now.person_id is None
    participant_match_person(participant=now, earlier=before, by=lead)
    before.refresh_from_db()
    assert before.person_id == now.person_id is not None
    with pytest.raises(ValidationError):
        participant_match_person(participant=now, earlier=now, by=lead)


def test_protection_period_comes_from_campaign_then_district_then_default(campaign, lead):
    from participants.models import SelectionRule

    assert recent_interview_days(campaign) == 90
    SelectionRule.objects.create(district=campaign.district, recent_interview_days=120)
    assert recent_interview_days(campaign) == 120
    SelectionRule.objects.create(campaign=campaign, recent_interview_days=30)
    assert recent_interview_days(campaign) == 30
