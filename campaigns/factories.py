import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from .models import Campaign, District, Goal, IssueStatement, Membership, Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ["slug"]

    name = "Test District"
    slug = "test-district"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    policy_context = "A policy that affects students and families."
    district = factory.SubFactory(DistrictFactory)

    @factory.post_generation
    def statement(self, create, extracted, **kwargs):
        if create:
            IssueStatement.objects.create(campaign=self, version=1, text=extracted or "First statement.")


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    campaign = factory.SubFactory(CampaignFactory)
    text = factory.Sequence(lambda n: f"Goal {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    campaign = factory.SubFactory(CampaignFactory)
    role = Role.INTERVIEWER
