import factory

from interviews.factories import NoteFactory

from .models import Highlight, RootCause, Tag, Theme


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    campaign = factory.SubFactory("campaigns.factories.CampaignFactory")
    name = factory.Sequence(lambda n: f"tag {n}")


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    campaign = factory.SubFactory("campaigns.factories.CampaignFactory")
    title = factory.Sequence(lambda n: f"Theme {n}")
    position = factory.Sequence(lambda n: n)


class HighlightFactory(factory.django.DjangoModelFactory):
    """A highlight of the first words of a note (tests only; the app goes through services)."""

    class Meta:
        model = Highlight
        skip_postgeneration_save = True

    note = factory.SubFactory(NoteFactory)
    campaign = factory.SelfAttribute("note.campaign")
    participant = factory.SelfAttribute("note.participant")
    start = 0
    end = factory.LazyAttribute(lambda o: min(len(o.note.body), 40))
    quote = factory.LazyAttribute(lambda o: o.note.body[o.start : o.end])
    note_version = factory.SelfAttribute("note.version")

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class RootCauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RootCause

    theme = factory.SubFactory(ThemeFactory)
    category = RootCause.Category.POLICIES
    statement = factory.Sequence(lambda n: f"Bus routes were cut to save money ({n})")
