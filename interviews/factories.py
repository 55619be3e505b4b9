import factory

from campaigns.factories import CampaignFactory, UserFactory

from .models import InterviewGuide, Prediction, Prompt, PromptPattern


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
