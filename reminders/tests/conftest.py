import pytest

from campaigns.factories import MembershipFactory, UserFactory
from campaigns.models import Role
from interviews.models import InterviewGuide, Prompt
from reminders.factories import InterviewFactory, consented_participant, statement


@pytest.fixture
def note_taker(campaign):
    return MembershipFactory(
        campaign=campaign, role=Role.INTERVIEWER, user=UserFactory(email="notes@test.org", full_name="Noor Taker")
    ).user


@pytest.fixture
def guide(campaign):
    guide = InterviewGuide.objects.create(campaign=campaign, title="Attendance guide")
    Prompt.objects.create(guide=guide, kind=Prompt.Kind.OPENING, text="Tell me about your mornings.", position=0)
    Prompt.objects.create(guide=guide, kind=Prompt.Kind.CORE, text="Tell me about the last time you missed school.")
    return guide


@pytest.fixture
def participant(campaign):
    statement(campaign, "en")
    statement(campaign, "es", why="Para escuchar a las familias.", raw_notes_access="Las dos entrevistadoras.")
    return consented_participant(campaign)


@pytest.fixture
def interview(campaign, participant, interviewer, note_taker, guide):
    return InterviewFactory(
        campaign=campaign, participant=participant, interviewer=interviewer, note_taker=note_taker, guide=guide
    )
