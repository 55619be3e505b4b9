"""What each role can see. An analyst's pages never contain a participant's name or contact."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from participants.access import identity_visible
from participants.factories import ParticipantFactory
from participants.models import Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(campaign, interviewer, dims):
    from participants.models import ParticipantValue

    mine = ParticipantFactory(
        campaign=campaign,
        full_name="Zelda Zorrobright",
        email="zelda@example.net",
        phone="555-0199",
        school="Hidden School",
        assigned_interviewers=[interviewer],
    )
    theirs = ParticipantFactory(campaign=campaign, full_name="Yusuf Unassigned", email="yusuf@example.net")
    for p in (mine, theirs):
        ParticipantValue.objects.create(participant=p, dimension=dims["el"], value=dims["yes"])
    return mine, theirs


def _pages(campaign, people):
    mine, theirs = people
    return [
        reverse("participants:list", args=[campaign.slug]),
        reverse("participants:list", args=[campaign.slug]) + "?value=" + str(people[0].dimension_values.get().value_id),
        reverse("participants:detail", args=[campaign.slug, mine.code]),
        reverse("participants:detail", args=[campaign.slug, theirs.code]),
        reverse("participants:coverage", args=[campaign.slug]),
        reverse("participants:next", args=[campaign.slug]),
        reverse("participants:priorities", args=[campaign.slug]),
        reverse("campaigns:overview", args=[campaign.slug]),
    ]


SECRETS = ["Zelda", "Zorrobright", "zelda@example.net", "555-0199", "Hidden School", "Yusuf", "yusuf@example.net"]


def test_an_analysts_pages_never_contain_names_or_contact_details(campaign, analyst, people, client_for):
    client = client_for(analyst)
    for url in _pages(campaign, people):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for secret in SECRETS:
            assert secret not in html, f"{secret} leaked on {url}"
    # They do see codes, roles and groups.
    html = client.get(reverse("participants:list", args=[campaign.slug])).content.decode()
    assert people[0].code in html and "Family member" in html and "English learner: Yes" in html
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_IDENTIFIED).exists()
    # Searching by name does not work for them (it would reveal who is in the campaign).
    found = client.get(reverse("participants:list", args=[campaign.slug]) + "?q=Zelda")
    assert found.context["page"].paginator.count == 0
    found = client.get(reverse("participants:list", args=[campaign.slug]) + "?q=" + people[0].code)
    assert found.context["page"].paginator.count == 1


def test_an_interviewer_sees_only_their_assigned_participants_identity(campaign, interviewer, people, client_for):
    mine, theirs = people
    client = client_for(interviewer)
    listing = client.get(reverse("participants:list", args=[campaign.slug])).content.decode()
    assert "Zelda Zorrobright" in listing
    assert "Yusuf" not in listing and "yusuf@example.net" not in listing
    detail = client.get(reverse("participants:detail", args=[campaign.slug, mine.code])).content.decode()
    assert "zelda@example.net" in detail and "555-0199" in detail
    other = client.get(reverse("participants:detail", args=[campaign.slug, theirs.code])).content.decode()
    assert "Yusuf" not in other and "yusuf@example.net" not in other
    # Searching by a name they may not see finds nothing.
    found = client.get(reverse("participants:list", args=[campaign.slug]) + "?q=Yusuf").content.decode()
    assert theirs.code not in found
    # They cannot edit or move someone not assigned to them.
    assert client.get(reverse("participants:edit", args=[campaign.slug, theirs.code])).status_code == 403
    url = reverse("participants:status", args=[campaign.slug, theirs.code])
    assert client.post(url, {"status": "invited"}).status_code == 403


def test_a_lead_sees_everyone_and_each_identified_view_is_audited(campaign, lead, people, client_for):
    mine, theirs = people
    client = client_for(lead)
    listing = client.get(reverse("participants:list", args=[campaign.slug])).content.decode()
    assert "Zelda Zorrobright" in listing and "Yusuf Unassigned" in listing
    detail = client.get(reverse("participants:detail", args=[campaign.slug, theirs.code])).content.decode()
    assert "yusuf@example.net" in detail
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW_IDENTIFIED)
    assert (event.actor, event.campaign, event.target_id, event.target_repr) == (
        lead,
        campaign,
        str(theirs.pk),
        theirs.code,
    )


def test_viewers_and_outsiders_get_nothing(campaign, viewer, outsider, people, client_for):
    mine, _theirs = people
    for user, status in ((viewer, 403), (outsider, 404)):
        client = client_for(user)
        for url in _pages(campaign, people)[:-1]:
            assert client.get(url).status_code == status, url
    assert not Participant.objects.visible_to(campaign.memberships.get(user=viewer)).exists()


def test_the_identity_rule(campaign, lead, interviewer, analyst, viewer, outsider, people):
    mine, theirs = people
    m = {u: u.memberships.first() for u in (lead, interviewer, analyst, viewer, outsider)}
    assert identity_visible(m[lead], theirs)
    assert identity_visible(m[interviewer], mine) and not identity_visible(m[interviewer], theirs)
    assert not identity_visible(m[analyst], mine)
    assert not identity_visible(m[viewer], mine)
    assert not identity_visible(m[outsider], mine)  # a lead, but of another campaign
    assert mine.identity_visible_to(m[interviewer])


def test_free_text_is_escaped(campaign, lead, client_for):
    p = ParticipantFactory(campaign=campaign, full_name="<script>alert(1)</script>", note="<b>bold</b>")
    html = client_for(lead).get(reverse("participants:detail", args=[campaign.slug, p.code])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<b>bold</b>" not in html


def test_opening_the_edit_form_is_audited_too(campaign, lead, people, client_for):
    client_for(lead).get(reverse("participants:edit", args=[campaign.slug, people[0].code]))
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW_IDENTIFIED)
    assert event.detail == {"page": "participant_edit"}
