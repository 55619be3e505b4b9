"""Participants and equity-focused selection: who we hear from, measured against who is affected.

Identity (name, contact details, school, grade, language, notes) is shown only to leads and to
the interviewers assigned to a participant; everyone else sees the pseudonym code, the role,
the flags and the equity dimension values. `participants.access` holds that one rule.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_RECENT_INTERVIEW_DAYS = 90

# Languages offered for participants' preferred language (codes as in BCP 47 / ISO 639-1).
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("vi", _("Vietnamese")),
    ("zh", _("Chinese")),
    ("ar", _("Arabic")),
    ("so", _("Somali")),
    ("tl", _("Tagalog")),
    ("ht", _("Haitian Creole")),
    ("hmn", _("Hmong")),
    ("ko", _("Korean")),
    ("ru", _("Russian")),
    ("pt", _("Portuguese")),
    ("fr", _("French")),
    ("other", _("Other")),
]

phone_validator = RegexValidator(
    r"^\+?[0-9 ()./-]{7,20}$",
    _("Enter a phone number: digits, spaces, brackets, dots or dashes, optionally starting with +."),
)


class Person(models.Model):
    """One human across the campaigns of a district: lets us recognise people asked before."""

    district = models.ForeignKey("campaigns.District", on_delete=models.CASCADE, related_name="people")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("people")

    def __str__(self):
        return f"Person {self.pk} ({self.district})"


class EquityDimension(models.Model):
    class Source(models.TextChoices):
        CUSTOM = "custom", _("Its own column")
        ROLE = "role", _("The participant's role")
        SCHOOL = "school", _("The participant's school")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="dimensions")
    name = models.CharField(_("name"), max_length=100)
    key = models.SlugField(
        _("column name"), max_length=50, help_text=_("The column heading for this dimension in CSV imports.")
    )
    source = models.CharField(
        _("values come from"),
        max_length=8,
        choices=Source.choices,
        default=Source.CUSTOM,
        help_text=_("Role and school dimensions take their value from the participant's role or school."),
    )
    often_marginalized = models.BooleanField(
        _("often marginalized"),
        default=False,
        help_text=_("Groups in this dimension are often left out of decisions; under-hearing them is flagged first."),
    )
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="participants_unique_dimension_key"),
            models.UniqueConstraint(fields=["campaign", "name"], name="participants_unique_dimension_name"),
        ]

    def __str__(self):
        return self.name


class DimensionValue(models.Model):
    dimension = models.ForeignKey(EquityDimension, on_delete=models.CASCADE, related_name="values")
    label = models.CharField(_("value"), max_length=100)
    population_share = models.DecimalField(
        _("population share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Share of the affected population in this group, in percent."),
    )
    often_marginalized = models.BooleanField(
        _("often marginalized"),
        default=False,
        help_text=_("This group is often left out of decisions: its gaps are called out and weighed first."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["dimension", "position", "id"]
        constraints = [
            models.UniqueConstraint(Lower("label"), "dimension", name="participants_unique_value_label"),
            models.CheckConstraint(
                condition=Q(population_share__isnull=True)
                | (Q(population_share__gte=0) & Q(population_share__lte=100)),
                name="participants_share_is_percentage",
            ),
        ]

    def __str__(self):
        return f"{self.dimension.name}: {self.label}"


class ParticipantQuerySet(models.QuerySet):
    def visible_to(self, membership):
        """Participants this member may list; `shows_identity` says whose names they may see.

        Leads: everyone, with identity. Interviewers: everyone, identity of those assigned to
        them. Analysts: everyone, never identity. Viewers: no one.
        """
        from campaigns.models import Role

        qs = self.filter(campaign_id=membership.campaign_id)
        if membership.role == Role.LEAD:
            return qs.annotate(shows_identity=Value(True, output_field=models.BooleanField()))
        if membership.role == Role.INTERVIEWER:
            assigned = Participant.assigned_interviewers.through.objects.filter(
                participant_id=OuterRef("pk"), user_id=membership.user_id
            )
            return qs.annotate(shows_identity=Exists(assigned))
        if membership.role == Role.ANALYST:
            return qs.annotate(shows_identity=Value(False, output_field=models.BooleanField()))
        return qs.none()

    def invited(self):
        """Everyone who has been asked: every status after nominated."""
        return self.exclude(status=Participant.Status.NOMINATED)

    def in_pipeline(self):
        """People we expect to hear from: invited and not (yet) declined or withdrawn."""
        return self.filter(status__in=Participant.PIPELINE_STATUSES)

    def interviewed(self):
        return self.filter(status=Participant.Status.INTERVIEWED)

    def nominated(self):
        return self.filter(status=Participant.Status.NOMINATED)

    def with_history(self, days: int):
        """Annotate what earlier campaigns of the district know about each person.

        `earlier_campaigns`: how many other campaigns of the district the person was part of.
        `earlier_interviews`: in how many of them they were interviewed.
        `last_interviewed_elsewhere`: the latest of those interviews.
        `recently_interviewed`: interviewed elsewhere in the district within `days` days.
        One subquery each; the number of queries stays fixed.
        """
        others = Participant.objects.filter(person_id=OuterRef("person_id"), person__isnull=False).exclude(
            campaign_id=OuterRef("campaign_id")
        )
        count = models.Func(F("pk"), function="COUNT")
        since = timezone.now() - timedelta(days=days)
        return self.annotate(
            earlier_campaigns=models.Subquery(
                others.order_by().values("person_id").annotate(n=count).values("n")[:1],
                output_field=models.IntegerField(),
            ),
            earlier_interviews=models.Subquery(
                others.filter(interviewed_at__isnull=False)
                .order_by()
                .values("person_id")
                .annotate(n=count)
                .values("n")[:1],
                output_field=models.IntegerField(),
            ),
            last_interviewed_elsewhere=models.Subquery(
                others.filter(interviewed_at__isnull=False).order_by("-interviewed_at").values("interviewed_at")[:1]
            ),
            recently_interviewed=Exists(others.filter(interviewed_at__gte=since)),
        )


class Participant(models.Model):
    class Role(models.TextChoices):
        STUDENT = "student", _("Student")
        FAMILY = "family", _("Family member")
        TEACHER = "teacher", _("Teacher")
        STAFF = "staff", _("Staff")
        COMMUNITY = "community", _("Community member")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        INVITED = "invited", _("Invited")
        CONSENTED = "consented", _("Consented")
        SCHEDULED = "scheduled", _("Scheduled")
        INTERVIEWED = "interviewed", _("Interviewed")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    PIPELINE_STATUSES = (Status.INVITED, Status.CONSENTED, Status.SCHEDULED, Status.INTERVIEWED)

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="participants")
    number = models.PositiveIntegerField(editable=False)
    code = models.CharField(_("code"), max_length=16, editable=False)
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="participations")
    # Identity: shown only to those `participants.access.identity_visible` allows.
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[phone_validator])
    school = models.CharField(_("school"), max_length=200, blank=True)
    grade = models.CharField(_("grade"), max_length=16, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=8, choices=LANGUAGES, default="en")
    note = models.TextField(_("note"), blank=True, help_text=_("Why this person was nominated; how to reach them."))
    # Not identifying on its own: visible to the whole team.
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    is_minor = models.BooleanField(
        _("minor"), default=False, help_text=_("Under 18: needs a guardian's consent and their own assent.")
    )
    most_directly_impacted = models.BooleanField(_("most directly impacted"), default=False)
    not_usually_asked = models.BooleanField(
        _("not usually asked"),
        default=False,
        help_text=_("Rarely part of district decisions. Also derived from earlier campaigns of the district."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NOMINATED)
    status_changed_at = models.DateTimeField(default=timezone.now)
    interviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    assigned_interviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assigned_participants", verbose_name=_("interviewers")
    )
    values = models.ManyToManyField(DimensionValue, through="ParticipantValue", related_name="participants")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="participants_unique_code_per_campaign"),
            models.UniqueConstraint(fields=["campaign", "number"], name="participants_unique_number_per_campaign"),
            models.UniqueConstraint(
                Lower("email"),
                "campaign",
                condition=~Q(email=""),
                name="participants_unique_email_per_campaign",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="participants_campaign_status"),
            models.Index(fields=["campaign", "role"], name="participants_campaign_role"),
            # The coverage counts' cache key: how many people and the latest change, index only.
            models.Index(fields=["campaign", "updated_at"], name="participants_campaign_updated"),
            models.Index(Lower("email"), name="participants_email_lower"),
            # Matching people across the district's campaigns by name (a lead's match candidates).
            models.Index(Lower("full_name"), name="participants_full_name_lower"),
        ]

    def __str__(self):
        # The code, never the name: __str__ ends up in logs, admin actions and audit rows.
        return self.code

    def get_absolute_url(self):
        return reverse("participants:detail", args=[self.campaign.slug, self.code])

    @staticmethod
    def code_for(number: int) -> str:
        return f"P-{number:03d}"

    def identity_visible_to(self, membership) -> bool:
        from .access import identity_visible

        return identity_visible(membership, self)

    @property
    def is_recently_interviewed(self):
        return bool(getattr(self, "recently_interviewed", False))

    @property
    def derived_not_usually_asked(self) -> bool:
        """Never interviewed in an earlier campaign of the district (needs `with_history`)."""
        return not getattr(self, "earlier_interviews", None)


class CodeSequence(models.Model):
    """The last pseudonym number handed out in a campaign, so codes are never reused after a deletion."""

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, primary_key=True, related_name="participant_codes"
    )
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.campaign_id}: {self.last_number}"


class ParticipantValue(models.Model):
    """A participant's value in one equity dimension (at most one per dimension)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="dimension_values")
    dimension = models.ForeignKey(EquityDimension, on_delete=models.CASCADE, related_name="+")
    value = models.ForeignKey(DimensionValue, on_delete=models.CASCADE, related_name="participant_links")

    class Meta:
        ordering = ["dimension__position", "dimension_id"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "dimension"], name="participants_one_value_per_dimension"),
        ]
        indexes = [models.Index(fields=["value", "participant"], name="participants_value_participant")]

    def __str__(self):
        return f"{self.participant_id}: {self.value_id}"


class StatusChange(models.Model):
    """The history of a participant's selection status: who moved them, when and why."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Participant.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Participant.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["participant", "-created_at"], name="participants_status_history")]

    def __str__(self):
        return f"{self.participant_id}: {self.from_status or '—'} → {self.to_status}"


class PriorityGroup(models.Model):
    """A group the campaign must hear from: at least `target` interviews (e.g. 8 families of ELs).

    A participant is in the group when they have the role (if one is set) and, for every
    dimension among the group's values, one of those values.
    """

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="priority_groups")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=16, choices=Participant.Role.choices, blank=True)
    values = models.ManyToManyField(
        DimensionValue, blank=True, related_name="priority_groups", verbose_name=_("values")
    )
    target = models.PositiveIntegerField(_("interviews needed"), validators=[MinValueValidator(1)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="participants_unique_priority_group"),
            models.CheckConstraint(condition=Q(target__gte=1), name="participants_target_positive"),
        ]

    def __str__(self):
        return self.name


class TargetOverride(models.Model):
    """A lead's recorded reason to move on to synthesis with priority targets unmet."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="target_overrides")
    reason = models.TextField(_("reason"))
    unmet = models.JSONField(default=list, help_text=_("The targets that were unmet when the override was recorded."))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Override {self.campaign_id} {self.created_at:%Y-%m-%d}"


class SelectionRule(models.Model):
    """How long after an interview a person is protected from being asked again.

    Set per campaign or per district; the campaign's rule wins, then the district's, then 90 days.
    """

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, null=True, blank=True, related_name="selection_rule"
    )
    district = models.OneToOneField(
        "campaigns.District", on_delete=models.CASCADE, null=True, blank=True, related_name="selection_rule"
    )
    recent_interview_days = models.PositiveIntegerField(
        _("protect people interviewed in the last … days"),
        default=DEFAULT_RECENT_INTERVIEW_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(campaign__isnull=False) & Q(district__isnull=True))
                | (Q(campaign__isnull=True) & Q(district__isnull=False)),
                name="participants_rule_for_campaign_or_district",
            ),
        ]

    def __str__(self):
        return f"{self.campaign or self.district}: {self.recent_interview_days} days"
