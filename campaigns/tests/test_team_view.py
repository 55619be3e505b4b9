import pytest
from django.urls import reverse

from campaigns.models import Role

pytestmark = pytest.mark.django_db


def test_lead_sees_invite_form_and_role_controls(client_for, campaign, lead, interviewer):
    response = client_for(lead).get(reverse("campaigns:team", args=[campaign.slug]))
    assert response.status_code == 200
    assert b"Send invitation" in response.content
    assert interviewer.email.encode() in response.content


def test_analyst_sees_the_team_but_cannot_manage_it(client_for, campaign, lead, analyst):
    response = client_for(analyst).get(reverse("campaigns:team", args=[campaign.slug]))
    assert response.status_code == 200
    assert b"Send invitation" not in response.content
    assert b"Remove" not in response.content


def test_lead_changes_a_role(client_for, campaign, lead, interviewer):
    membership = campaign.memberships.get(user=interviewer)
    url = reverse("campaigns:membership_role", args=[campaign.slug, membership.pk])
    response = client_for(lead).post(url, {f"m{membership.pk}-role": "analyst"}, follow=True)
    assert b"Role updated" in response.content
    membership.refresh_from_db()
    assert membership.role == Role.ANALYST


def test_removing_asks_for_confirmation_first(client_for, campaign, lead, interviewer):
    membership = campaign.memberships.get(user=interviewer)
    url = reverse("campaigns:membership_remove", args=[campaign.slug, membership.pk])
    client = client_for(lead)
    confirm = client.get(url)
    assert b"They will lose access" in confirm.content
    assert campaign.memberships.filter(pk=membership.pk).exists()
    client.post(url)
    assert not campaign.memberships.filter(pk=membership.pk).exists()
    assert client_for(interviewer).get(campaign.get_absolute_url()).status_code == 404


def test_the_last_lead_is_told_why_they_cannot_leave(client_for, campaign, lead):
    membership = campaign.memberships.get(user=lead)
    response = client_for(lead).post(
        reverse("campaigns:membership_remove", args=[campaign.slug, membership.pk]), follow=True
    )
    assert b"at least one lead" in response.content
    assert campaign.memberships.filter(pk=membership.pk).exists()


def test_a_membership_of_another_campaign_is_not_found(client_for, campaign, lead, outsider, other_campaign):
    foreign = other_campaign.memberships.get(user=outsider)
    url = reverse("campaigns:membership_remove", args=[campaign.slug, foreign.pk])
    assert client_for(lead).post(url).status_code == 404


@pytest.mark.parametrize("extra_members", [0, 20])
def test_team_page_query_count_is_fixed(client_for, campaign, lead, django_assert_num_queries, extra_members):
    from campaigns.factories import MembershipFactory

    MembershipFactory.create_batch(extra_members, campaign=campaign)
    client = client_for(lead)
    # session, user, membership+campaign, members+users, pending invitations, session save (3)
    with django_assert_num_queries(8):
        client.get(reverse("campaigns:team", args=[campaign.slug]))
