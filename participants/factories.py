import factory

from campaigns.factories import CampaignFactory

from .models import DimensionValue, EquityDimension, Participant, PriorityGroup


class ParticipantFactory(factory.django.DjangoModelFactory):
    """A participant with the next free code in its campaign (P-001, P-002, …)."""

    class Meta:
        model = Participant
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"participant{n}@example.net")
    role = Participant.Role.FAMILY
    preferred_language = "en"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        campaign = kwargs["campaign"]
        if "number" not in kwargs:
            last = Participant.objects.filter(campaign=campaign).order_by("-number").values_list("number", flat=True)
            kwargs["number"] = (last.first() or 0) + 1
        kwargs.setdefault("code", Participant.code_for(kwargs["number"]))
        return super()._create(model_class, *args, **kwargs)

    @factory.post_generation
    def assigned_interviewers(self, create, extracted, **kwargs):
        if create and extracted:
            self.assigned_interviewers.add(*extracted)


class EquityDimensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EquityDimension

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Dimension {n}")
    key = factory.Sequence(lambda n: f"dimension_{n}")


class DimensionValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DimensionValue

    dimension = factory.SubFactory(EquityDimensionFactory)
    label = factory.Sequence(lambda n: f"Value {n}")


class PriorityGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorityGroup

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Priority group {n}")
    target = 3
