"""Inviting someone sends the consent request: an emailed link through the reminders pipeline,
or, without an email, a note to print a consent card on their consent page."""

import pytest
from django.core import mail
from django.urls import reverse

from consent.factories import ConsentFormFactory
from consent.models import ParticipantLink
from participants.factories import ParticipantFactory
from participants.models import Participant
from reminders.models import Email, Kind
from reminders.tasks import dispatch_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def consent_form(campaign):
    return ConsentFormFactory(campaign=campaign, language="en")


def test_a_lead_inviting_from_next_invitations_emails_links_and_lists_the_cards_to_print(
    campaign, client_for, lead, consent_form, django_capture_on_commit_callbacks
):
    adult = ParticipantFactory(campaign=campaign, email="alma@example.net")
    minor = ParticipantFactory(campaign=campaign, email="cruz.family@example.net", is_minor=True, role="student")
    paper = ParticipantFactory(campaign=campaign, email="", phone="555 0100")
    client = client_for(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("participants:invite", args=[campaign.slug]), {"code": [adult.code, minor.code, paper.code]}
        )
    assert response.status_code == 302
    assert set(Participant.objects.values_list("status", flat=True)) == {"invited"}

    rows = Email.objects.filter(kind=Kind.CONSENT_REQUEST).order_by("recipient")
    assert [(row.recipient, row.participant_id) for row in rows] == [
        ("alma@example.net", adult.pk),
        ("cruz.family@example.net", minor.pk),
    ]
    # A minor's email is the family's: the guardian's link goes there.
    assert ParticipantLink.objects.get(participant=minor).recipient == ParticipantLink.Recipient.GUARDIAN
    assert ParticipantLink.objects.get(participant=adult).recipient == ParticipantLink.Recipient.PARTICIPANT
    assert not ParticipantLink.objects.filter(participant=paper).exists()

    page = client.get(response.url).content.decode()
    assert "Consent request emailed to: P-001, P-002." in page
    assert "print a consent card" in page
    assert reverse("consent:participant", args=[campaign.slug, paper.code]) in page
    # The note is shown once.
    assert (
        reverse("consent:participant", args=[campaign.slug, paper.code])
        not in client.get(response.url).content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        dispatch_due()
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {"alma@example.net", "cruz.family@example.net"}
    assert "/p/" in sent["alma@example.net"].body
    assert set(Email.objects.values_list("status", flat=True)) == {Email.Status.SENT}


def test_an_interviewer_inviting_by_hand_sends_the_request_too(
    campaign, client_for, interviewer, consent_form, django_capture_on_commit_callbacks
):
    p = ParticipantFactory(campaign=campaign, email="lan@example.net", assigned_interviewers=[interviewer])
    paper = ParticipantFactory(campaign=campaign, email="", assigned_interviewers=[interviewer])
    client = client_for(interviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("participants:status", args=[campaign.slug, p.code]), {"status": "invited"})
    assert Email.objects.get(kind=Kind.CONSENT_REQUEST).recipient == "lan@example.net"

    response = client.post(
        reverse("participants:status", args=[campaign.slug, paper.code]), {"status": "invited"}, follow=True
    )
    html = response.content.decode()
    assert "No email for P-002: print a consent card" in html
    assert reverse("consent:participant", args=[campaign.slug, paper.code]) in html
    assert Email.objects.count() == 1


def test_without_a_consent_form_nothing_is_sent_and_the_lead_is_told(
    campaign, client_for, lead, django_capture_on_commit_callbacks
):
    p = ParticipantFactory(campaign=campaign, email="alma@example.net")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lead).post(
            reverse("participants:invite", args=[campaign.slug]), {"code": [p.code]}, follow=True
        )
    assert "No consent form yet" in response.content.decode()
    assert not Email.objects.exists()
    p.refresh_from_db()
    assert p.status == "invited"
