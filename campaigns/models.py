import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CampaignQuerySet(models.QuerySet):
    def for_user(self, user):
        """Campaigns the user is a member of: the boundary of everything they may see."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)

    def active(self):
        return self.exclude(status=Campaign.Status.CLOSED)


class Campaign(models.Model):
    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        INTERVIEWING = "interviewing", _("Interviewing")
        SYNTHESIZING = "synthesizing", _("Synthesizing")
        CLOSED = "closed", _("Closed")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="campaigns", null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name in links"), max_length=80, unique=True)
    policy_context = models.TextField(
        _("policy context"),
        help_text=_("The policy or decision these interviews inform, and who it affects."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNING)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # The planning checklist: the method's reflection questions, answered by the team.
    checklist_inequity = models.TextField(_("How can these interviews uncover and disrupt inequity?"), blank=True)
    checklist_perspectives = models.TextField(_("Whose perspectives are most critical to hear?"), blank=True)
    checklist_next_step = models.TextField(_("What is our next step?"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="campaigns_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("campaigns:overview", args=[self.slug])

    @property
    def checklist(self):
        """The reflection questions with their answers, in the method's order."""
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name))
            for name in ("checklist_inequity", "checklist_perspectives", "checklist_next_step")
        ]

    @property
    def checklist_done(self):
        return all(answer.strip() for _question, answer in self.checklist)


class IssueStatement(models.Model):
    """One version of the campaign's issue statement. Refinements add rows; none is edited."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="issue_statements")
    version = models.PositiveIntegerField()
    text = models.TextField(_("issue statement"))
    rationale = models.TextField(_("why this version"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["campaign", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "version"], name="campaigns_unique_issue_version"),
        ]

    def __str__(self):
        return f"v{self.version}: {self.text[:60]}"


class Goal(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(_("goal"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "position", "id"]

    def __str__(self):
        return self.text


class Role(models.TextChoices):
    LEAD = "lead", _("Lead")
    INTERVIEWER = "interviewer", _("Interviewer")
    ANALYST = "analyst", _("Analyst")
    VIEWER = "viewer", _("Viewer")


ROLE_DESCRIPTIONS = {
    Role.LEAD: _("Everything, including names, contact details and identified exports."),
    Role.INTERVIEWER: _("Their assigned participants' contact details, their interviews, notes and synthesis."),
    Role.ANALYST: _("Pseudonymized notes and synthesis only; never names or contact details."),
    Role.VIEWER: _("The overview and published findings only."),
}


class MembershipQuerySet(models.QuerySet):
    def leads(self):
        return self.filter(role=Role.LEAD)


class Membership(models.Model):
    """A user's role in one campaign. Membership is the access boundary for campaign data."""

    Role = Role

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "role", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "campaign"], name="campaigns_unique_member_per_campaign"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} in {self.campaign}"

    @property
    def is_lead(self):
        return self.role == Role.LEAD

    @property
    def sees_identified_data(self):
        """Leads see every name; interviewers only their assigned participants' (checked per person)."""
        return self.role == Role.LEAD


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An emailed invitation to join a campaign. Only the token's hash is stored."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["campaign", "email"], name="campaigns_invitation_email_idx")]

    def __str__(self):
        return f"{self.email} → {self.campaign} ({self.role})"

    @property
    def state(self):
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def revoke(self):
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
