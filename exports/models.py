"""Export jobs and the community summary ("What we heard").

An ExportJob is one file a team member asked for: built by a Celery task (exports.tasks),
stored through Django's default storage under exports/<campaign>/, downloaded only through the
permission-checked view, and deleted by a beat task once `expires_at` has passed.

    queued ──worker picks it up──▶ running ──▶ done ──expires_at──▶ expired (file deleted)
                                     └──────▶ failed (error) ──Retry──▶ queued
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def export_upload_to(job, filename: str) -> str:
    return f"exports/{job.campaign.slug}/{filename}"


class ExportJobQuerySet(models.QuerySet):
    def for_campaign(self, campaign):
        return self.filter(campaign=campaign)

    def visible_to(self, membership):
        """Leads see every job of the campaign; others see their own anonymized ones."""
        qs = self.filter(campaign_id=membership.campaign_id)
        if membership.is_lead:
            return qs
        return qs.filter(requested_by_id=membership.user_id, anonymized=True)

    def expired_files(self, now=None):
        return self.filter(expires_at__lte=now or timezone.now()).exclude(file="")


class ExportJob(models.Model):
    class Kind(models.TextChoices):
        NOTES = "notes", _("Notes")
        HIGHLIGHTS = "highlights", _("Highlights with tags")
        THEMES = "themes", _("Themes with evidence")
        PARTICIPANTS = "participants", _("Participants")
        REPORT = "report", _("Campaign report")
        CODEBOOK = "codebook", _("Codebook")
        PROJECT = "project", _("Whole project")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Excel (XLSX)")
        DOCX = "docx", _("Word (DOCX)")
        QDC = "qdc", _("REFI-QDA codebook (.qdc)")
        QDPX = "qdpx", _("REFI-QDA project (.qdpx)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    # Which formats each kind can be written in (the form offers only these).
    FORMATS = {
        Kind.NOTES: (Format.CSV, Format.XLSX),
        Kind.HIGHLIGHTS: (Format.CSV, Format.XLSX),
        Kind.THEMES: (Format.CSV, Format.XLSX),
        Kind.PARTICIPANTS: (Format.CSV, Format.XLSX),
        Kind.REPORT: (Format.DOCX,),
        Kind.CODEBOOK: (Format.QDC,),
        Kind.PROJECT: (Format.QDPX,),
    }
    LEAD_ONLY_KINDS = (Kind.PARTICIPANTS,)

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="export_jobs")
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    anonymized = models.BooleanField(_("anonymized"), default=True)
    reason = models.CharField(_("reason for an identified export"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    row_count = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_upload_to, max_length=300, blank=True)
    error = models.CharField(max_length=1000, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="export_jobs"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "-created_at"], name="exports_job_campaign_created"),
            models.Index(fields=["expires_at"], condition=~Q(file=""), name="exports_job_expiring_files"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="exports_job_progress_percent"),
            models.CheckConstraint(
                condition=Q(anonymized=True) | ~Q(reason=""), name="exports_identified_needs_reason"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_format_display()}) #{self.pk}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def state(self) -> str:
        """The status as the page shows it: done jobs whose file is gone are "expired"."""
        if self.status == self.Status.DONE and (self.is_expired or not self.file):
            return "expired"
        return self.status

    @property
    def state_label(self):
        return _("Expired") if self.state == "expired" else self.get_status_display()

    @property
    def label(self) -> str:
        return f"{self.get_kind_display()} · {self.get_format_display()}"

    def get_download_url(self):
        return reverse("exports:download", args=[self.campaign.slug, self.pk])


class CommunitySummary(models.Model):
    """A lead's plain-language "What we heard" page for the community, in several languages.

    Public by an unguessable token once published; it shows only published themes and their
    released quotes (consent-cleared, with small-group-protected attribution).
    """

    campaign = models.OneToOneField("campaigns.Campaign", on_delete=models.CASCADE, related_name="community_summary")
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = _("community summaries")

    def __str__(self):
        return f"What we heard: {self.campaign}"

    @property
    def is_published(self):
        return self.published_at is not None

    def get_public_url(self, language: str = ""):
        url = reverse("heard:what_we_heard", args=[self.token])
        return f"{url}?lang={language}" if language else url


class CommunitySummaryText(models.Model):
    """The lead's words in one language: an introduction and what happens next."""

    summary = models.ForeignKey(CommunitySummary, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=8)
    intro = models.TextField(_("In a few words: why we listened and to whom"), max_length=3000)
    next_steps = models.TextField(_("What happens next"), max_length=3000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["summary", "language"]
        constraints = [
            models.UniqueConstraint(fields=["summary", "language"], name="exports_unique_summary_language"),
        ]

    def __str__(self):
        return f"{self.summary_id} · {self.language}"
