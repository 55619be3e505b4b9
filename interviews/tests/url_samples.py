"""Sample URL keywords for tests/test_url_access.py: real objects in the given campaign."""

from interviews.factories import (
    InterviewFactory,
    InterviewGuideFactory,
    NoteFactory,
    PromptFactory,
    PromptPatternFactory,
)


def url_samples(campaign, cast):
    guide = InterviewGuideFactory(campaign=campaign, title="Sample guide")
    prompt = PromptFactory(guide=guide)
    pattern = PromptPatternFactory(campaign=campaign)
    # The interviewer of the sample interview is the cast's interviewer, who may run it.
    interview = InterviewFactory(campaign=campaign, guide=guide, interviewer=cast["interviewer"])
    note = NoteFactory(interview=interview)
    return {
        "guide_id": guide.pk,
        "prompt_id": prompt.pk,
        "pattern_id": pattern.pk,
        "interview_id": interview.pk,
        "note_id": note.pk,
    }
