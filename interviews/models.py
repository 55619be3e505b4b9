"""Interview guides, their prompts, the prompt library and the team's predictions.

The Interview and Note models (issue 5, second half) belong in this app too; keep them in
their own section below these so the two halves stay easy to read apart.
"""

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaigns.models import Role

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
