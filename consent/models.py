"""Consent and transparency: what participants are told, what they agreed to, and their links.

- TransparencyStatement: per campaign and language, versioned. What the method asks us to be
  transparent about (why we interview, how data is used, who sees raw notes, whether
  identifying data is captured, how responses are anonymized) plus the date until which raw
  notes and identifying data are kept.
- ConsentForm: per campaign and language, versioned, built on one statement version. A version
  somebody agreed to is never edited: editing it creates the next version (services.py).
- ConsentRecord: one act of consent, assent or withdrawal. Rows are only ever added.
- ParticipantLink: a signed, expiring, revocable link a participant or guardian opens.
- RetentionNotice: that the retention warning was sent / identifying data was removed, once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants.models import LANGUAGES as PARTICIPANT_LANGUAGES

# Statements can be written in any language a participant may prefer ("other" is not a language).
LANGUAGE_CHOICES = [(code, label) for code, label in PARTICIPANT_LANGUAGES if code != "other"]
_LANGUAGE_NAMES = dict(LANGUAGE_CHOICES)


def language_name(code: str) -> str:
    return str(_LANGUAGE_NAMES.get(code, code))


class TransparencyStatementQuerySet(models.QuerySet):
    def current(self):
        """The newest version per (campaign, language)."""
        newer = TransparencyStatement.objects.filter(
            campaign=OuterRef("campaign"),
            language=OuterRef("language"),
            version__gt=OuterRef("version"),
        )
        return self.exclude(Exists(newer))


class TransparencyStatement(models.Model):
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="transparency_statements")
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    version = models.PositiveIntegerField(default=1)
    why = models.TextField(
        _("Why we are doing these interviews"),
        help_text=_("The decision or policy the interviews inform, and why the participant's experience matters."),
    )
    data_use = models.TextField(
        _("How what you tell us will be used"),
        help_text=_("Who will read the findings, what decisions they feed, and what will not happen with them."),
    )
    raw_notes_access = models.TextField(
        _("Who sees the raw notes"),
        help_text=_("Name the roles (e.g. the two interviewers and the project lead), not just 'the team'."),
    )
    captures_identifying_data = models.BooleanField(
        _("We record names or contact details"),
        default=True,
        help_text=_("Untick if interviews are fully anonymous and no names or contacts are kept."),
    )
    identifying_data = models.TextField(
        _("What identifying data we keep, and where"),
        help_text=_("For example: name and phone number, kept apart from the notes, seen only by the lead."),
    )
    anonymization = models.TextField(
        _("How responses are anonymized"),
        help_text=_("Codes instead of names, removing details that could identify someone, reporting only groups."),
    )
    retain_until = models.DateField(
        _("Raw notes and identifying data are deleted on"),
        help_text=_("On this date names, contact details and raw notes are removed; anonymized findings are kept."),
    )
    retention = models.TextField(
        _("What else to say about how long data is kept"),
        blank=True,
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TransparencyStatementQuerySet.as_manager()

    CONTENT_FIELDS = (
        "why",
        "data_use",
        "raw_notes_access",
        "captures_identifying_data",
        "identifying_data",
        "anonymization",
        "retain_until",
        "retention",
    )

    class Meta:
        ordering = ["campaign", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "language", "version"], name="consent_unique_statement_version"
            ),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.language} v{self.version}"

    @property
    def language_name(self):
        return language_name(self.language)


class ConsentFormQuerySet(models.QuerySet):
    def current(self):
        newer = ConsentForm.objects.filter(
            campaign=OuterRef("campaign"),
            language=OuterRef("language"),
            version__gt=OuterRef("version"),
        )
        return self.exclude(Exists(newer))

    def signed(self):
        return self.filter(Exists(ConsentRecord.objects.filter(form=OuterRef("pk"))))


class ConsentForm(models.Model):
    """What a participant (or guardian) reads and agrees to, in one language, built on a statement."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="consent_forms")
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    version = models.PositiveIntegerField(default=1)
    statement = models.ForeignKey(TransparencyStatement, on_delete=models.PROTECT, related_name="forms")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("What the participant agrees to"),
        help_text=_("Plain words: taking part is voluntary, they can skip any question and stop at any time."),
    )
    guardian_text = models.TextField(
        _("For parents and guardians"),
        blank=True,
        help_text=_("Shown when the participant is a minor: what a guardian agrees to on the student's behalf."),
    )
    assent_text = models.TextField(
        _("For students (assent)"),
        blank=True,
        help_text=_("Shown to a minor, in words a student understands: they decide for themselves too."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConsentFormQuerySet.as_manager()

    CONTENT_FIELDS = ("title", "body", "guardian_text", "assent_text")

    class Meta:
        ordering = ["campaign", "language", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "language", "version"], name="consent_unique_form_version"),
        ]

    def __str__(self):
        return f"{self.title} ({self.language} v{self.version})"

    @property
    def language_name(self):
        return language_name(self.language)


class RetentionNotice(models.Model):
    """That a retention step happened for a campaign and date: sent once, applied once."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning sent to leads")
        APPLIED = "applied", _("Identifying data removed")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="retention_notices")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    retain_until = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind", "retain_until"], name="consent_unique_retention_notice"
            ),
        ]

    def __str__(self):
        return f"{self.campaign} {self.kind} {self.retain_until}"


class ConsentRecordQuerySet(models.QuerySet):
    def for_campaign(self, campaign):
        return self.filter(participant__campaign=campaign)

    def withdrawals(self):
        return self.filter(kind=ConsentRecord.Kind.WITHDRAWAL)

    def agreements(self):
        return self.exclude(kind=ConsentRecord.Kind.WITHDRAWAL)


class ConsentRecord(models.Model):
    """One act: a participant's consent, a guardian's consent, a minor's assent, or a withdrawal.

    Rows are only ever added. A newer agreement of the same kind supersedes an older one (new
    scopes, a newer form); a withdrawal ends participation for good. The admin is read-only.
    """

    class Kind(models.TextChoices):
        CONSENT = "consent", _("Consent (participant)")
        GUARDIAN = "guardian", _("Guardian consent")
        ASSENT = "assent", _("Assent (student)")
        WITHDRAWAL = "withdrawal", _("Withdrawal")

    class GivenBy(models.TextChoices):
        PARTICIPANT = "participant", _("The participant")
        GUARDIAN = "guardian", _("A parent or guardian")

    class Method(models.TextChoices):
        WRITTEN = "written", _("Written (signed paper form)")
        VERBAL = "verbal", _("Verbal (recorded by the interviewer)")
        ELECTRONIC = "electronic", _("Electronic (through their link)")

    class Attribution(models.TextChoices):
        NONE = "none", _("No attribution")
        ROLE = "role", _("Role only (e.g. “a 9th-grade student”)")

    participant = models.ForeignKey("participants.Participant", on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    given_by = models.CharField(_("given by"), max_length=16, choices=GivenBy.choices)
    guardian_name = models.CharField(
        _("guardian's name"), max_length=200, blank=True, help_text=_("Removed with other identifying data.")
    )
    form = models.ForeignKey(
        ConsentForm, on_delete=models.PROTECT, null=True, blank=True, related_name="records", verbose_name=_("form")
    )
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    given_on = models.DateField(_("date"), default=timezone.localdate)
    may_quote = models.BooleanField(_("may be quoted in reports"), default=False)
    attribution = models.CharField(_("attribution"), max_length=8, choices=Attribution.choices, default="none")
    may_recontact = models.BooleanField(_("may be contacted again"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    link = models.ForeignKey(
        "ParticipantLink", on_delete=models.SET_NULL, null=True, blank=True, related_name="records"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["participant", "kind", "-created_at"], name="consent_record_latest"),
            # exclude_withdrawn() runs on every synthesis, search and export query.
            models.Index(fields=["participant"], condition=Q(kind="withdrawal"), name="consent_withdrawals"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="withdrawal") | Q(form__isnull=False), name="consent_agreement_names_form"
            ),
            models.CheckConstraint(
                condition=~Q(kind="guardian") | Q(given_by="guardian"), name="consent_guardian_given_by_guardian"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["consent", "assent"]) | Q(given_by="participant"),
                name="consent_own_consent_given_by_participant",
            ),
        ]

    def __str__(self):
        return f"{self.participant} {self.kind} {self.given_on}"


def default_link_expiry():
    return timezone.now() + timezone.timedelta(days=settings.CONSENT_LINK_VALID_DAYS)


class ParticipantLinkQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ParticipantLink(models.Model):
    """A link a participant or guardian opens without an account. Only the token's hash is kept."""

    class Delivery(models.TextChoices):
        EMAIL = "email", _("Email")
        PRINT = "print", _("Printed (QR code)")

    class Recipient(models.TextChoices):
        # Whom the link is for decides what it may record: a minor's own link offers assent only,
        # the guardian's link the guardian's consent only (see services.link_kinds).
        PARTICIPANT = "participant", _("The participant")
        GUARDIAN = "guardian", _("A parent or guardian")

    # An emailed link's secret is made by the worker that sends it (the broker carries only ids);
    # until then its hash is a placeholder that no token can match.
    PENDING_PREFIX = "pending:"

    participant = models.ForeignKey("participants.Participant", on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    delivery = models.CharField(_("sent by"), max_length=8, choices=Delivery.choices)
    recipient = models.CharField(_("for"), max_length=16, choices=Recipient.choices, default=Recipient.PARTICIPANT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=default_link_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ParticipantLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["participant", "-created_at"], name="consent_link_participant")]

    def __str__(self):
        return f"Link {self.pk} for {self.participant}"

    @property
    def state(self):
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"

    @property
    def is_issued(self) -> bool:
        """False while an emailed link waits for its worker to make the secret."""
        return not self.token_hash.startswith(self.PENDING_PREFIX)

    def revoke(self):
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


class Purge(models.Model):
    """That a lead purged a withdrawn participant's raw data for good. One per participant."""

    participant = models.OneToOneField("participants.Participant", on_delete=models.PROTECT, related_name="purge")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Purge of {self.participant}"
