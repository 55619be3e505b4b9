import datetime
import uuid

import factory
from django.utils import timezone

from campaigns.factories import CampaignFactory, UserFactory
from participants.factories import ParticipantFactory

from .models import Interview, InterviewGuide, Note, Prediction, Prompt, PromptPattern


class InterviewGuideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterviewGuide

    campaign = factory.SubFactory(CampaignFactory)
    title = factory.Sequence(lambda n: f"Guide {n}")
    introduction = "We are listening to learn what gets in the way of coming to school."


class PromptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prompt

    guide = factory.SubFactory(InterviewGuideFactory)
    kind = Prompt.Kind.CORE
    text = factory.Sequence(lambda n: f"Tell me about the last time you missed school ({n}).")
    position = factory.Sequence(lambda n: n)


class PromptPatternFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromptPattern

    campaign = factory.SubFactory(CampaignFactory)
    text = factory.Sequence(lambda n: f"What do you wish your teachers knew about {{topic}} ({n})?")
    kind = Prompt.Kind.CORE


class PredictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prediction

    campaign = factory.SubFactory(CampaignFactory)
    author = factory.SubFactory(UserFactory)
    text = factory.Sequence(lambda n: f"Transportation is the main barrier ({n})")
    position = factory.Sequence(lambda n: n)


class InterviewFactory(factory.django.DjangoModelFactory):
    """An interview written directly (tests only; the app schedules through interviews.services)."""

    class Meta:
        model = Interview

    campaign = factory.SubFactory(CampaignFactory)
    participant = factory.SubFactory(ParticipantFactory, campaign=factory.SelfAttribute("..campaign"))
    guide = None
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2))
    time_zone = "America/Chicago"
    duration = datetime.timedelta(minutes=45)
    interviewer = factory.SubFactory(UserFactory)
    mode = Interview.Mode.IN_PERSON
    place_or_link = "Room 104"


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    interview = factory.SubFactory(InterviewFactory)
    campaign = factory.SelfAttribute("interview.campaign")
    participant = factory.SelfAttribute("interview.participant")
    kind = Note.Kind.QUOTE
    body = factory.Sequence(lambda n: f"The bus stopped coming to our street in October ({n}).")
    author = factory.SelfAttribute("interview.interviewer")
    client_id = factory.LazyFunction(uuid.uuid4)
