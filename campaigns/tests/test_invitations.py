import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from campaigns import services
from campaigns.factories import UserFactory
from campaigns.models import Invitation, Role

pytestmark = pytest.mark.django_db


def _invite(client, campaign, email="new.person@example.org", role="analyst"):
    # The email task is enqueued on commit; run those callbacks as a real commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("campaigns:team_invite", args=[campaign.slug]), {"email": email, "role": role})


def _link_from_last_mail():
    return re.search(r"http://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)


def test_a_lead_invites_by_email_and_the_invitee_sets_a_password(client_for, client, campaign, lead):
    response = _invite(client_for(lead), campaign)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]
    assert campaign.title in mail.outbox[0].subject
    link = _link_from_last_mail()
    invitation = Invitation.objects.get()
    assert link.split("/")[-2] not in invitation.token_hash  # only the hash is stored

    page = client.get(link)
    assert page.status_code == 200
    assert b"Create account and join" in page.content
    joined = client.post(
        link, {"full_name": "New Person", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"}
    )
    assert joined.status_code == 302
    assert joined.url == campaign.get_absolute_url()

    user = get_user_model().objects.get(email="new.person@example.org")
    assert user.check_password("a-long-pass-phrase")
    assert campaign.memberships.get(user=user).role == Role.ANALYST
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(campaign.get_absolute_url()).status_code == 200  # signed in already
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INVITE_ACCEPT).exists()


def test_a_used_link_says_so_plainly(client_for, client, campaign, lead):
    _invite(client_for(lead), campaign)
    link = _link_from_last_mail()
    client.post(link, {"full_name": "A", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"})
    again = client_for(UserFactory()).get(link)
    assert again.status_code == 410
    assert b"already been used" in again.content


def test_an_expired_link_says_so(client_for, client, campaign, lead):
    _invite(client_for(lead), campaign)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(_link_from_last_mail())
    assert response.status_code == 410
    assert b"expired" in response.content


def test_a_tampered_link_says_so(client, campaign, lead, client_for):
    _invite(client_for(lead), campaign)
    response = client.get(_link_from_last_mail()[:-3] + "xx/")
    assert response.status_code == 410
    assert b"not valid" in response.content


def test_a_withdrawn_invitation_cannot_be_used(client_for, client, campaign, lead):
    _invite(client_for(lead), campaign)
    invitation = Invitation.objects.get()
    client_for(lead).post(reverse("campaigns:invitation_revoke", args=[campaign.slug, invitation.pk]))
    response = client.get(_link_from_last_mail())
    assert response.status_code == 410
    assert b"withdrawn" in response.content


def test_a_rejected_password_keeps_the_name_typed(client_for, client, campaign, lead):
    _invite(client_for(lead), campaign)
    response = client.post(_link_from_last_mail(), {"full_name": "Keep Me", "password1": "short", "password2": "short"})
    assert response.status_code == 200
    assert b'value="Keep Me"' in response.content
    assert b"too short" in response.content
    assert not get_user_model().objects.filter(email="new.person@example.org").exists()


def test_an_existing_account_signs_in_then_accepts(client_for, client, campaign, lead):
    existing = UserFactory(email="known@example.org")
    _invite(client_for(lead), campaign, email="known@example.org", role="interviewer")
    link = _link_from_last_mail()
    assert b"Sign in" in client.get(link).content
    signed_in = client_for(existing)
    assert signed_in.post(link).status_code == 302
    assert campaign.memberships.get(user=existing).role == Role.INTERVIEWER


def test_an_invitation_for_someone_else_is_refused(client_for, campaign, lead):
    _invite(client_for(lead), campaign, email="intended@example.org")
    response = client_for(UserFactory(email="other@example.org")).post(_link_from_last_mail())
    assert response.status_code == 410
    assert not campaign.memberships.filter(user__email="other@example.org").exists()


def test_inviting_a_member_again_is_an_error_next_to_the_field(client_for, campaign, lead, analyst):
    response = _invite(client_for(lead), campaign, email=analyst.email)
    assert response.status_code == 400
    assert b"already on this team" in response.content
    assert analyst.email.encode() in response.content  # what was typed is kept


def test_a_bad_email_is_refused_and_kept(client_for, campaign, lead):
    response = _invite(client_for(lead), campaign, email="not-an-email")
    assert response.status_code == 400
    assert b'value="not-an-email"' in response.content
    assert not Invitation.objects.exists()


def test_reinviting_replaces_the_pending_invitation(campaign, lead):
    first, _ = services.invitation_create(campaign=campaign, email="a@example.org", role=Role.VIEWER, invited_by=lead)
    second, _ = services.invitation_create(campaign=campaign, email="A@example.org", role=Role.ANALYST, invited_by=lead)
    first.refresh_from_db()
    assert first.state == "revoked"
    assert list(campaign.invitations.pending()) == [second]


def test_an_admin_invites_from_the_admin_and_the_link_is_emailed(client_for, campaign):
    admin = UserFactory(is_staff=True, is_superuser=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client_for(admin).post(
            reverse("admin:campaigns_invitation_add"),
            {"campaign": campaign.pk, "email": "from.admin@example.org", "role": "lead"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == ("from.admin@example.org", "lead", admin)
    assert mail.outbox[0].to == ["from.admin@example.org"]
    assert "/invitations/" in mail.outbox[0].body
