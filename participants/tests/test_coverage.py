import pytest
from django.urls import reverse

from participants.models import Participant
from participants.selectors import coverage
from participants.services import participant_set_status, participant_update

pytestmark = pytest.mark.django_db


def _rows(cov, dimension):
    [d] = [d for d in cov.dimensions if d.dimension == dimension]
    return d, {row.label: row for row in d.rows}


@pytest.fixture
def heard(dims, make_people):
    make_people(10, values=[dims["no"], dims["en"]], status=Participant.Status.INTERVIEWED)
    make_people(2, values=[dims["yes"], dims["es"]], status=Participant.Status.INVITED)
    make_people(2, values=[dims["no"]], status=Participant.Status.INVITED)
    make_people(1, values=[dims["yes"]], status=Participant.Status.DECLINED)
    make_people(3, values=[dims["yes"], dims["vi"]])  # nominated: not counted as invited
    return dims


def test_shares_of_population_invited_and_interviewed(campaign, heard):
    cov = coverage(campaign)
    assert (cov.total, cov.invited, cov.interviewed, cov.pipeline) == (18, 15, 10, 14)
    d, rows = _rows(cov, heard["el"])
    assert d.shares_complete and d.share_total == 100
    yes, no = rows["Yes"], rows["No"]
    assert (yes.invited, yes.invited_share, yes.interviewed, yes.interviewed_share) == (3, 20.0, 0, 0.0)
    assert (no.invited, no.invited_share, no.interviewed, no.interviewed_share) == (12, 80.0, 10, 100.0)
    assert (yes.gap, no.gap) == (-18.0, 18.0)
    assert yes.under_heard and not no.under_heard
    assert "Not recorded" not in rows


def test_shares_are_among_people_whose_value_is_recorded(campaign, heard):
    _d, rows = _rows(coverage(campaign), heard["lang"])
    # 12 invited people have a home language recorded (10 English, 2 Spanish); 3 do not.
    assert (rows["English"].invited_share, rows["Spanish"].invited_share) == (83.3, 16.7)
    assert rows["English"].interviewed_total == 10


def test_a_small_group_is_not_under_heard_before_it_could_be(campaign, dims, make_people):
    # 4 interviews: an 18% group would be 0.7 of an interview, so it is not yet "missing".
    make_people(4, values=[dims["no"]], status=Participant.Status.INTERVIEWED)
    _d, rows = _rows(coverage(campaign), dims["el"])
    assert rows["Yes"].gap == -18.0 and not rows["Yes"].under_heard
    make_people(2, values=[dims["no"]], status=Participant.Status.INTERVIEWED)
    _d, rows = _rows(coverage(campaign), dims["el"])
    assert rows["Yes"].under_heard  # 6 interviews: 1.08 expected, none held


def test_empty_groups_and_unrecorded_values(campaign, heard):
    cov = coverage(campaign)
    _d, rows = _rows(cov, heard["lang"])
    vietnamese = rows["Vietnamese"]  # nobody invited or interviewed yet
    assert (vietnamese.invited, vietnamese.invited_share, vietnamese.interviewed_share) == (0, 0.0, 0.0)
    assert vietnamese.gap == -20.0 and vietnamese.under_heard
    unrecorded = rows["Not recorded"]  # invited people with no home language recorded
    assert (unrecorded.invited, unrecorded.invited_share, unrecorded.gap) == (3, 20.0, None)
    assert not unrecorded.under_heard


def test_shares_that_do_not_sum_to_100_are_flagged_and_used_as_entered(campaign, heard, client_for, lead):
    heard["es"].population_share = 20
    heard["es"].save()
    heard["vi"].population_share = None
    heard["vi"].save()
    cov = coverage(campaign)
    d, rows = _rows(cov, heard["lang"])
    assert d.share_total == 70 and not d.shares_complete
    assert rows["Spanish"].gap == -20.0
    assert rows["Vietnamese"].gap is None and not rows["Vietnamese"].under_heard
    page = client_for(lead).get(reverse("participants:coverage", args=[campaign.slug])).content.decode()
    assert "The population shares add up to 70%, not 100%." in page


def test_under_heard_groups_are_called_out_in_words_marginalized_first(campaign, heard, client_for, analyst):
    cov = coverage(campaign)
    labels = [row.label for _d, row in cov.under_heard]
    assert labels[0] == "Yes"  # the only value flagged as often marginalized
    assert set(labels) == {"Yes", "Spanish", "Vietnamese"}
    page = client_for(analyst).get(reverse("participants:coverage", args=[campaign.slug])).content.decode()
    assert "English learner: Yes</strong>" in page
    assert "18% of the affected population, 0% of interviews (0 of 10)." in page
    assert 'width="20.0%"' in page  # the invited bar for English learners


def test_coverage_with_no_participants(campaign, dims, client_for, lead):
    cov = coverage(campaign)
    assert (cov.total, cov.invited, cov.interviewed) == (0, 0, 0)
    _d, rows = _rows(cov, dims["el"])
    assert rows["Yes"].invited_share is None and rows["Yes"].gap is None
    assert cov.under_heard == []
    page = client_for(lead).get(reverse("participants:coverage", args=[campaign.slug]))
    assert page.status_code == 200
    assert b"No interviews yet" in page.content


def test_coverage_without_dimensions_has_an_empty_state(campaign, client_for, lead):
    page = client_for(lead).get(reverse("participants:coverage", args=[campaign.slug]))
    assert b"Coverage needs equity dimensions" in page.content


def test_coverage_is_computed_in_a_fixed_number_of_queries(campaign, heard, make_people, django_assert_num_queries):
    # dimensions, their values, the counts' inputs, then (not cached yet) totals and per-value counts
    with django_assert_num_queries(5):
        coverage(campaign)
    with django_assert_num_queries(3):  # the counts come from the cache
        coverage(campaign)
    make_people(100, values=[heard["yes"], heard["vi"]], status=Participant.Status.INTERVIEWED)
    with django_assert_num_queries(5):
        cov = coverage(campaign)
    assert cov.interviewed == 110


@pytest.mark.parametrize("size", [5, 200])
def test_coverage_page_runs_a_fixed_number_of_queries(
    campaign, dims, make_people, client_for, lead, django_assert_num_queries, size
):
    from participants.factories import PriorityGroupFactory

    group = PriorityGroupFactory(campaign=campaign, role="family")
    group.values.add(dims["yes"])
    make_people(size, values=[dims["yes"], dims["es"]], status=Participant.Status.INTERVIEWED)
    client = client_for(lead)
    # session, user, membership+campaign, dimensions, values, the counts' inputs, totals,
    # per-value counts, priority groups, their values+dimensions, group counts, session save (3)
    with django_assert_num_queries(14):
        response = client.get(reverse("participants:coverage", args=[campaign.slug]))
    assert response.status_code == 200
    assert f"{size} of 3 interviews" in response.content.decode()
    with django_assert_num_queries(12):  # the next view: totals and per-value counts from the cache
        again = client.get(reverse("participants:coverage", args=[campaign.slug]))
    body = response.content.decode()
    tables = body[body.index("coverage-totals") : body.index("</main>")]
    assert tables in again.content.decode()


# --- The cached counts follow every change they depend on ------------------------------------


def _counts(campaign, dims):
    cov = coverage(campaign)
    _d, rows = _rows(cov, dims["el"])
    return cov.invited, cov.interviewed, rows["Yes"].invited, rows["Yes"].interviewed


def test_counts_follow_a_status_change(campaign, heard, lead):
    before = _counts(campaign, heard)
    person = Participant.objects.filter(status=Participant.Status.INVITED, dimension_values__value=heard["yes"]).first()
    participant_set_status(participant=person, status=Participant.Status.INTERVIEWED, by=lead)
    assert _counts(campaign, heard) == (before[0], before[1] + 1, before[2], before[3] + 1)


def test_counts_follow_a_new_and_a_deleted_participant(campaign, heard, make_people):
    before = _counts(campaign, heard)
    [person] = make_people(1, values=[heard["yes"]], status=Participant.Status.INVITED)
    assert _counts(campaign, heard) == (before[0] + 1, before[1], before[2] + 1, before[3])
    person.delete()
    assert _counts(campaign, heard) == before


def test_counts_follow_a_changed_group(campaign, heard, lead):
    before = _counts(campaign, heard)
    person = Participant.objects.filter(status=Participant.Status.INTERVIEWED).first()
    participant_update(participant=person, by=lead, values={heard["el"].pk: heard["yes"]})
    assert _counts(campaign, heard) == (before[0], before[1], before[2] + 1, before[3] + 1)


def test_counts_follow_a_withdrawal(campaign, heard, lead):
    from consent.services import participant_withdraw

    before = _counts(campaign, heard)
    person = Participant.objects.filter(status=Participant.Status.INTERVIEWED).first()
    participant_withdraw(participant=person, by=lead, note="no longer wishes to take part")
    assert _counts(campaign, heard) == (before[0] - 1, before[1] - 1, before[2], before[3])


def test_counts_of_one_campaign_are_not_served_to_another(campaign, heard, make_people):
    from campaigns.factories import CampaignFactory

    other = CampaignFactory(district=campaign.district)
    coverage(campaign)
    cov = coverage(other)
    assert (cov.total, cov.invited, cov.interviewed) == (0, 0, 0)


def test_the_overview_panel_counts_follow_changes_at_once(campaign, heard, lead, client_for, make_people):
    from consent.services import participant_withdraw

    client = client_for(lead)

    def panel():
        return client.get(campaign.get_absolute_url()).content.decode()

    assert "18 participants · 15 invited · 10 interviewed." in panel()
    [person] = make_people(1, values=[heard["yes"]], status=Participant.Status.INVITED)
    assert "19 participants · 16 invited · 10 interviewed." in panel()
    participant_set_status(participant=person, status=Participant.Status.INTERVIEWED, by=lead)
    assert "19 participants · 16 invited · 11 interviewed." in panel()
    participant_withdraw(participant=person, by=lead, note="changed their mind")
    assert "19 participants · 16 invited · 10 interviewed." in panel()
