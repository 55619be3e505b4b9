import importlib

import pytest

from interviews.models import PromptPattern

builtin = importlib.import_module("interviews.migrations.0002_builtin_prompt_patterns")


@pytest.fixture
def builtin_patterns(db):
    """The built-in library, as the data migration loads it (a transactional test elsewhere
    may have flushed the migration's rows)."""
    for position, (text, kind, why) in enumerate(builtin.BUILTIN_PATTERNS):
        PromptPattern.objects.get_or_create(
            campaign=None, text=text, defaults={"kind": kind, "why": why, "position": position}
        )
    return PromptPattern.objects.filter(campaign=None)


@pytest.fixture
def consented():
    """A participant of the campaign with a current consent: `consented(campaign, **fields)`."""
    from consent.factories import ConsentRecordFactory
    from consent.models import ConsentRecord
    from participants.factories import ParticipantFactory

    def make(campaign, **fields):
        participant = ParticipantFactory(campaign=campaign, **fields)
        if participant.is_minor:
            ConsentRecordFactory(participant=participant, kind=ConsentRecord.Kind.GUARDIAN)
            ConsentRecordFactory(participant=participant, kind=ConsentRecord.Kind.ASSENT)
        else:
            ConsentRecordFactory(participant=participant, kind=ConsentRecord.Kind.CONSENT)
        return participant

    return make


@pytest.fixture
def interview(campaign, cast, consented):
    """A scheduled interview run by the cast's interviewer, with a one-prompt guide."""
    from interviews.factories import InterviewFactory, InterviewGuideFactory, PromptFactory

    guide = InterviewGuideFactory(campaign=campaign)
    PromptFactory(guide=guide, text="Tell me about the last time you missed school.")
    participant = consented(campaign, full_name="Rosa Secretname", role="student")
    return InterviewFactory(campaign=campaign, participant=participant, guide=guide, interviewer=cast["interviewer"])
