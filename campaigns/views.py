from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from audit.services import audit_record
from empathy import dashboard
from empathy.access import ALL_ROLES, LEAD_ONLY, TEAM, campaign_view

from . import services
from .forms import (
    AcceptInvitationForm,
    CampaignCreateForm,
    CampaignSettingsForm,
    GoalFormSet,
    InvitationForm,
    IssueStatementForm,
    MembershipRoleForm,
)
from .models import ROLE_DESCRIPTIONS, Role


def home(request):
    memberships = request.user.memberships.select_related("campaign", "campaign__district").order_by(
        "campaign__status", "-campaign__created_at"
    )
    page = Paginator(memberships, 25).get_page(request.GET.get("page"))
    needs = dashboard.collect(request.user, page.object_list)
    return render(request, "campaigns/home.html", {"page": page, "needs": needs})


def campaign_create(request):
    form = CampaignCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        campaign = services.campaign_create(
            title=form.cleaned_data["title"],
            policy_context=form.cleaned_data["policy_context"],
            issue_statement=form.cleaned_data["issue_statement"],
            goals=form.goal_lines(),
            starts_on=form.cleaned_data["starts_on"],
            ends_on=form.cleaned_data["ends_on"],
            created_by=request.user,
        )
        messages.success(request, _("Campaign created. Next: answer the planning checklist and invite your team."))
        return redirect(campaign)
    return render(request, "campaigns/campaign_form.html", {"form": form})


@campaign_view(ALL_ROLES)
def overview(request, campaign):
    context = {
        "campaign": campaign,
        "statement": campaign.issue_statements.select_related("author").first(),
        "goals": list(campaign.goals.all()),
        "team": list(campaign.memberships.select_related("user").order_by("role", "user__email")),
    }
    return render(request, "campaigns/overview.html", context)


@campaign_view(LEAD_ONLY)
def campaign_settings(request, campaign):
    form = CampaignSettingsForm(request.POST or None, instance=campaign, prefix="campaign")
    goals = GoalFormSet(request.POST or None, instance=campaign, prefix="goals")
    if request.method == "POST" and form.is_valid() and goals.is_valid():
        with transaction.atomic():
            form.save()
            goals.save()
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.SETTINGS_CHANGE,
                campaign=campaign,
                target=campaign,
                detail={"fields": form.changed_data},
                request=request,
            )
        messages.success(request, _("Campaign settings saved."))
        return redirect(campaign)
    return render(request, "campaigns/settings.html", {"campaign": campaign, "form": form, "goals": goals})


def _team_context(campaign, invite_form=None):
    members = campaign.memberships.select_related("user").order_by("role", "user__email")
    context = {
        "campaign": campaign,
        "members": [(m, MembershipRoleForm(initial={"role": m.role}, prefix=f"m{m.pk}")) for m in members],
        "role_descriptions": [(Role(value).label, text) for value, text in ROLE_DESCRIPTIONS.items()],
    }
    if campaign.membership.is_lead:
        context["invitations"] = list(campaign.invitations.pending().select_related("invited_by"))
        context["invite_form"] = invite_form or InvitationForm()
    return context


@campaign_view(TEAM)
def team(request, campaign):
    return render(request, "campaigns/team.html", _team_context(campaign))


@campaign_view(LEAD_ONLY)
@require_POST
def team_invite(request, campaign):
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(
                campaign=campaign,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("campaigns:team", campaign.slug)
    return render(request, "campaigns/team.html", _team_context(campaign, form), status=400)


@campaign_view(LEAD_ONLY)
@require_POST
def membership_role(request, campaign, membership_id):
    membership = get_object_or_404(campaign.memberships.select_related("user", "campaign"), pk=membership_id)
    form = MembershipRoleForm(request.POST, prefix=f"m{membership.pk}")
    if form.is_valid():
        try:
            services.membership_change_role(
                membership=membership,
                role=form.cleaned_data["role"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Role updated for %(email)s.") % {"email": membership.user.email})
    else:
        messages.error(request, _("Choose a valid role."))
    return redirect("campaigns:team", campaign.slug)


@campaign_view(LEAD_ONLY)
def membership_remove(request, campaign, membership_id):
    membership = get_object_or_404(campaign.memberships.select_related("user", "campaign"), pk=membership_id)
    if request.method == "POST":
        try:
            services.membership_remove(membership=membership, by=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(email)s was removed from the team.") % {"email": membership.user.email})
        return redirect("campaigns:team", campaign.slug)
    return render(request, "campaigns/membership_remove.html", {"campaign": campaign, "member": membership})


@campaign_view(LEAD_ONLY)
@require_POST
def invitation_revoke(request, campaign, invitation_id):
    invitation = get_object_or_404(campaign.invitations.pending(), pk=invitation_id)
    services.invitation_revoke(invitation=invitation, by=request.user, request=request)
    messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("campaigns:team", campaign.slug)


@campaign_view(ALL_ROLES)
def issue_history(request, campaign):
    versions = campaign.issue_statements.select_related("author").order_by("-version")
    page = Paginator(versions, 20).get_page(request.GET.get("page"))
    form = IssueStatementForm(initial={"text": page[0].text} if page.object_list else None)
    # Synthesis adds each version's themes, root causes, their words and a word-level diff.
    from synthesis.selectors import attach_issue_evidence

    page.object_list = attach_issue_evidence(page.object_list, campaign.membership)
    return render(request, "campaigns/issue.html", {"campaign": campaign, "page": page, "form": form})


@campaign_view(LEAD_ONLY)
@require_POST
def issue_refine(request, campaign):
    form = IssueStatementForm(request.POST)
    if form.is_valid():
        try:
            services.issue_statement_refine(
                campaign=campaign,
                text=form.cleaned_data["text"],
                rationale=form.cleaned_data["rationale"],
                author=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The issue statement was refined. Earlier versions are kept below."))
            return redirect("campaigns:issue", campaign.slug)
    versions = campaign.issue_statements.select_related("author").order_by("-version")
    page = Paginator(versions, 20).get_page(1)
    return render(request, "campaigns/issue.html", {"campaign": campaign, "page": page, "form": form}, status=400)


@login_not_required
def invitation_accept(request, token):
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationError as error:
        return render(request, "campaigns/invitation_invalid.html", {"reason": str(error)}, status=410)

    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except services.InvitationError as error:
                return render(request, "campaigns/invitation_invalid.html", {"reason": str(error)}, status=410)
            messages.success(request, _("Welcome to %(title)s.") % {"title": invitation.campaign.title})
            return redirect(invitation.campaign)
        return render(request, "campaigns/invitation_accept.html", {"invitation": invitation, "form": None})

    from django.contrib.auth import get_user_model

    if get_user_model().objects.filter(email__iexact=invitation.email).exists():
        # An existing account signs in first and comes back to this page to accept.
        return render(request, "campaigns/invitation_accept.html", {"invitation": invitation, "sign_in": True})

    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user, _membership = services.invitation_accept(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except services.InvitationError as error:
            return render(request, "campaigns/invitation_invalid.html", {"reason": str(error)}, status=410)
        login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
        messages.success(
            request, _("Your account is ready. Welcome to %(title)s.") % {"title": invitation.campaign.title}
        )
        return redirect(invitation.campaign)
    return render(request, "campaigns/invitation_accept.html", {"invitation": invitation, "form": form})
