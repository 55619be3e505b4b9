"""Interview guides, their prompts, the prompt library and the team's predictions.

The Interview and Note models (issue 5, second half) belong in this app too; keep them in
their own section below these so the two halves stay easy to read apart.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaigns.models import Role
from participants.models import LANGUAGES

from . import prompt_coach


class GuideQuerySet(models.QuerySet):
    def for_campaign(self, campaign):
        return self.filter(campaign=campaign)

    def with_prompt_count(self):
        return self.annotate(prompt_count=Count("prompts"))

    def copyable_by(self, user):
        """Guides the user may copy: those of campaigns they lead (the access boundary)."""
        return self.filter(
            campaign__memberships__user=user,
            campaign__memberships__role=Role.LEAD,
        )


class InterviewGuide(models.Model):
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="guides")
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("What the interviewer says first: who we are, why we are listening, how notes are used."),
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies", verbose_name=_("copied from")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GuideQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "title", "id"]
        verbose_name = _("interview guide")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "title"], name="interviews_unique_guide_title_per_campaign"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("interviews:guide", args=[self.campaign.slug, self.pk])


class Prompt(models.Model):
    """One question of a guide. `position` orders prompts within their kind's group."""

    class Kind(models.TextChoices):
        # The order here is the order of the groups in a guide.
        OPENING = "opening", _("Opening")
        CORE = "core", _("Core")
        FOLLOW_UP = "follow_up", _("Follow-up")
        CLOSING = "closing", _("Closing")

    guide = models.ForeignKey(InterviewGuide, on_delete=models.CASCADE, related_name="prompts")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CORE)
    text = models.TextField(_("prompt"), max_length=1000)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["guide", "kind", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "kind", "position"], name="interviews_unique_prompt_position"),
            models.CheckConstraint(condition=~Q(text=""), name="interviews_prompt_text_not_empty"),
        ]

    def __str__(self):
        return self.text[:80]

    @property
    def coach_warnings(self):
        """The coach's warnings, computed when shown (cheap, no queries, always current rules)."""
        return prompt_coach.check_prompt(self.text, kind=self.kind)


class PromptPatternQuerySet(models.QuerySet):
    def available_to(self, campaign):
        """The built-in patterns and this campaign's own, built-ins first."""
        return self.filter(Q(campaign__isnull=True) | Q(campaign=campaign)).order_by(
            models.F("campaign").asc(nulls_first=True), "position", "id"
        )


class PromptPattern(models.Model):
    """A good question shape with a slot for the topic: "Tell me about the last time that you {topic}."

    Built-in patterns have no campaign (loaded by a data migration; editable in the admin);
    leads add campaign-specific ones.
    """

    PLACEHOLDER = "{topic}"

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, null=True, blank=True, related_name="prompt_patterns"
    )
    text = models.CharField(_("pattern"), max_length=300)
    kind = models.CharField(_("usual kind"), max_length=16, choices=Prompt.Kind.choices, default=Prompt.Kind.CORE)
    why = models.CharField(_("why it works"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PromptPatternQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["text"], condition=Q(campaign__isnull=True), name="interviews_unique_builtin_pattern"
            ),
            models.UniqueConstraint(
                fields=["campaign", "text"],
                condition=Q(campaign__isnull=False),
                name="interviews_unique_campaign_pattern",
            ),
            models.CheckConstraint(condition=Q(text__contains="{topic}"), name="interviews_pattern_has_topic"),
        ]

    def __str__(self):
        return self.text

    @property
    def is_builtin(self):
        return self.campaign_id is None

    @property
    def display(self):
        """The pattern as people write it, with an ellipsis where the topic goes."""
        return self.text.replace(self.PLACEHOLDER + ".", "…").replace(self.PLACEHOLDER, "…")

    def fill(self, topic: str) -> str:
        topic = " ".join(topic.split()).rstrip(".?!")
        return self.text.replace(self.PLACEHOLDER, topic or "…")


class PredictionQuerySet(models.QuerySet):
    def for_campaign(self, campaign):
        return self.filter(campaign=campaign)


class Prediction(models.Model):
    """One thing a team member expects to hear, written before the first interview.

    Synthesis later sets `status` to confirmed, contradicted or not heard, which shows the
    team where its assumptions held and where they did not.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Not yet checked")
        CONFIRMED = "confirmed", _("Confirmed")
        CONTRADICTED = "contradicted", _("Contradicted")
        NOT_HEARD = "not_heard", _("Not heard")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="predictions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="predictions")
    text = models.CharField(_("prediction"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    status_note = models.CharField(_("what we heard"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PredictionQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "author", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "author", "text"], name="interviews_unique_prediction_text"),
            models.CheckConstraint(condition=~Q(text=""), name="interviews_prediction_text_not_empty"),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="interviews_prediction_st_idx")]

    def __str__(self):
        return self.text[:80]

    def mark(self, status: str, note: str = "") -> None:
        """Record what the interviews said about this prediction (called from synthesis)."""
        self.status = Prediction.Status(status)
        self.status_note = note
        self.save(update_fields=["status", "status_note", "updated_at"])


# ---------------------------------------------------------------------------------------------
# Interviews and notes (issue 5, second half)
# ---------------------------------------------------------------------------------------------

NOTE_MAX_CHARS = 20_000


class InterviewQuerySet(models.QuerySet):
    def for_campaign(self, campaign):
        return self.filter(campaign=campaign)

    def started(self):
        """Interviews that have begun: in progress or completed (no-shows and cancellations never did)."""
        return self.filter(status__in=[Interview.Status.IN_PROGRESS, Interview.Status.COMPLETED])

    def active(self):
        """Interviews that still hold a slot in someone's calendar."""
        return self.filter(status__in=Interview.ACTIVE_STATUSES)

    def upcoming(self, now=None):
        from django.utils import timezone

        return self.filter(scheduled_at__gte=now or timezone.now())

    def past(self, now=None):
        from django.utils import timezone

        return self.filter(scheduled_at__lt=now or timezone.now())

    def for_team_member(self, user):
        return self.filter(Q(interviewer=user) | Q(note_taker=user))

    def overlapping(self, start, end):
        """Active interviews whose [scheduled_at, ends_at) overlaps [start, end)."""
        return self.active().filter(scheduled_at__lt=end, ends_at__gt=start)


class Interview(models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Phone")
        VIDEO = "video", _("Video")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        NO_SHOW = "no_show", _("No-show")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE_STATUSES = (Status.SCHEDULED, Status.IN_PROGRESS)

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="interviews")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="interviews", verbose_name=_("participant")
    )
    guide = models.ForeignKey(
        InterviewGuide,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interviews",
        verbose_name=_("guide"),
    )
    # Stored in UTC (USE_TZ); `time_zone` is the IANA name it was scheduled in, used to show it back.
    scheduled_at = models.DateTimeField(_("date and time"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    duration = models.DurationField(_("duration"), default=timedelta(minutes=45))
    # scheduled_at + duration, kept so clash detection is one indexed range query.
    ends_at = models.DateTimeField(editable=False)
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.IN_PERSON)
    place_or_link = models.CharField(_("place or link"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGES, default="en")
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="interviews_led",
        verbose_name=_("interviewer"),
    )
    note_taker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interviews_noted",
        verbose_name=_("note-taker"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # Debrief, written by the team right after the interview.
    debrief_top_three = models.TextField(_("top three things we heard"), blank=True, max_length=3000)
    debrief_surprises = models.TextField(_("what surprised us"), blank=True, max_length=3000)
    debrief_emotions = models.TextField(_("emotions we observed"), blank=True, max_length=3000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InterviewQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("scheduled_at")), name="interviews_interview_ends_after"),
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "in_progress", "completed", "no_show", "cancelled"]),
                name="interviews_interview_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "scheduled_at"], name="interviews_iv_campaign_when"),
            models.Index(fields=["interviewer", "scheduled_at"], name="interviews_iv_interviewer_when"),
            models.Index(fields=["note_taker", "scheduled_at"], name="interviews_iv_notetaker_when"),
            models.Index(fields=["participant", "scheduled_at"], name="interviews_iv_participant_when"),
            models.Index(fields=["campaign", "status"], name="interviews_iv_campaign_status"),
        ]

    def __str__(self):
        # The participant's code, never a name: __str__ ends up in logs and audit rows.
        return f"{self.participant} @ {self.scheduled_at:%Y-%m-%d %H:%M} UTC"

    def save(self, *args, **kwargs):
        # Derived column, not business logic: keeps ends_at consistent with its two inputs.
        if self.scheduled_at is not None and self.duration is not None:
            self.ends_at = self.scheduled_at + self.duration
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and ({"scheduled_at", "duration"} & set(update_fields)):
            kwargs["update_fields"] = list({*update_fields, "ends_at"})
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("interviews:detail", args=[self.campaign.slug, self.pk])

    @property
    def duration_minutes(self) -> int:
        return int(self.duration.total_seconds() // 60)

    @property
    def is_active(self):
        return self.status in self.ACTIVE_STATUSES

    @property
    def is_open_for_notes(self):
        """Notes can be typed while the interview runs and afterwards (typing up, fixing)."""
        return self.status in (self.Status.SCHEDULED, self.Status.IN_PROGRESS, self.Status.COMPLETED)

    @property
    def local_scheduled_at(self):
        import zoneinfo

        try:
            tz = zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            tz = zoneinfo.ZoneInfo("UTC")
        return self.scheduled_at.astimezone(tz)

    def _require(self, *allowed):
        from django.core.exceptions import ValidationError

        if self.status not in allowed:
            raise ValidationError(
                _("This interview is %(status)s; that step is not possible now.")
                % {"status": self.get_status_display().lower()}
            )

    def mark_started(self):
        from django.utils import timezone

        if self.status == self.Status.IN_PROGRESS:
            return
        self._require(self.Status.SCHEDULED)
        self.status = self.Status.IN_PROGRESS
        self.started_at = timezone.now()
        self.save(update_fields=["status", "started_at", "updated_at"])

    def mark_completed(self):
        from django.utils import timezone

        self._require(self.Status.SCHEDULED, self.Status.IN_PROGRESS)
        now = timezone.now()
        self.status = self.Status.COMPLETED
        self.started_at = self.started_at or now
        self.completed_at = now
        self.save(update_fields=["status", "started_at", "completed_at", "updated_at"])

    def mark_no_show(self):
        self._require(self.Status.SCHEDULED)
        self.status = self.Status.NO_SHOW
        self.save(update_fields=["status", "updated_at"])

    def mark_cancelled(self, reason: str = ""):
        self._require(self.Status.SCHEDULED)
        self.status = self.Status.CANCELLED
        self.cancel_reason = reason
        self.save(update_fields=["status", "cancel_reason", "updated_at"])

    def reschedule(self, *, scheduled_at, time_zone, duration):
        self._require(self.Status.SCHEDULED)
        self.scheduled_at = scheduled_at
        self.time_zone = time_zone
        self.duration = duration
        self.save(update_fields=["scheduled_at", "time_zone", "duration", "updated_at"])


class NoteQuerySet(models.QuerySet):
    def live(self):
        return self.filter(is_deleted=False)

    def for_campaign(self, campaign):
        return self.filter(campaign=campaign)

    def changed_since(self, since):
        """Notes created, edited or deleted after `since` (for the note-taking page's poll)."""
        return self.filter(updated_at__gt=since)


class Note(models.Model):
    class Kind(models.TextChoices):
        # The order here is the order of the Alt+1..5 shortcuts on the note-taking page.
        QUOTE = "quote", _("Quote")
        OBSERVATION = "observation", _("Observation")
        NONVERBAL = "nonverbal", _("Nonverbal cue")
        FOLLOW_UP = "follow_up", _("Follow-up")
        SUMMARY = "summary", _("Summary")

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="notes")
    # Denormalised from the interview so campaign-wide listings (synthesis, search, exports) and
    # consent filters need no join.
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="notes")
    participant = models.ForeignKey("participants.Participant", on_delete=models.CASCADE, related_name="notes")
    prompt = models.ForeignKey(
        Prompt, on_delete=models.SET_NULL, null=True, blank=True, related_name="notes", verbose_name=_("prompt")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.QUOTE)
    body = models.TextField(_("note"), max_length=NOTE_MAX_CHARS)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="notes", verbose_name=_("author")
    )
    # Optimistic locking: every save names the version it was based on; a stale one is refused.
    version = models.PositiveIntegerField(default=1)
    # Who wrote the current version (the author, or a lead who edited it).
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Generated in the browser; replaying the same note (offline queue, retries) returns the stored one.
    client_id = models.UUIDField()
    is_deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["interview", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "client_id"], name="interviews_note_unique_client_id"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), NOTE_MAX_CHARS), name="interviews_note_body_max_length"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="interviews_note_version_positive"),
        ]
        indexes = [
            models.Index(fields=["campaign", "created_at"], name="interviews_note_campaign_time"),
            models.Index(fields=["interview", "created_at"], name="interviews_note_interview_time"),
            models.Index(fields=["interview", "updated_at"], name="interviews_note_iv_updated"),
            models.Index(fields=["participant"], name="interviews_note_participant"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.body[:60]}"


class NoteRevision(models.Model):
    """A superseded version of a note: its text, kind, who wrote that version and when.

    The note itself holds the current version; its revisions hold every earlier one.
    """

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=Note.Kind.choices)
    body = models.TextField(max_length=NOTE_MAX_CHARS)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    edited_at = models.DateTimeField()

    class Meta:
        ordering = ["note", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["note", "version"], name="interviews_noterevision_unique_version"),
        ]

    def __str__(self):
        return f"{self.note_id} v{self.version}"
