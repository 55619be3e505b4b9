import pytest
from django.urls import reverse

from campaigns.factories import GoalFactory, MembershipFactory
from campaigns.services import issue_statement_refine

pytestmark = pytest.mark.django_db


def test_overview_shows_statement_goals_team_status_and_checklist(client_for, campaign, lead, viewer):
    campaign.checklist_inequity = "By hearing first from families the policy punishes most."
    campaign.save()
    GoalFactory(campaign=campaign, text="Hear 40 students")
    issue_statement_refine(campaign=campaign, text="Refined <b>statement</b>", rationale="we listened", author=lead)
    html = client_for(viewer).get(campaign.get_absolute_url()).content.decode()
    assert "Refined &lt;b&gt;statement&lt;/b&gt;" in html  # user text is escaped
    assert "v2" in html
    assert "Hear 40 students" in html
    assert "By hearing first from families" in html
    assert "Whose perspectives are most critical to hear?" in html
    assert "Not answered yet." in html
    assert lead.email in html or lead.full_name in html
    assert "Planning" in html
    assert "Edit campaign" not in html  # viewers don't manage settings


@pytest.mark.parametrize("size", [1, 25])
def test_overview_runs_a_fixed_number_of_queries(client_for, campaign, lead, django_assert_num_queries, size):
    MembershipFactory.create_batch(size, campaign=campaign)
    GoalFactory.create_batch(size, campaign=campaign)
    for i in range(size):
        issue_statement_refine(campaign=campaign, text=f"v{i}", rationale="", author=lead)
    client = client_for(lead)
    # session, user, membership+campaign, current statement+author, goals, team+users,
    # participants' panel (the latest target override and what its counts depend on, one
    # query; the counts themselves one more until cached), then the session save (3)
    with django_assert_num_queries(11):
        client.get(campaign.get_absolute_url())
    with django_assert_num_queries(10):  # the panel's counts from the cache
        client.get(campaign.get_absolute_url())


@pytest.mark.parametrize("size", [1, 30])
def test_home_lists_my_campaigns_with_a_fixed_number_of_queries(client_for, lead, django_assert_num_queries, size):
    from campaigns.factories import CampaignFactory

    for _ in range(size):
        MembershipFactory(user=lead, campaign=CampaignFactory(), role="interviewer")
    client = client_for(lead)
    # session, user, count, page of memberships+campaigns+districts, consents missing (one
    # grouped query), session save (3)
    with django_assert_num_queries(8):
        response = client.get(reverse("home"))
    assert response.status_code == 200


def test_home_has_an_empty_state(client_for):
    from campaigns.factories import UserFactory

    response = client_for(UserFactory()).get(reverse("home"))
    assert b"You are not on any campaign yet." in response.content


def test_lead_creates_a_campaign_and_becomes_its_lead(client_for):
    from campaigns.factories import UserFactory
    from campaigns.models import Campaign

    user = UserFactory()
    response = client_for(user).post(
        reverse("campaign_create"),
        {
            "title": "Family engagement",
            "policy_context": "Few families attend conferences.",
            "issue_statement": "Families do not take part, and we do not know why.",
            "goals": "Hear 30 families\nRecommend changes",
            "starts_on": "2026-01-10",
            "ends_on": "2026-03-01",
        },
    )
    campaign = Campaign.objects.get(slug="family-engagement")
    assert response.url == campaign.get_absolute_url()
    assert campaign.memberships.get().user == user
    assert campaign.goals.count() == 2


def test_a_rejected_campaign_form_keeps_what_was_typed(client_for):
    from campaigns.factories import UserFactory

    response = client_for(UserFactory()).post(
        reverse("campaign_create"),
        {
            "title": "Kept title",
            "policy_context": "",
            "issue_statement": "x",
            "starts_on": "2026-03-01",
            "ends_on": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert b'value="Kept title"' in response.content
    assert b"end date must be on or after" in response.content
    assert b"This field is required." in response.content


def test_issue_history_shows_every_version_and_leads_refine(client_for, campaign, lead, analyst):
    client = client_for(lead)
    response = client.post(
        reverse("campaigns:issue_refine", args=[campaign.slug]), {"text": "Sharper", "rationale": "Heard from families"}
    )
    assert response.status_code == 302
    html = client_for(analyst).get(reverse("campaigns:issue", args=[campaign.slug])).content.decode()
    assert "Sharper" in html and "First statement." in html and "Heard from families" in html
    assert "Save new version" not in html  # analysts read, leads refine


def test_a_refinement_without_reason_is_refused_and_kept(client_for, campaign, lead):
    response = client_for(lead).post(
        reverse("campaigns:issue_refine", args=[campaign.slug]), {"text": "Keep this text"}
    )
    assert response.status_code == 400
    assert b"Keep this text" in response.content
    assert campaign.issue_statements.count() == 1


def test_settings_save_goals_and_checklist(client_for, campaign, lead):
    data = {
        "campaign-title": campaign.title,
        "campaign-policy_context": "ctx",
        "campaign-status": "interviewing",
        "campaign-starts_on": "",
        "campaign-ends_on": "",
        "campaign-checklist_inequity": "a",
        "campaign-checklist_perspectives": "b",
        "campaign-checklist_next_step": "c",
        "goals-TOTAL_FORMS": "1",
        "goals-INITIAL_FORMS": "0",
        "goals-MIN_NUM_FORMS": "0",
        "goals-MAX_NUM_FORMS": "1000",
        "goals-0-text": "New goal",
    }
    response = client_for(lead).post(reverse("campaigns:settings", args=[campaign.slug]), data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "interviewing"
    assert campaign.checklist_done
    assert list(campaign.goals.values_list("text", flat=True)) == ["New goal"]
