"""Status moves go through the service that owns each step; by hand only nominated, invited, declined.

A withdrawal is a consent record (consent.services.participant_withdraw) and is final; coverage,
priority targets and the list's status filter never count someone who withdrew.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from consent.models import ConsentRecord
from consent.services import participant_withdraw
from participants import selectors
from participants.factories import ParticipantFactory, PriorityGroupFactory
from participants.models import Participant
from participants.services import participant_set_status, participant_status_change, synthesis_gate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", ["consented", "scheduled", "interviewed", "withdrawn"])
def test_the_participant_page_cannot_set_the_steps_that_belong_to_consent_and_interviews(
    campaign, client_for, interviewer, status
):
    p = ParticipantFactory(campaign=campaign, status="invited", assigned_interviewers=[interviewer])
    response = client_for(interviewer).post(
        reverse("participants:status", args=[campaign.slug, p.code]), {"status": status}, follow=True
    )
    assert "Choose a valid status." in response.content.decode()
    p.refresh_from_db()
    assert p.status == "invited"
    assert not ConsentRecord.objects.exists()


def test_the_page_offers_only_the_manual_statuses_and_a_withdrawal_through_consent(campaign, client_for, lead):
    p = ParticipantFactory(campaign=campaign)
    html = client_for(lead).get(p.get_absolute_url()).content.decode()
    assert 'value="declined"' in html and 'value="consented"' not in html and 'value="withdrawn"' not in html
    assert reverse("consent:withdraw", args=[campaign.slug, p.code]) in html


@pytest.mark.parametrize("current", ["consented", "scheduled", "interviewed"])
def test_by_hand_nobody_moves_people_back_once_consent_and_interviews_own_their_status(campaign, lead, current):
    p = ParticipantFactory(campaign=campaign, status=current)
    for status in ("nominated", "invited", "declined"):
        with pytest.raises(ValidationError):
            participant_status_change(participant=p, status=status, by=lead)
    p.refresh_from_db()
    assert p.status == current


def test_withdrawn_needs_the_consent_record_and_is_final(campaign, lead):
    p = ParticipantFactory(campaign=campaign, status="interviewed")
    # No record, no withdrawal: the status alone would leave no trace and no audit.
    with pytest.raises(ValidationError):
        participant_set_status(participant=p, status="withdrawn", by=lead)
    participant_withdraw(participant=p, by=lead)
    p.refresh_from_db()
    assert p.status == "withdrawn"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CONSENT_CHANGE, detail__kind="withdrawal").exists()
    # Neither by hand nor through a service does anyone bring them back.
    for status in ("interviewed", "scheduled", "consented", "invited", "nominated"):
        with pytest.raises(ValidationError):
            participant_set_status(participant=p, status=status, by=lead)
    with pytest.raises(ValidationError):
        participant_status_change(participant=p, status="invited", by=lead)
    p.refresh_from_db()
    assert p.status == "withdrawn"


def test_someone_with_a_withdrawal_record_is_not_counted_even_if_their_status_says_interviewed(
    campaign, dims, make_people, client_for, lead
):
    group = PriorityGroupFactory(campaign=campaign, name="Families of ELs", role="family", target=2)
    group.values.add(dims["yes"])
    stays, withdrew = make_people(2, values=[dims["yes"]], status=Participant.Status.INTERVIEWED)
    participant_withdraw(participant=withdrew, by=lead)
    # Data from before the rule (or written around it): the status was moved back by hand.
    Participant.objects.filter(pk=withdrew.pk).update(status=Participant.Status.INTERVIEWED)

    cov = selectors.coverage(campaign)
    assert (cov.total, cov.invited, cov.interviewed, cov.pipeline) == (1, 1, 1, 1)
    el = next(d for d in cov.dimensions if d.dimension == dims["el"])
    assert next(r for r in el.rows if r.value == dims["yes"]).interviewed == 1
    assert [(row.interviewed, row.pipeline) for row in selectors.priority_progress(campaign)] == [(1, 1)]
    assert [(u.group.name, u.interviewed) for u in synthesis_gate(campaign)] == [("Families of ELs", 1)]

    client = client_for(lead)
    url = reverse("participants:list", args=[campaign.slug])
    interviewed = client.get(url + "?status=interviewed").context["page"].object_list
    assert [p.code for p in interviewed] == [stays.code]
    withdrawn = client.get(url + "?status=withdrawn").context["page"].object_list
    assert [p.code for p in withdrawn] == [withdrew.code]
    overview = client.get(campaign.get_absolute_url())
    assert overview.status_code == 200


def test_a_withdrawn_nominee_is_not_suggested_for_an_invitation(campaign, make_people, lead):
    kept, withdrew = make_people(2)
    participant_withdraw(participant=withdrew, by=lead)
    Participant.objects.filter(pk=withdrew.pk).update(status=Participant.Status.NOMINATED)
    campaign.membership = campaign.memberships.get(user=lead)
    cov = selectors.coverage(campaign)
    ranked = selectors.next_invitations(campaign, campaign.membership, cov, 90)
    assert [p.code for p in ranked] == [kept.code]
