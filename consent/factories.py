import datetime

import factory
from django.utils import timezone

from campaigns.factories import CampaignFactory
from participants.factories import ParticipantFactory

from .models import ConsentForm, ConsentRecord, ParticipantLink, TransparencyStatement


class TransparencyStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TransparencyStatement

    campaign = factory.SubFactory(CampaignFactory)
    language = "en"
    why = "To hear from the students and families the attendance policy affects most."
    data_use = "Themes go to the board; nothing affects your grades."
    raw_notes_access = "The two interviewers and the project lead."
    identifying_data = "Your name and phone number, kept apart from the notes."
    anonymization = "Codes instead of names; we report groups."
    retain_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=180))


class ConsentFormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentForm

    campaign = factory.SubFactory(CampaignFactory)
    language = "en"
    statement = factory.LazyAttribute(
        lambda o: (
            TransparencyStatement.objects.filter(campaign=o.campaign, language=o.language).order_by("-version").first()
            or TransparencyStatementFactory(campaign=o.campaign, language=o.language)
        )
    )
    title = "Taking part in an interview"
    body = "Taking part is your choice. You can stop at any time."
    guardian_text = "You agree that your child may be interviewed."
    assent_text = "You do not have to talk to us."


class ConsentRecordFactory(factory.django.DjangoModelFactory):
    """A record written directly (tests only; the app writes through consent.services)."""

    class Meta:
        model = ConsentRecord

    participant = factory.SubFactory(ParticipantFactory)
    kind = ConsentRecord.Kind.CONSENT
    given_by = factory.LazyAttribute(
        lambda o: ConsentRecord.GivenBy.GUARDIAN if o.kind == ConsentRecord.Kind.GUARDIAN else "participant"
    )
    form = factory.LazyAttribute(
        lambda o: (
            None
            if o.kind == ConsentRecord.Kind.WITHDRAWAL
            else (
                ConsentForm.objects.filter(campaign=o.participant.campaign).first()
                or ConsentFormFactory(campaign=o.participant.campaign)
            )
        )
    )
    method = ConsentRecord.Method.WRITTEN
    may_quote = True
    attribution = ConsentRecord.Attribution.ROLE


class ParticipantLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParticipantLink

    participant = factory.SubFactory(ParticipantFactory)
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    delivery = ParticipantLink.Delivery.PRINT
