import pytest

from participants.factories import ParticipantFactory
from participants.models import Participant, StatusChange
from participants.services import participant_set_status

pytestmark = pytest.mark.django_db


def test_set_status_records_history(campaign, lead):
    participant = ParticipantFactory(campaign=campaign)
    assert participant.code == "P-001"
    change = participant_set_status(participant=participant, status=Participant.Status.INVITED, by=lead, note="Called")
    participant.refresh_from_db()
    assert participant.status == Participant.Status.INVITED
    assert (change.from_status, change.to_status, change.by, change.note) == ("nominated", "invited", lead, "Called")
    assert participant_set_status(participant=participant, status="invited", by=lead) is None
    participant_set_status(participant=participant, status=Participant.Status.INTERVIEWED, by=lead)
    participant.refresh_from_db()
    assert participant.interviewed_at is not None
    assert StatusChange.objects.filter(participant=participant).count() == 2
