import pytest
from django.urls import reverse

from consent.factories import ConsentRecordFactory
from participants.factories import ParticipantFactory
from participants.models import Participant

pytestmark = pytest.mark.django_db


def test_home_counts_people_awaiting_interview_without_consent(client_for, campaign, lead, interviewer):
    waiting = ParticipantFactory.create_batch(3, campaign=campaign, status=Participant.Status.INVITED)
    ConsentRecordFactory(participant=waiting[0])
    ParticipantFactory(campaign=campaign, status=Participant.Status.NOMINATED)  # not being interviewed yet
    waiting[1].assigned_interviewers.add(interviewer)

    lead_needs = client_for(lead).get(reverse("home")).context["needs"]
    assert [(n.count, n.campaign_title) for n in lead_needs] == [(2, campaign.title)]
    assert "consents missing" in lead_needs[0].label

    interviewer_needs = client_for(interviewer).get(reverse("home")).context["needs"]
    assert [n.count for n in interviewer_needs] == [1]  # only the person assigned to them


def test_analysts_are_not_asked_for_consents(client_for, campaign, analyst):
    ParticipantFactory(campaign=campaign, status=Participant.Status.INVITED)
    assert client_for(analyst).get(reverse("home")).context["needs"] == []
