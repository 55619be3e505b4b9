from datetime import timedelta

import factory
from django.utils import timezone

from consent.factories import ConsentRecordFactory, TransparencyStatementFactory
from consent.models import ConsentRecord
from interviews.models import Interview
from participants.factories import ParticipantFactory

from .models import Email, Kind


def consented_participant(campaign, *, email="alma@example.net", language="en", minor=False, recontact=True, **kw):
    """A participant with a current consent (a minor: guardian consent and assent)."""
    participant = ParticipantFactory(
        campaign=campaign, email=email, preferred_language=language, is_minor=minor, full_name="Alma Reyes", **kw
    )
    kinds = [ConsentRecord.Kind.GUARDIAN, ConsentRecord.Kind.ASSENT] if minor else [ConsentRecord.Kind.CONSENT]
    for kind in kinds:
        ConsentRecordFactory(participant=participant, kind=kind, may_recontact=recontact)
    return participant


def statement(campaign, language="en", **kw):
    return TransparencyStatementFactory(campaign=campaign, language=language, **kw)


class InterviewFactory(factory.django.DjangoModelFactory):
    """An interview row as the interviews app stores it (its services add consent checks)."""

    class Meta:
        model = Interview

    campaign = factory.SelfAttribute("participant.campaign")
    participant = factory.SubFactory(ParticipantFactory)
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    time_zone = "America/Chicago"
    duration = timedelta(minutes=45)
    place_or_link = "Room 12, Lincoln Middle School"
    # As interviews.services.interview_schedule does: the participant's preferred language.
    language = factory.LazyAttribute(lambda o: o.participant.preferred_language)
    interviewer = factory.SubFactory("campaigns.factories.UserFactory")


class EmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Email

    kind = Kind.EXPORT_READY
    recipient = factory.Sequence(lambda n: f"person{n}@example.org")
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    message_id = factory.LazyFunction(Email.new_message_id)
    context = factory.LazyFunction(lambda: {"export": "Notes (CSV)", "link": "https://example.org/x"})
