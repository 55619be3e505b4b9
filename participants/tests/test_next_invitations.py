import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.factories import CampaignFactory
from participants.models import Participant
from participants.selectors import coverage, explain_score, next_invitations
from participants.services import participant_create, participant_set_status

pytestmark = pytest.mark.django_db


def _ranked(campaign, days=90):
    cov = coverage(campaign)
    return list(next_invitations(campaign, campaign.memberships.get(role="lead"), cov, days)), cov


def test_people_who_close_the_widest_gaps_come_first(campaign, lead, dims, make_people):
    # The pipeline so far: 4 non-English-learner English speakers.
    make_people(4, values=[dims["no"], dims["en"]], status=Participant.Status.INTERVIEWED)
    el_spanish = make_people(1, values=[dims["yes"], dims["es"]])[0]
    el_only = make_people(1, values=[dims["yes"]])[0]
    spanish_only = make_people(1, values=[dims["es"]])[0]
    english = make_people(1, values=[dims["no"], dims["en"]])[0]
    ranked, cov = _ranked(campaign)
    assert [p.code for p in ranked] == [el_spanish.code, spanish_only.code, el_only.code, english.code]
    # English learner Yes: 18 points short, ×1.5 (often marginalized) = 27; Spanish: 30 points short.
    weights = cov.weights()
    assert weights == {dims["yes"].pk: 27.0, dims["es"].pk: 30.0, dims["vi"].pk: 20.0}
    top = ranked[0]
    assert top.gap_score == 57.0
    labels = {dims["yes"].pk: "English learner: Yes", dims["es"].pk: "Home language: Spanish"}
    # No flags typed, but never asked before in the district: derived "not usually asked" adds 5.
    assert explain_score(top, weights, labels) == [
        ("Home language: Spanish", 30.0),
        ("English learner: Yes", 27.0),
        ("Not usually asked", 5),
    ]
    assert top.score == 62.0


def test_flags_add_to_the_score(campaign, lead, dims, make_people):
    plain = make_people(1)[0]
    impacted = make_people(1, most_directly_impacted=True)[0]
    ranked, _cov = _ranked(campaign)
    assert [p.code for p in ranked] == [impacted.code, plain.code]
    assert ranked[0].score - ranked[1].score == 10


def test_only_nominated_people_are_ranked(campaign, dims, make_people):
    make_people(2, values=[dims["yes"]], status=Participant.Status.INVITED)
    make_people(1, values=[dims["yes"]], status=Participant.Status.DECLINED)
    waiting = make_people(1)
    ranked, _ = _ranked(campaign)
    assert [p.pk for p in ranked] == [waiting[0].pk]


def test_recently_interviewed_people_are_ranked_last_and_flagged(campaign, lead, dims, make_people):
    earlier = CampaignFactory(district=campaign.district)
    before = participant_create(campaign=earlier, by=lead, full_name="Rosa", email="rosa@example.net", role="family")
    participant_set_status(participant=before, status="interviewed", by=lead)
    rosa = participant_create(
        campaign=campaign, by=lead, full_name="Rosa", email="rosa@example.net", role="family",
        values={dims["el"].pk: dims["yes"]}, most_directly_impacted=True,
    )  # fmt: skip
    other = make_people(1)[0]
    ranked, _ = _ranked(campaign)
    assert [p.pk for p in ranked] == [other.pk, rosa.pk]
    assert ranked[1].recently_interviewed and ranked[1].score > ranked[0].score
    # Outside the protection period they compete normally.
    Participant.objects.filter(pk=before.pk).update(interviewed_at=timezone.now() - timezone.timedelta(days=100))
    ranked, _ = _ranked(campaign)
    assert ranked[0].pk == rosa.pk and not ranked[0].recently_interviewed


def test_a_lead_invites_in_one_action_with_a_guard_for_recent_interviews(campaign, lead, dims, make_people, client_for):
    earlier = CampaignFactory(district=campaign.district)
    before = participant_create(campaign=earlier, by=lead, full_name="Rosa", email="rosa@example.net", role="family")
    participant_set_status(participant=before, status="interviewed", by=lead)
    rosa = participant_create(campaign=campaign, by=lead, full_name="Rosa", email="rosa@example.net", role="family")
    a, b = make_people(2)
    client = client_for(lead)
    url = reverse("participants:invite", args=[campaign.slug])
    response = client.post(url, {"code": [a.code, b.code, rosa.code]}, follow=True)
    assert "were interviewed in the district in the last 90 days" in response.content.decode()
    assert not Participant.objects.filter(status="invited").exists()
    client.post(url, {"code": [a.code, b.code, rosa.code], "confirm_recent": "1"})
    assert set(Participant.objects.filter(status="invited").values_list("code", flat=True)) == {
        a.code,
        b.code,
        rosa.code,
    }
    assert a.status_changes.filter(to_status="invited", by=lead).exists()


@pytest.mark.parametrize("size", [5, 200])
def test_next_invitations_page_runs_a_fixed_number_of_queries(
    campaign, dims, make_people, client_for, lead, django_assert_num_queries, size
):
    make_people(3, values=[dims["no"], dims["en"]], status=Participant.Status.INTERVIEWED)
    make_people(size, values=[dims["yes"], dims["es"]], most_directly_impacted=True)
    client = client_for(lead)
    # session, user, membership+campaign, selection rule, dimensions, values, the counts' inputs,
    # totals, per-value counts, count, ranked page, the page's values, then the session save (3)
    with django_assert_num_queries(15):
        response = client.get(reverse("participants:next", args=[campaign.slug]))
    assert response.status_code == 200
    assert "Home language: Spanish" in response.content.decode()
    with django_assert_num_queries(13):  # the coverage counts now come from the cache
        client.get(reverse("participants:next", args=[campaign.slug]))
