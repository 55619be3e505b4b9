import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.factories import MembershipFactory, UserFactory
from campaigns.models import Role
from consent.factories import ConsentRecordFactory
from consent.models import ConsentRecord
from interviews import hooks, services
from interviews.factories import InterviewFactory, PredictionFactory
from interviews.models import Interview
from participants.factories import ParticipantFactory
from participants.models import Participant

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def when(days=2, hour=9):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=CHICAGO)


def _a_lead(campaign):
    lead = campaign.memberships.leads().first()
    return lead.user if lead else MembershipFactory(campaign=campaign, role=Role.LEAD).user


def schedule(campaign, participant, interviewer, **extra):
    return services.interview_schedule(
        campaign=campaign,
        participant=participant,
        scheduled_at=extra.pop("scheduled_at", when()),
        time_zone="America/Chicago",
        interviewer=interviewer,
        # A lead schedules (an interviewer only schedules people assigned to them: see the tests below).
        by=extra.pop("by", None) or _a_lead(campaign),
        **extra,
    )


def test_scheduling_stores_utc_moves_the_participant_and_assigns_the_team(
    campaign, lead, interviewer, consented, django_capture_on_commit_callbacks
):
    participant = consented(campaign, status=Participant.Status.CONSENTED)
    called = []
    hooks.SCHEDULED.append(called.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            interview = schedule(campaign, participant, interviewer, note_taker=lead)
    finally:
        hooks.SCHEDULED.remove(called.append)
    interview.refresh_from_db()
    assert interview.scheduled_at == when()  # the same instant
    assert interview.scheduled_at.utcoffset() == datetime.timedelta(0)  # stored in UTC
    assert interview.local_scheduled_at.hour == 9 and interview.time_zone == "America/Chicago"
    assert interview.ends_at - interview.scheduled_at == datetime.timedelta(minutes=45)
    assert interview.language == participant.preferred_language
    participant.refresh_from_db()
    assert participant.status == Participant.Status.SCHEDULED
    assert set(participant.assigned_interviewers.all()) == {interviewer, lead}
    assert called == [interview]  # the reminders hook, inside the scheduling transaction


def test_no_interview_without_consent(campaign, interviewer):
    participant = ParticipantFactory(campaign=campaign)
    with pytest.raises(ValidationError, match="has not given consent"):
        schedule(campaign, participant, interviewer)
    assert not Interview.objects.exists()


def test_a_minor_with_guardian_consent_but_no_assent_is_refused(campaign, interviewer):
    participant = ParticipantFactory(campaign=campaign, is_minor=True)
    ConsentRecordFactory(participant=participant, kind=ConsentRecord.Kind.GUARDIAN)
    with pytest.raises(ValidationError, match="minor"):
        schedule(campaign, participant, interviewer)
    assert not Interview.objects.exists()


def test_the_team_must_be_leads_or_interviewers_of_the_campaign(campaign, interviewer, analyst, consented):
    participant = consented(campaign)
    with pytest.raises(ValidationError):
        schedule(campaign, participant, analyst)
    with pytest.raises(ValidationError):
        schedule(campaign, participant, interviewer, note_taker=UserFactory())
    with pytest.raises(ValidationError):
        schedule(campaign, participant, interviewer, note_taker=interviewer)


def test_naive_times_and_unknown_zones_are_refused(campaign, interviewer, consented):
    participant = consented(campaign)
    with pytest.raises(ValidationError):
        schedule(campaign, participant, interviewer, scheduled_at=when().replace(tzinfo=None))
    with pytest.raises(ValidationError):
        services.interview_schedule(
            campaign=campaign,
            participant=participant,
            scheduled_at=when(),
            time_zone="Mars/Olympus",
            interviewer=interviewer,
            by=interviewer,
        )


def test_clashes_same_team_member_or_same_participant_overlapping(campaign, lead, interviewer, consented):
    a, b, c = consented(campaign), consented(campaign), consented(campaign)
    first = schedule(campaign, a, interviewer, scheduled_at=when(hour=9))
    # 9:30 overlaps 9:00–9:45 for the same interviewer
    second = schedule(campaign, b, interviewer, scheduled_at=when(hour=9) + datetime.timedelta(minutes=30))
    assert services.interview_clashes(second) == [first]
    # same participant, other interviewer, overlapping
    third = schedule(campaign, a, lead, scheduled_at=when(hour=9) + datetime.timedelta(minutes=10))
    assert first in services.interview_clashes(third)
    # back to back is not a clash; another person at another time neither
    fourth = schedule(campaign, c, interviewer, scheduled_at=when(hour=9) + datetime.timedelta(minutes=45))
    assert services.interview_clashes(fourth) == [second]
    later = schedule(campaign, c, lead, scheduled_at=when(hour=14))
    assert services.interview_clashes(later) == []
    # a cancelled interview frees the slot
    services.interview_cancel(interview=first, by=lead)
    assert first not in services.interview_clashes(second)


def test_a_note_taker_clash_across_campaigns_is_found(campaign, other_campaign, lead, interviewer, consented):
    MembershipFactory(campaign=other_campaign, user=interviewer, role=Role.INTERVIEWER)
    here = schedule(campaign, consented(campaign), interviewer)
    there = InterviewFactory(
        campaign=other_campaign, interviewer=UserFactory(), note_taker=interviewer, scheduled_at=when()
    )
    assert services.interview_clashes(here) == [there]


def test_cancel_and_no_show_release_the_participant(campaign, interviewer, consented):
    participant = consented(campaign, status=Participant.Status.CONSENTED)
    interview = schedule(campaign, participant, interviewer)
    services.interview_cancel(interview=interview, by=interviewer, reason="Family moved the date")
    participant.refresh_from_db()
    assert participant.status == Participant.Status.CONSENTED
    assert interview.status == Interview.Status.CANCELLED and interview.cancel_reason
    again = schedule(campaign, participant, interviewer)
    services.interview_no_show(interview=again, by=interviewer)
    participant.refresh_from_db()
    assert participant.status == Participant.Status.CONSENTED
    with pytest.raises(ValidationError):
        services.interview_cancel(interview=again, by=interviewer)  # a no-show is final


def test_reschedule_keeps_the_slot_consistent(campaign, interviewer, consented, django_capture_on_commit_callbacks):
    interview = schedule(campaign, consented(campaign), interviewer)
    new = when(days=4, hour=15)
    seen = []
    hooks.RESCHEDULED.append(seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.interview_reschedule(
                interview=interview,
                scheduled_at=new,
                time_zone="Europe/Paris",
                duration=datetime.timedelta(minutes=60),
                place_or_link="Library",
                by=interviewer,
            )
    finally:
        hooks.RESCHEDULED.remove(seen.append)
    interview.refresh_from_db()
    assert interview.scheduled_at == new and interview.ends_at == new + datetime.timedelta(minutes=60)
    assert interview.time_zone == "Europe/Paris" and interview.place_or_link == "Library"
    assert seen == [interview]


def test_complete_with_debrief_marks_the_participant_interviewed(campaign, interviewer, consented):
    participant = consented(campaign, status=Participant.Status.CONSENTED)
    interview = schedule(campaign, participant, interviewer)
    services.interview_start(interview=interview, by=interviewer)
    assert interview.status == Interview.Status.IN_PROGRESS and interview.started_at
    services.interview_complete(
        interview=interview, by=interviewer, top_three="Buses\nLetters\nNight shifts", surprises="x", emotions="y"
    )
    interview.refresh_from_db()
    participant.refresh_from_db()
    assert interview.status == Interview.Status.COMPLETED and interview.debrief_top_three.startswith("Buses")
    assert participant.status == Participant.Status.INTERVIEWED and participant.interviewed_at


def test_starting_needs_consent_still_current(campaign, interviewer, consented):
    participant = consented(campaign)
    interview = schedule(campaign, participant, interviewer)
    ConsentRecordFactory(participant=participant, kind=ConsentRecord.Kind.WITHDRAWAL)
    with pytest.raises(ValidationError, match="withdrew"):
        services.interview_start(interview=interview, by=interviewer)
    interview.refresh_from_db()
    assert interview.status == Interview.Status.SCHEDULED


def test_predictions_lock_when_the_first_interview_starts(campaign, interviewer, consented):
    PredictionFactory(campaign=campaign, author=interviewer)
    interview = schedule(campaign, consented(campaign), interviewer)
    assert not services.predictions_locked(campaign)
    services.interview_start(interview=interview, by=interviewer)
    assert services.predictions_locked(campaign)
