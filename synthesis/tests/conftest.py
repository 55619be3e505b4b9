import pytest

from consent.factories import ConsentRecordFactory
from consent.models import ConsentRecord
from interviews.factories import InterviewFactory, NoteFactory
from participants.factories import ParticipantFactory


@pytest.fixture
def make_note(campaign, interviewer):
    """A note by a consented participant (one interview per participant), e.g.
    make_note("The bus never came.", role="student")."""
    interviews = {}

    def make(body="The bus stopped coming to our street in October.", participant=None, role="family", **kwargs):
        if participant is None:
            participant = ParticipantFactory(campaign=campaign, role=role, status="interviewed")
            ConsentRecordFactory(participant=participant, kind=ConsentRecord.Kind.CONSENT, may_quote=True)
        interview = interviews.get(participant.pk)
        if interview is None:
            interview = interviews[participant.pk] = InterviewFactory(
                campaign=campaign, participant=participant, interviewer=interviewer
            )
        return NoteFactory(interview=interview, body=body, **kwargs)

    return make


def withdraw(participant):
    ConsentRecordFactory(participant=participant, kind=ConsentRecord.Kind.WITHDRAWAL)
