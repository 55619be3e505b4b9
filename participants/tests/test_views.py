import pytest
from django.urls import reverse

from audit.models import AuditEvent
from campaigns.models import Campaign
from participants.factories import ParticipantFactory, PriorityGroupFactory
from participants.models import EquityDimension, Participant, PriorityGroup, TargetOverride
from participants.services import campaign_override_record, synthesis_blockers, synthesis_gate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [5, 200])
def test_list_runs_a_fixed_number_of_queries(
    campaign, dims, make_people, client_for, lead, django_assert_num_queries, size
):
    make_people(size, values=[dims["yes"], dims["es"]], status=Participant.Status.INVITED, school="Lincoln")
    client = client_for(lead)
    # session, user, membership+campaign, dimensions, values, selection rule, count, page,
    # the page's values+dimensions, then the session save (3)
    with django_assert_num_queries(12):
        response = client.get(reverse("participants:list", args=[campaign.slug]) + "?status=invited")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == size


@pytest.mark.parametrize("size", [5, 200])
def test_detail_runs_a_fixed_number_of_queries(
    campaign, dims, make_people, client_for, lead, django_assert_num_queries, size
):
    people = make_people(size, values=[dims["yes"], dims["es"]])
    target = people[-1]
    for _ in range(3):
        ParticipantFactory(campaign=campaign)
    client = client_for(lead)
    # session, user, membership+campaign, selection rule, participant (with history), values,
    # status history, assigned interviewers, audit insert, match candidates (exists), team for
    # the assign form, then the session save (3)
    with django_assert_num_queries(14):
        response = client.get(reverse("participants:detail", args=[campaign.slug, target.code]))
    assert response.status_code == 200


def test_filters(campaign, dims, make_people, client_for, lead):
    make_people(3, values=[dims["yes"]], status=Participant.Status.INVITED)
    make_people(2, values=[dims["no"]], most_directly_impacted=True)
    make_people(1, role="teacher", school="Eastside High", is_minor=True)
    client = client_for(lead)
    url = reverse("participants:list", args=[campaign.slug])

    def count(query):
        return client.get(url + query).context["page"].paginator.count

    assert count("") == 6
    assert count("?status=invited") == 3
    assert count(f"?value={dims['yes'].pk}") == 3
    assert count("?flag=impacted") == 2
    assert count("?role=teacher") == 1
    assert count("?school=eastside") == 1
    assert count("?flag=minor") == 1
    assert count("?flag=not_usually_asked") == 6  # nobody was asked in an earlier campaign
    assert count("?q=Person 1") == 1
    assert count("?q=P-002") == 1
    assert count("?status=interviewed") == 0


def test_list_paginates_and_answers_htmx_with_the_table(campaign, make_people, client_for, lead):
    make_people(30)
    client = client_for(lead)
    url = reverse("participants:list", args=[campaign.slug])
    page2 = client.get(url + "?page=2")
    assert len(page2.context["page"].object_list) == 5
    partial = client.get(url + "?role=family", headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="participant-table">') and "<html" not in body


def test_empty_states(campaign, client_for, lead):
    client = client_for(lead)
    assert b"No participants yet" in client.get(reverse("participants:list", args=[campaign.slug])).content
    assert b"No one is waiting to be invited" in client.get(reverse("participants:next", args=[campaign.slug])).content
    assert b"No priority groups yet" in client.get(reverse("participants:priorities", args=[campaign.slug])).content
    assert b"No dimensions yet" in client.get(reverse("participants:dimensions", args=[campaign.slug])).content


def test_add_a_participant_with_dimension_values(campaign, dims, client_for, interviewer):
    client = client_for(interviewer)
    url = reverse("participants:add", args=[campaign.slug])
    data = {
        "full_name": "Lan Do",
        "email": "lan@example.net",
        "phone": "+1 (555) 010-2000",
        "role": "family",
        "preferred_language": "vi",
        f"dim_{dims['el'].pk}": dims["yes"].pk,
        f"dim_{dims['lang'].pk}": dims["vi"].pk,
    }
    response = client.post(url, data)
    lan = Participant.objects.get(email="lan@example.net")
    assert response.status_code == 302 and response.url == lan.get_absolute_url()
    assert {link.value for link in lan.dimension_values.all()} == {dims["yes"], dims["vi"]}
    assert interviewer in lan.assigned_interviewers.all()
    # The same email again, in another case, is refused with a clear message.
    again = client.post(url, {**data, "email": "LAN@example.net", "full_name": "Other"})
    assert again.status_code == 200
    assert "P-001 already has this email in this campaign." in again.content.decode()
    bad = client.post(url, {**data, "email": "nope", "phone": "x"})
    assert bad.context["form"].errors.keys() == {"email", "phone"}


def test_edit_and_status_change(campaign, dims, client_for, lead):
    p = ParticipantFactory(campaign=campaign, full_name="Old Name", role="family")
    client = client_for(lead)
    response = client.post(
        reverse("participants:edit", args=[campaign.slug, p.code]),
        {"full_name": "New Name", "role": "student", "preferred_language": "es", f"dim_{dims['el'].pk}": dims["no"].pk},
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.full_name, p.role, p.dimension_values.get().value) == ("New Name", "student", dims["no"])
    client.post(reverse("participants:status", args=[campaign.slug, p.code]), {"status": "invited", "note": "By phone"})
    p.refresh_from_db()
    assert p.status == "invited"
    html = client.get(p.get_absolute_url()).content.decode()
    assert "By phone" in html and "Invited" in html


def test_dimensions_starter_set_edit_and_delete(campaign, client_for, lead, make_people):
    client = client_for(lead)
    client.post(reverse("participants:dimension_starter", args=[campaign.slug]))
    assert campaign.dimensions.count() == 7
    el = campaign.dimensions.get(key="english_learner")
    yes, no = el.values.order_by("position")
    data = {
        "name": "English learner status",
        "key": "english_learner",
        "source": "custom",
        "often_marginalized": "on",
        "values-TOTAL_FORMS": "3",
        "values-INITIAL_FORMS": "2",
        "values-MIN_NUM_FORMS": "0",
        "values-MAX_NUM_FORMS": "1000",
        "values-0-id": yes.pk,
        "values-0-label": "Yes",
        "values-0-population_share": "18.5",
        "values-0-often_marginalized": "on",
        "values-1-id": no.pk,
        "values-1-label": "No",
        "values-1-population_share": "81.5",
        "values-2-label": "Former English learner",
        "values-2-population_share": "",
    }
    response = client.post(reverse("participants:dimension_edit", args=[campaign.slug, el.pk]), data)
    assert response.status_code == 302, response.context["values"].errors
    el.refresh_from_db()
    assert el.name == "English learner status"
    assert [(v.label, v.population_share) for v in el.values.all()] == [
        ("Yes", 18.5),
        ("No", 81.5),
        ("Former English learner", None),
    ]
    bad = client.post(
        reverse("participants:dimension_edit", args=[campaign.slug, el.pk]),
        {**data, "values-0-population_share": "120"},
    )
    assert bad.status_code == 200
    confirm = client.get(reverse("participants:dimension_delete", args=[campaign.slug, el.pk]))
    assert b"Delete" in confirm.content and EquityDimension.objects.filter(pk=el.pk).exists()
    client.post(reverse("participants:dimension_delete", args=[campaign.slug, el.pk]))
    assert not EquityDimension.objects.filter(pk=el.pk).exists()


def test_selection_rule_page(campaign, client_for, lead):
    client = client_for(lead)
    client.post(reverse("participants:selection_rule", args=[campaign.slug]), {"recent_interview_days": "30"})
    assert campaign.selection_rule.recent_interview_days == 30
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SETTINGS_CHANGE, detail__recent_interview_days=30)


# --- Priority groups and the synthesis gate ---------------------------------------------------


def _settings_data(campaign, status):
    return {
        "campaign-title": campaign.title,
        "campaign-policy_context": campaign.policy_context,
        "campaign-status": status,
        "goals-TOTAL_FORMS": "0",
        "goals-INITIAL_FORMS": "0",
        "goals-MIN_NUM_FORMS": "0",
        "goals-MAX_NUM_FORMS": "1000",
    }


def test_priority_groups_count_interviews_of_people_in_the_group(campaign, dims, make_people):
    group = PriorityGroupFactory(campaign=campaign, name="Families of ELs", role="family", target=3)
    group.values.add(dims["yes"])
    spanish_or_vietnamese = PriorityGroupFactory(campaign=campaign, name="ES or VI", role="", target=1)
    spanish_or_vietnamese.values.add(dims["es"], dims["vi"])
    make_people(2, values=[dims["yes"], dims["es"]], status=Participant.Status.INTERVIEWED)
    make_people(1, values=[dims["yes"]], status=Participant.Status.INTERVIEWED, role="student")  # wrong role
    make_people(1, values=[dims["no"]], status=Participant.Status.INTERVIEWED)  # wrong value
    make_people(1, values=[dims["yes"]], status=Participant.Status.SCHEDULED)  # not yet interviewed
    unmet = synthesis_gate(campaign)
    assert [(u.group.name, u.interviewed, u.missing) for u in unmet] == [("Families of ELs", 2, 1)]


def test_synthesis_is_blocked_until_targets_are_met_or_overridden(
    campaign, dims, make_people, client_for, lead, analyst
):
    campaign.status = Campaign.Status.INTERVIEWING
    campaign.save()
    group = PriorityGroupFactory(campaign=campaign, name="Families of ELs", role="family", target=2)
    group.values.add(dims["yes"])
    make_people(1, values=[dims["yes"]], status=Participant.Status.INTERVIEWED)
    client = client_for(lead)
    settings_url = reverse("campaigns:settings", args=[campaign.slug])
    response = client.post(settings_url, _settings_data(campaign, "synthesizing"))
    assert response.status_code == 200
    assert "Priority targets are not met yet: Families of ELs (1/2)." in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.INTERVIEWING

    # An empty reason is refused; a real one is recorded, audited and shown on the overview.
    override_url = reverse("participants:override", args=[campaign.slug])
    assert client.post(override_url, {"reason": "  "}).status_code == 400
    client.post(override_url, {"reason": "The board meets next week; two more families are scheduled."})
    override = TargetOverride.objects.get()
    assert override.unmet == [{"group_id": group.pk, "group": "Families of ELs", "target": 2, "interviewed": 1}]
    event = AuditEvent.objects.get(action=AuditEvent.Action.OVERRIDE)
    assert event.actor == lead and "board meets" in event.detail["reason"]
    assert synthesis_blockers(campaign) == []

    response = client.post(settings_url, _settings_data(campaign, "synthesizing"))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SYNTHESIZING
    overview = client_for(analyst).get(campaign.get_absolute_url()).content.decode()
    assert "Priority targets overridden" in overview and "two more families are scheduled" in overview


def test_met_targets_let_the_campaign_move_on(campaign, dims, make_people, client_for, lead):
    group = PriorityGroupFactory(campaign=campaign, role="family", target=2)
    group.values.add(dims["yes"])
    make_people(2, values=[dims["yes"]], status=Participant.Status.INTERVIEWED)
    response = client_for(lead).post(
        reverse("campaigns:settings", args=[campaign.slug]), _settings_data(campaign, "synthesizing")
    )
    assert response.status_code == 302
    assert not TargetOverride.objects.exists()
    assert campaign_override_record  # the service exists for other callers


def test_priority_group_pages(campaign, dims, client_for, lead):
    client = client_for(lead)
    response = client.post(
        reverse("participants:priority_add", args=[campaign.slug]),
        {"name": "Families of ELs", "role": "family", "values": [dims["yes"].pk], "target": "8"},
    )
    assert response.status_code == 302
    group = PriorityGroup.objects.get()
    assert (group.target, list(group.values.all())) == (8, [dims["yes"]])
    neither = client.post(reverse("participants:priority_add", args=[campaign.slug]), {"name": "X", "target": "1"})
    assert "Choose a role, one or more values, or both." in neither.content.decode()
    page = client.get(reverse("participants:priorities", args=[campaign.slug])).content.decode()
    assert "0 of 8" in page and "English learner: Yes" in page
    client.post(reverse("participants:priority_delete", args=[campaign.slug, group.pk]))
    assert not PriorityGroup.objects.exists()


def test_reinviting_someone_interviewed_recently_needs_a_confirmation(campaign, client_for, lead):
    from campaigns.factories import CampaignFactory
    from participants.services import participant_create, participant_set_status

    earlier = CampaignFactory(district=campaign.district)
    before = participant_create(campaign=earlier, by=lead, full_name="Rosa", email="rosa@example.net", role="family")
    participant_set_status(participant=before, status="interviewed", by=lead)
    rosa = participant_create(campaign=campaign, by=lead, full_name="Rosa", email="rosa@example.net", role="family")
    client = client_for(lead)
    page = client.get(rosa.get_absolute_url()).content.decode()
    assert "Interviewed in another campaign of the district on" in page
    url = reverse("participants:status", args=[campaign.slug, rosa.code])
    response = client.post(url, {"status": "invited"}, follow=True)
    assert "Tick “invite anyway”" in response.content.decode()
    rosa.refresh_from_db()
    assert rosa.status == "nominated"
    client.post(url, {"status": "invited", "confirm_recent": "on"})
    rosa.refresh_from_db()
    assert rosa.status == "invited"


def test_a_lead_matches_someone_from_an_earlier_campaign_on_the_page(campaign, client_for, lead):
    from campaigns.factories import CampaignFactory
    from participants.services import participant_create

    earlier = CampaignFactory(district=campaign.district, title="Family engagement")
    earlier.memberships.create(user=lead, role="lead")  # candidates come from campaigns the lead leads
    before = participant_create(campaign=earlier, by=lead, full_name="Thanh Vo", role="family")
    now = participant_create(campaign=campaign, by=lead, full_name="thanh vo", email="t@example.net", role="family")
    client = client_for(lead)
    page = client.get(now.get_absolute_url()).content.decode()
    assert "Thanh Vo — P-001, Family engagement" in page
    client.post(reverse("participants:match", args=[campaign.slug, now.code]), {"match-earlier": before.pk})
    now.refresh_from_db()
    before.refresh_from_db()
    assert now.person_id == before.person_id is not None
    page = client.get(now.get_absolute_url()).content.decode()
    assert "Family engagement: P-001" in page


def test_a_name_search_is_not_pushed_into_the_address_bar(campaign, make_people, client_for, lead):
    make_people(2)
    client = client_for(lead)
    url = reverse("participants:list", args=[campaign.slug])
    searched = client.get(url + "?q=Person", headers={"HX-Request": "true"})
    assert searched["HX-Push-Url"] == "false"
    filtered = client.get(url + "?role=family", headers={"HX-Request": "true"})
    assert "HX-Push-Url" not in filtered
