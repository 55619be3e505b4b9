import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.factories import MembershipFactory
from campaigns.models import Role
from interviews.factories import InterviewFactory
from interviews.models import Interview
from participants.factories import ParticipantFactory


def list_url(campaign, **query):
    url = reverse("interviews:list", args=[campaign.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def soon(hours=24):
    return timezone.now() + datetime.timedelta(hours=hours)


@pytest.fixture
def two_interviews(campaign, cast, consented):
    """One run by the cast's interviewer (participant assigned to them), one by another interviewer."""
    mine = consented(campaign, full_name="Ana Assigned")
    theirs = consented(campaign, full_name="Bo Unassigned")
    mine.assigned_interviewers.add(cast["interviewer"])
    other = MembershipFactory(campaign=campaign, role=Role.INTERVIEWER).user
    return (
        InterviewFactory(campaign=campaign, participant=mine, interviewer=cast["interviewer"], scheduled_at=soon(24)),
        InterviewFactory(campaign=campaign, participant=theirs, interviewer=other, scheduled_at=soon(48)),
    )


def test_identity_follows_the_participants_rule(client_for, cast, campaign, two_interviews):
    mine, theirs = two_interviews
    lead = client_for(cast["lead"]).get(list_url(campaign)).content.decode()
    assert "Ana Assigned" in lead and "Bo Unassigned" in lead
    interviewer = client_for(cast["interviewer"]).get(list_url(campaign)).content.decode()
    assert "Ana Assigned" in interviewer and "Bo Unassigned" not in interviewer
    analyst = client_for(cast["analyst"]).get(list_url(campaign)).content.decode()
    assert "Ana Assigned" not in analyst and "Bo Unassigned" not in analyst
    assert mine.participant.code in analyst and theirs.participant.code in analyst
    assert "Schedule an interview" not in analyst


def test_filter_by_participant_and_team_member_and_past(client_for, cast, campaign, two_interviews):
    mine, theirs = two_interviews
    client = client_for(cast["lead"])
    body = client.get(list_url(campaign, participant=mine.participant.code)).content.decode()
    assert mine.participant.code in body and theirs.participant.code not in body
    body = client.get(list_url(campaign, member=cast["interviewer"].pk)).content.decode()
    assert mine.participant.code in body and theirs.participant.code not in body
    past = InterviewFactory(campaign=campaign, scheduled_at=soon(-72), status=Interview.Status.COMPLETED)
    upcoming = client.get(list_url(campaign)).content.decode()
    assert past.participant.code not in upcoming
    body = client.get(list_url(campaign, when="past")).content.decode()
    assert past.participant.code in body and mine.participant.code not in body


def test_clashes_are_flagged(client_for, cast, campaign, consented):
    a, b = consented(campaign), consented(campaign)
    InterviewFactory(campaign=campaign, participant=a, interviewer=cast["interviewer"], scheduled_at=soon(24))
    InterviewFactory(campaign=campaign, participant=b, interviewer=cast["interviewer"], scheduled_at=soon(24.25))
    body = client_for(cast["lead"]).get(list_url(campaign)).content.decode()
    assert body.count("Clash:") == 2


def test_scheduling_offers_only_consented_participants_and_the_service_enforces_it(
    client_for, cast, campaign, consented
):
    ok = consented(campaign)
    ok.assigned_interviewers.add(cast["interviewer"])  # an interviewer schedules the people assigned to them
    no_consent = ParticipantFactory(campaign=campaign)
    no_consent.assigned_interviewers.add(cast["interviewer"])
    client = client_for(cast["interviewer"])
    url = reverse("interviews:schedule", args=[campaign.slug])
    page = client.get(url).content.decode()
    assert f">{ok.code} · " in page and f">{no_consent.code} · " not in page
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    data = {
        "participant": no_consent.pk,
        "date": tomorrow,
        "time": "09:30",
        "time_zone": "America/Chicago",
        "duration_minutes": 45,
        "mode": "in_person",
        "interviewer": cast["interviewer"].pk,
    }
    assert client.post(url, data).status_code == 200  # refused, form shown again
    assert not Interview.objects.exists()
    response = client.post(url, {**data, "participant": ok.pk}, follow=True)
    interview = Interview.objects.get()
    assert interview.local_scheduled_at.hour == 9 and interview.local_scheduled_at.minute == 30
    assert str(interview.scheduled_at.tzinfo) == "UTC"
    assert "scheduled" in response.content.decode()


def test_cancel_asks_first(client_for, cast, campaign, two_interviews):
    mine, _theirs = two_interviews
    client = client_for(cast["interviewer"])
    url = reverse("interviews:cancel", args=[campaign.slug, mine.pk])
    assert "Cancel this interview?" in client.get(url).content.decode()
    mine.refresh_from_db()
    assert mine.status == Interview.Status.SCHEDULED
    client.post(url, {"reason": "Sick"})
    mine.refresh_from_db()
    assert mine.status == Interview.Status.CANCELLED


def test_only_the_interview_team_or_a_lead_changes_an_interview(client_for, cast, campaign, two_interviews):
    _mine, theirs = two_interviews
    client = client_for(cast["interviewer"])
    for name in ("cancel", "no_show", "reschedule"):
        assert client.post(reverse(f"interviews:{name}", args=[campaign.slug, theirs.pk])).status_code == 403
    assert (
        client_for(cast["lead"]).post(reverse("interviews:no_show", args=[campaign.slug, theirs.pk])).status_code == 302
    )


def test_reschedule_page_shows_the_local_time(client_for, cast, campaign, two_interviews):
    mine, _ = two_interviews
    body = client_for(cast["interviewer"]).get(reverse("interviews:reschedule", args=[campaign.slug, mine.pk]))
    assert mine.local_scheduled_at.strftime("%H:%M") in body.content.decode()


@pytest.mark.parametrize("n", [2, 40])
def test_list_query_budget(client_for, cast, campaign, consented, django_assert_num_queries, n):
    for i in range(n):
        InterviewFactory(
            campaign=campaign,
            participant=consented(campaign),
            interviewer=cast["interviewer"],
            note_taker=cast["lead"],
            scheduled_at=soon(24 + i),
        )
    client = client_for(cast["interviewer"])
    # session, user, membership+campaign, team members (filter form), count, one page of interviews
    # with participant, guide and team joined and identity + clash as subqueries; then the session
    # save (savepoint, update, release)
    with django_assert_num_queries(9):
        assert client.get(list_url(campaign)).status_code == 200
