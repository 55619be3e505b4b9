"""Every email the product sends is a row here first: reminders, cancellations, invitations,
consent requests, digests, retention warnings, export notices.

Why a row and not just a Celery message: a row survives a Redis restart, a worker crash and a
beat that was down; Celery messages are only nudges ("look at the table now"). The row's state
machine is what makes a send happen exactly once (see services.py, "Sending").

    pending ──claim──▶ sending ──SMTP accepted──▶ sent
       ▲                  │ ├─ SMTP error, tries left ──▶ pending (retry later, backoff)
       │                  │ ├─ SMTP error, last try ───▶ failed (reason)
       │                  │ └─ stale / no consent ─────▶ skipped (reason)
       └── lease expired ─┘   (worker died: see services.recover_expired)
    pending ──interview cancelled / rescheduled away──▶ cancelled
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_OFFSETS_MINUTES = [2 * 24 * 60, 2 * 60]


class Kind(models.TextChoices):
    REMINDER_PARTICIPANT = "reminder_participant", _("Interview reminder (participant)")
    REMINDER_TEAM = "reminder_team", _("Interview reminder (team)")
    CANCELLATION_PARTICIPANT = "cancellation_participant", _("Interview cancelled (participant)")
    CANCELLATION_TEAM = "cancellation_team", _("Interview cancelled (team)")
    TEAM_INVITATION = "team_invitation", _("Team invitation")
    CONSENT_REQUEST = "consent_request", _("Consent request")
    DAILY_DIGEST = "daily_digest", _("Daily digest for leads")
    RETENTION_WARNING = "retention_warning", _("Retention warning")
    EXPORT_READY = "export_ready", _("Export ready")
    COMMUNITY_SUMMARY = "community_summary", _("What we heard (to participants)")


# Kinds addressed to a participant (or their guardian): the consent rule applies to them.
PARTICIPANT_KINDS = {
    Kind.REMINDER_PARTICIPANT,
    Kind.CANCELLATION_PARTICIPANT,
    Kind.CONSENT_REQUEST,
    Kind.COMMUNITY_SUMMARY,
}
INTERVIEW_KINDS = {
    Kind.REMINDER_PARTICIPANT,
    Kind.REMINDER_TEAM,
    Kind.CANCELLATION_PARTICIPANT,
    Kind.CANCELLATION_TEAM,
}


class ReminderSettings(models.Model):
    """When a campaign's interview reminders go out: minutes before the interview."""

    campaign = models.OneToOneField("campaigns.Campaign", on_delete=models.CASCADE, related_name="reminder_settings")
    offsets_minutes = models.JSONField(default=list)
    remind_team = models.BooleanField(_("remind the interview team too"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = _("reminder settings")

    def __str__(self):
        return f"Reminders for {self.campaign}"


class EmailTemplate(models.Model):
    """A lead's wording of one kind of email in one language. Placeholders only, no template code."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="email_templates")
    kind = models.CharField(_("email"), max_length=32, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=5000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign", "kind", "language"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind", "language"], name="reminders_unique_template"),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.kind} · {self.language}"


class EmailQuerySet(models.QuerySet):
    def due(self, now=None):
        return self.filter(status=Email.Status.PENDING, next_try_at__lte=now or timezone.now())

    def for_interview(self, interview):
        return self.filter(interview=interview)

    def open(self):
        return self.filter(status__in=[Email.Status.PENDING, Email.Status.SENDING])


class Email(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        SKIPPED = "skipped", _("Skipped")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    interview = models.ForeignKey(
        "interviews.Interview", on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    recipient = models.EmailField(_("to"))
    language = models.CharField(max_length=8, default="en")
    offset_minutes = models.PositiveIntegerField(null=True, blank=True)
    # Idempotent enqueue: the same key never makes a second row (a retried task, a double click).
    dedupe_key = models.CharField(max_length=200)
    # Values the message needs that are not in the database (e.g. a one-time link token).
    # Cleared once the row is finished, so secrets do not outlive the send.
    context = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=500, blank=True)
    send_at = models.DateTimeField(default=timezone.now)
    next_try_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0, validators=[MinValueValidator(0), MaxValueValidator(100)])

    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Set (and committed) just before the message is handed to SMTP: a lost worker whose row
    # has no hand-off mark certainly sent nothing, so its row can be retried safely.
    handoff_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, unique=True)
    subject = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EmailQuerySet.as_manager()

    class Meta:
        ordering = ["send_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="reminders_unique_dedupe_key"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed", "cancelled", "skipped"]),
                name="reminders_email_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(claim_token__isnull=False, claimed_at__isnull=False),
                name="reminders_sending_is_claimed",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="reminders_sent_has_time"
            ),
        ]
        indexes = [
            # The dispatcher's one query: pending rows whose time has come.
            models.Index(fields=["next_try_at"], condition=Q(status="pending"), name="reminders_email_due"),
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="reminders_email_leased"),
            models.Index(fields=["interview", "send_at"], name="reminders_email_interview"),
            models.Index(fields=["campaign", "-created_at"], name="reminders_email_campaign"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"

    @staticmethod
    def new_message_id() -> str:
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"
        return f"<{uuid.uuid4().hex}@{domain}>"

    @property
    def is_finished(self):
        return self.status in (self.Status.SENT, self.Status.FAILED, self.Status.CANCELLED, self.Status.SKIPPED)


class CalendarSequence(models.Model):
    """The .ics SEQUENCE of an interview: raised by one each time reminders see it move or get
    cancelled, so calendar clients always take the newest invitation (a timestamp in minutes
    gave two changes in one minute the same number)."""

    interview = models.OneToOneField(
        "interviews.Interview", on_delete=models.CASCADE, primary_key=True, related_name="calendar_sequence"
    )
    sequence = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.interview_id}: {self.sequence}"
