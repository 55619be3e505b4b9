"""Synthesis: highlighted words, tags (codes), themes, why-chains and root causes.

How a highlight stays attached to its words when the note is edited afterwards
------------------------------------------------------------------------------
A highlight stores the note, the character offsets `[start, end)` into the note's body, the
quoted words themselves and the note `version` the offsets were taken from. Notes are edited
(with optimistic locking) on the note-taking page, so a highlight may go stale. When the board
or the notes page is opened, `services.highlights_reanchor_stale` re-checks the highlights whose
`note_version` is behind their note's version (one query when nothing is stale); the interviews
app may also call `services.highlight_reanchor` right after an edit. On PostgreSQL "is behind" is
kept at write time: a trigger on the note's `version` (and one on the highlight's insert) sets
`Highlight.anchor_stale`, so that check reads a small partial index instead of joining every
highlight of the campaign to its note on every GET (migration 0004); whatever edits the note
(the note-taking page, the admin, a bulk UPDATE) is caught the same way.

1. the words are still at the same offsets → only the version is bumped;
2. the words occur elsewhere in the body → the offsets move to the occurrence nearest the old
   start (so a line added above the quote does not break it);
3. the words are gone → the highlight keeps its old quote and is flagged `needs_review`; it is
   shown with a warning until someone re-selects the words or deletes it.

The quoted text is what every page shows, so a stale or flagged highlight never shows someone
words other than the ones that were highlighted.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

QUOTE_MAX_CHARS = 2000


class TagQuerySet(models.QuerySet):
    def for_campaign(self, campaign):
        return self.filter(campaign=campaign)


class Tag(models.Model):
    """A code applied to highlights ("transportation", "feeling unwelcome")."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", Lower("name")]
        constraints = [
            models.UniqueConstraint(Lower("name"), "campaign", name="synthesis_unique_tag_name"),
            models.CheckConstraint(condition=~Q(name=""), name="synthesis_tag_name_not_empty"),
        ]

    def __str__(self):
        return self.name


class Theme(models.Model):
    """A column of the affinity board: highlights that say one thing together."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="themes")
    title = models.CharField(_("title"), max_length=150)
    statement = models.TextField(
        _("statement"), blank=True, max_length=2000, help_text=_("What we heard, in one or two sentences.")
    )
    position = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The issue statement versions this theme motivated (campaigns.services.issue_statement_refine
    # sets them through the reverse name: statement.themes.set(...)).
    issue_statements = models.ManyToManyField("campaigns.IssueStatement", blank=True, related_name="themes")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign", "position", "id"]
        constraints = [
            models.UniqueConstraint(Lower("title"), "campaign", name="synthesis_unique_theme_title"),
            models.CheckConstraint(condition=~Q(title=""), name="synthesis_theme_title_not_empty"),
        ]
        indexes = [models.Index(fields=["campaign", "published_at"], name="synthesis_theme_published")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("synthesis:theme", args=[self.campaign.slug, self.pk])

    @property
    def is_published(self):
        return self.published_at is not None


def deleted_note_ids():
    """The ids of soft-deleted notes, a lazy subquery: `note_id NOT IN (…)` reads a few rows of a
    partial index (migration 0004) where `note__is_deleted=False` joined every note."""
    from interviews.models import Note

    return Note.objects.filter(is_deleted=True).values("pk")


class HighlightQuerySet(models.QuerySet):
    def for_campaign(self, campaign):
        return self.filter(campaign=campaign)

    def visible(self, campaign=None):
        """Highlights whose words may be shown: never a withdrawn participant's, never words of a
        note that was deleted (interviews soft-deletes notes: `Note.is_deleted`).

        With `campaign` (the highlights' own campaign) the withdrawn are dropped with
        `participant_id NOT IN (the campaign's withdrawn)` — an index read, no join to every
        participant — and only that campaign's highlights are kept."""
        from consent.selectors import exclude_withdrawn, withdrawn_participant_ids

        live = self.exclude(note_id__in=deleted_note_ids())
        if campaign is None:
            return exclude_withdrawn(live, "participant")
        return live.filter(campaign=campaign).exclude(participant_id__in=withdrawn_participant_ids(campaign))

    def stale(self):
        """Highlights whose note changed since their offsets were taken.

        PostgreSQL keeps `anchor_stale` up to date at write time (triggers, migration 0004), so
        this is a lookup in a small partial index, not a join of every highlight with its note;
        other databases compare the versions."""
        from django.db import connection

        if connection.vendor == "postgresql":
            return self.filter(anchor_stale=True)
        return self.filter(note_version__lt=F("note__version"))


class Highlight(models.Model):
    """A span of a note's words. Offsets are into `note.body` at `note_version` (see module doc)."""

    note = models.ForeignKey("interviews.Note", on_delete=models.CASCADE, related_name="highlights")
    # Denormalised from the note so board, search and consent filters need no join.
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="highlights")
    participant = models.ForeignKey("participants.Participant", on_delete=models.CASCADE, related_name="highlights")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField(_("words"), max_length=QUOTE_MAX_CHARS)
    note_version = models.PositiveIntegerField(default=1)
    # Set by the database, never by Python (PostgreSQL triggers, migration 0004): true while
    # `note_version` is behind the note's version, i.e. from the moment the note is edited until
    # the highlight is re-anchored. It makes "anything stale?" an index lookup on every board GET.
    anchor_stale = models.BooleanField(default=False, editable=False)
    needs_review = models.BooleanField(
        _("needs review"), default=False, help_text=_("The note was edited and these words are no longer in it.")
    )
    # A highlight is on at most one theme: moving a card is one UPDATE of this column, so two
    # people moving the same card at once end with it in exactly one column (the later move).
    theme = models.ForeignKey(Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="highlights")
    tags = models.ManyToManyField(Tag, through="HighlightTag", related_name="highlights", blank=True)
    starred = models.BooleanField(_("starred"), default=False, help_text=_("A quote that matters for the report."))
    dissenting = models.BooleanField(
        _("dissenting voice"), default=False, help_text=_("Stays visible even when it fits no majority theme.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HighlightQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="synthesis_highlight_span_not_empty"),
            models.CheckConstraint(condition=~Q(quote=""), name="synthesis_highlight_quote_not_empty"),
        ]
        indexes = [
            # The board's cards, newest first, for a theme or the pool (theme IS NULL): read in
            # order, and counted from the index alone (participant and note for `visible`).
            models.Index(
                fields=["campaign", "theme", "-created_at", "-id", "participant", "note"],
                name="synthesis_hl_board_order",
            ),
            # A theme's preview on the board (its starred cards first, then the newest) and its
            # card and voice counts: the last three columns let those counts be read from the
            # index alone (an index-only scan), without visiting each card's row.
            models.Index(
                fields=["theme", "-starred", "-id", "campaign", "participant", "note"], name="synthesis_hl_theme_cards"
            ),
            models.Index(fields=["campaign"], condition=Q(anchor_stale=True), name="synthesis_hl_anchor_stale"),
            # Search's matching highlights, starred first, then newest: read in order, stop at ten.
            models.Index(fields=["campaign", "-starred", "-id"], name="synthesis_hl_campaign_starred"),
            models.Index(fields=["note", "start"], name="synthesis_hl_note_start"),
            models.Index(fields=["participant"], name="synthesis_hl_participant"),
        ]

    def __str__(self):
        return f"“{self.quote[:60]}”"


class HighlightTag(models.Model):
    highlight = models.ForeignKey(Highlight, on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="highlight_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["highlight", "tag"], name="synthesis_unique_highlight_tag"),
        ]
        indexes = [models.Index(fields=["tag", "highlight"], name="synthesis_tag_highlight")]

    def __str__(self):
        return f"{self.highlight_id}:{self.tag_id}"


class Memo(models.Model):
    """The analyst's reasoning, attached to a highlight or to a tag."""

    highlight = models.ForeignKey(Highlight, on_delete=models.CASCADE, null=True, blank=True, related_name="memos")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, null=True, blank=True, related_name="memos")
    body = models.TextField(_("memo"), max_length=4000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(highlight__isnull=False) & Q(tag__isnull=True))
                | (Q(highlight__isnull=True) & Q(tag__isnull=False)),
                name="synthesis_memo_on_highlight_or_tag",
            ),
            models.CheckConstraint(condition=~Q(body=""), name="synthesis_memo_not_empty"),
        ]

    def __str__(self):
        return self.body[:60]


class WhyStep(models.Model):
    """One "why?" of a theme's why-chain; it must cite the words that back it ("How do you know?")."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="why_steps")
    position = models.PositiveSmallIntegerField()
    answer = models.TextField(_("because…"), max_length=1000)
    evidence = models.ManyToManyField(Highlight, related_name="why_steps", verbose_name=_("how do you know?"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["theme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "position"], name="synthesis_unique_why_position"),
            models.CheckConstraint(condition=~Q(answer=""), name="synthesis_why_answer_not_empty"),
        ]

    def __str__(self):
        return f"Why {self.position}: {self.answer[:60]}"


class RootCause(models.Model):
    class Category(models.TextChoices):
        # The order of the fishbone's bones.
        POLICIES = "policies", _("Policies")
        PRACTICES = "practices", _("Practices")
        PEOPLE = "people", _("People")
        RESOURCES = "resources", _("Resources")
        BELIEFS = "beliefs", _("Beliefs")
        PLACE = "place", _("Place")

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="root_causes")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    statement = models.CharField(_("root cause"), max_length=300)
    evidence = models.ManyToManyField(Highlight, related_name="root_causes", verbose_name=_("how do you know?"))
    issue_statements = models.ManyToManyField("campaigns.IssueStatement", blank=True, related_name="root_causes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["theme", "category", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=["policies", "practices", "people", "resources", "beliefs", "place"]),
                name="synthesis_root_cause_category_valid",
            ),
            models.CheckConstraint(condition=~Q(statement=""), name="synthesis_root_cause_not_empty"),
        ]

    def __str__(self):
        return self.statement[:80]


class PublishedQuote(models.Model):
    """A quote a lead chose to show with a published theme (consent-cleared when chosen)."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="published_quotes")
    highlight = models.ForeignKey(Highlight, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["theme", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "highlight"], name="synthesis_unique_published_quote"),
        ]

    def __str__(self):
        return f"{self.theme_id}:{self.highlight_id}"


class CampaignGeneration(models.Model):
    """A counter per campaign that database triggers move on every write to the rows the
    synthesis pages show (migration 0006; `synthesis.generations`). Pages cache what they
    computed under it: a new generation is a new key, so nothing cached is shown after a write.

    `campaign_id` is a plain column, not a foreign key: a campaign being deleted fires the
    triggers of its rows as they go, and the row they write must not block the delete."""

    campaign_id = models.BigIntegerField(primary_key=True)
    generation = models.BigIntegerField(default=0)
    # Moves when only notes' words change (migration 0006's TEXT_ONLY): search reads it too.
    text_generation = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.campaign_id}@{self.generation}"
