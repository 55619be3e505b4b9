import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from campaigns import services
from campaigns.factories import MembershipFactory, UserFactory
from campaigns.models import Campaign, IssueStatement, Role

pytestmark = pytest.mark.django_db


def test_campaign_create_makes_the_creator_lead_with_first_statement_and_goals():
    user = UserFactory()
    campaign = services.campaign_create(
        title="Chronic absence",
        policy_context="Letters home after 10 absences.",
        issue_statement="Students who miss school are pushed further away.",
        goals=["Hear 40 students", "  ", "Recommend changes"],
        created_by=user,
    )
    assert campaign.slug == "chronic-absence"
    assert campaign.memberships.get().user == user
    assert campaign.memberships.get().role == Role.LEAD
    statement = campaign.issue_statements.get()
    assert (statement.version, statement.author) == (1, user)
    assert [g.text for g in campaign.goals.all()] == ["Hear 40 students", "Recommend changes"]


def test_slugs_are_unique_and_never_reserved():
    user = UserFactory()
    first = services.campaign_create(title="Survey", policy_context="x", issue_statement="y", created_by=user)
    second = services.campaign_create(title="Survey", policy_context="x", issue_statement="y", created_by=user)
    reserved = services.campaign_create(title="New", policy_context="x", issue_statement="y", created_by=user)
    assert (first.slug, second.slug) == ("survey", "survey-2")
    assert reserved.slug == "new-2"


def test_refining_keeps_every_earlier_version_with_author_time_and_reason(campaign, lead, analyst):
    services.issue_statement_refine(campaign=campaign, text="Second", rationale="Families told us X", author=lead)
    services.issue_statement_refine(campaign=campaign, text="Third", rationale="Students told us Y", author=lead)
    versions = list(campaign.issue_statements.order_by("version").values_list("version", "text", "rationale"))
    assert versions == [
        (1, "First statement.", ""),
        (2, "Second", "Families told us X"),
        (3, "Third", "Students told us Y"),
    ]
    assert campaign.issue_statements.first().author == lead
    assert IssueStatement.objects.filter(campaign=campaign, version=3).get().created_at is not None


def test_an_empty_refinement_is_refused(campaign, lead):
    with pytest.raises(ValidationError):
        services.issue_statement_refine(campaign=campaign, text="   ", rationale="", author=lead)
    assert campaign.issue_statements.count() == 1


def test_the_last_lead_cannot_be_demoted_or_removed(campaign, lead, interviewer):
    membership = campaign.memberships.get(user=lead)
    with pytest.raises(ValidationError):
        services.membership_change_role(membership=membership, role=Role.ANALYST, by=lead)
    with pytest.raises(ValidationError):
        services.membership_remove(membership=membership, by=lead)
    assert campaign.memberships.get(user=lead).role == Role.LEAD


def test_role_changes_and_removals_are_audited(campaign, lead, interviewer):
    membership = campaign.memberships.get(user=interviewer)
    services.membership_change_role(membership=membership, role=Role.ANALYST, by=lead)
    services.membership_remove(membership=membership, by=lead)
    events = list(AuditEvent.objects.for_campaign(campaign).order_by("id").values_list("action", "detail"))
    assert events == [
        (AuditEvent.Action.ROLE_CHANGE, {"from": "interviewer", "to": "analyst"}),
        (AuditEvent.Action.MEMBER_REMOVE, {"role": "analyst"}),
    ]
    assert not campaign.memberships.filter(user=interviewer).exists()


def test_a_second_lead_can_step_down(campaign, lead):
    other = MembershipFactory(campaign=campaign, role=Role.LEAD)
    services.membership_change_role(membership=other, role=Role.VIEWER, by=lead)
    assert Campaign.objects.get(pk=campaign.pk).memberships.leads().count() == 1


def test_for_user_is_the_boundary(campaign, other_campaign, lead, outsider):
    assert list(Campaign.objects.for_user(lead)) == [campaign]
    assert list(Campaign.objects.for_user(outsider)) == [other_campaign]
