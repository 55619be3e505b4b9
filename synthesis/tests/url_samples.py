"""Sample URL keywords for tests/test_url_access.py: real objects in the given campaign."""

from interviews.factories import InterviewFactory, NoteFactory, PredictionFactory
from participants.factories import ParticipantFactory
from synthesis.factories import HighlightFactory, TagFactory, ThemeFactory


def url_samples(campaign, cast):
    participant = ParticipantFactory(campaign=campaign)
    interview = InterviewFactory(campaign=campaign, participant=participant, interviewer=cast["interviewer"])
    note = NoteFactory(interview=interview)
    theme = ThemeFactory(campaign=campaign)
    tag = TagFactory(campaign=campaign)
    highlight = HighlightFactory(note=note, theme=theme, tags=[tag])
    prediction = PredictionFactory(campaign=campaign, author=cast["lead"])
    return {
        "highlight_id": highlight.pk,
        "theme_id": theme.pk,
        "tag_id": tag.pk,
        "prediction_id": prediction.pk,
    }
