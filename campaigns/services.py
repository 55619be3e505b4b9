"""Writes for campaigns, teams and invitations. Views, admin actions and commands call these."""

import secrets
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record

from .models import Campaign, District, Goal, Invitation, IssueStatement, Membership, Role, hash_token

RESERVED_SLUGS = {"new"}


def _unique_slug(title: str) -> str:
    base = slugify(title)[:60] or "campaign"
    slug, n = base, 1
    while slug in RESERVED_SLUGS or Campaign.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def campaign_create(
    *,
    title: str,
    policy_context: str,
    issue_statement: str,
    created_by,
    goals: list[str] = (),
    starts_on: date | None = None,
    ends_on: date | None = None,
    district: District | None = None,
    slug: str | None = None,
) -> Campaign:
    """Create a campaign with its first issue statement and goals; the creator becomes its lead."""
    campaign = Campaign.objects.create(
        title=title,
        slug=slug or _unique_slug(title),
        policy_context=policy_context,
        starts_on=starts_on,
        ends_on=ends_on,
        district=district,
        created_by=created_by,
    )
    IssueStatement.objects.create(
        campaign=campaign, version=1, text=issue_statement, rationale=_("First version."), author=created_by
    )
    Goal.objects.bulk_create(
        [Goal(campaign=campaign, text=text, position=i) for i, text in enumerate(g for g in goals if g.strip())]
    )
    Membership.objects.create(user=created_by, campaign=campaign, role=Role.LEAD)
    return campaign


def issue_statement_refine(*, campaign: Campaign, text: str, rationale: str, author, **links) -> IssueStatement:
    """Add a new version of the issue statement; earlier versions stay as they were.

    Two leads refining at once both succeed: the unique (campaign, version) constraint makes
    the slower one retry with the next number instead of overwriting.
    """
    if not text.strip():
        raise ValidationError(_("The issue statement cannot be empty."))
    for _attempt in range(3):
        try:
            with transaction.atomic():
                latest = campaign.issue_statements.aggregate(v=Max("version"))["v"] or 0
                statement = IssueStatement.objects.create(
                    campaign=campaign, version=latest + 1, text=text, rationale=rationale, author=author
                )
                for name, objects in links.items():
                    getattr(statement, name).set(objects)
                return statement
        except IntegrityError:
            continue
    raise ValidationError(_("Someone else is refining the statement right now; please try again."))


def _ensure_another_lead(membership: Membership):
    if membership.role == Role.LEAD and not membership.campaign.memberships.leads().exclude(pk=membership.pk).exists():
        raise ValidationError(_("A campaign needs at least one lead. Make someone else a lead first."))


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, by, request=None) -> Membership:
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if role == membership.role:
        return membership
    if role != Role.LEAD:
        _ensure_another_lead(membership)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.ROLE_CHANGE,
        campaign=membership.campaign,
        target=membership.user,
        target_repr=membership.user.email,
        detail={"from": old, "to": role},
        request=request,
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by, request=None) -> None:
    _ensure_another_lead(membership)
    audit_record(
        actor=by,
        action=AuditEvent.Action.MEMBER_REMOVE,
        campaign=membership.campaign,
        target=membership.user,
        target_repr=membership.user.email,
        detail={"role": membership.role},
        request=request,
    )
    membership.delete()


def invitation_url(token: str) -> str:
    from django.urls import reverse

    return settings.SITE_URL + reverse("invitation_accept", args=[token])


@transaction.atomic
def invitation_create(*, campaign: Campaign, email: str, role: str, invited_by, request=None) -> tuple[Invitation, str]:
    """Invite someone by email. Returns the invitation and the raw token (sent, never stored).

    Inviting the same address again replaces the earlier pending invitation.
    """
    email = email.strip().lower()
    if campaign.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError(_("%(email)s is already on this team.") % {"email": email})
    campaign.invitations.pending().filter(email__iexact=email).update(revoked_at=timezone.now())
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        campaign=campaign,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    audit_record(
        actor=invited_by,
        action=AuditEvent.Action.INVITE,
        campaign=campaign,
        target=invitation,
        target_repr=email,
        detail={"role": role},
        request=request,
    )
    from .tasks import send_invitation_email

    transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk, token))
    return invitation, token


def invitation_revoke(*, invitation: Invitation, by, request=None) -> None:
    invitation.revoke()
    audit_record(
        actor=by,
        action=AuditEvent.Action.INVITE_REVOKE,
        campaign=invitation.campaign,
        target=invitation,
        target_repr=invitation.email,
        request=request,
    )


class InvitationError(Exception):
    """The link cannot be used; the message says why in plain words."""


def invitation_for_token(token: str) -> Invitation:
    invitation = Invitation.objects.select_related("campaign").filter(token_hash=hash_token(token)).first()
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid. Check that you copied the whole link."))
    if invitation.state == "accepted":
        raise InvitationError(_("This invitation has already been used. Sign in to continue."))
    if invitation.state == "revoked":
        raise InvitationError(_("This invitation was withdrawn. Ask the campaign lead for a new one."))
    if invitation.state == "expired":
        raise InvitationError(_("This invitation has expired. Ask the campaign lead to send a new one."))
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user=None, full_name: str = "", password: str | None = None):
    """Join the campaign. A new person gets an account (their email is proven by the link)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != "pending":
        raise InvitationError(_("This invitation can no longer be used."))
    User = get_user_model()
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationError(_("An account with this email already exists. Sign in to accept."))
        user = User.objects.create_user(email=invitation.email, password=password, full_name=full_name)
    elif user.email.lower() != invitation.email.lower():
        raise InvitationError(_("This invitation was sent to a different email address."))
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    membership, _created = Membership.objects.get_or_create(
        user=user, campaign=invitation.campaign, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        action=AuditEvent.Action.INVITE_ACCEPT,
        campaign=invitation.campaign,
        target=invitation,
        target_repr=invitation.email,
    )
    return user, membership
