"""Reads for synthesis pages. Each runs a fixed number of queries whatever the data size.

Every read that lists, counts or searches words drops withdrawn participants
(`Highlight.objects.visible()`, `consent.selectors.exclude_withdrawn`).
"""

import difflib
import re
import textwrap
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, Window
from django.db.models.functions import Coalesce, Lower, RowNumber
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns.models import Role
from consent.selectors import exclude_withdrawn, withdrawn_participant_ids
from participants.models import DimensionValue, EquityDimension, Participant, ParticipantValue

from .models import Highlight, HighlightTag, Memo, PublishedQuote, RootCause, Tag, Theme, deleted_note_ids


def parse_id(raw) -> int | None:
    """An id from a query string or form: ASCII digits that fit a bigint, else None ("²" and
    "٣" are digits to Python's isdigit but not ids; a 40-digit number overflows the database)."""
    raw = (raw or "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 18:
        return int(raw)
    return None


def parse_ids(values) -> list[int]:
    return [pk for pk in (parse_id(v) for v in values) if pk is not None]


# --- Board ---------------------------------------------------------------------------------------

BOARD_PAGE_SIZE = 40
THEME_PREVIEW = 3


def visible_highlights(campaign):
    """`Highlight.objects.visible(campaign)`, built once per campaign object (one request): building
    that query (its subqueries of deleted notes and withdrawn participants) costs more Python than
    running it, and a board uses it three times. Callers filter it further (a new queryset each
    time) and never evaluate it as is, so its result cache stays empty."""
    base = getattr(campaign, "_synthesis_visible_highlights", None)
    if base is None:
        base = Highlight.objects.visible(campaign)
        campaign._synthesis_visible_highlights = base
    return base


def _on_theme(campaign):
    """A theme's visible cards, for correlated subqueries (one index range per theme)."""
    return visible_highlights(campaign).filter(theme_id=OuterRef("pk")).order_by()


def themes_with_counts(campaign):
    """Themes with `card_count` and `voice_count` (distinct participants), withdrawn excluded.

    Each count is a correlated subquery reading the theme's range of the (theme, …) index, not
    a join of every theme with every card and note of the campaign."""
    cards = _on_theme(campaign).values("theme_id")
    return Theme.objects.filter(campaign=campaign).annotate(
        card_count=Coalesce(Subquery(cards.annotate(n=Count("pk")).values("n")), 0),
        voice_count=Coalesce(Subquery(cards.annotate(n=Count("participant_id", distinct=True)).values("n")), 0),
    )


def themes_for_board(campaign):
    """`themes_with_counts` plus each theme's preview (`preview_ids`: its first THEME_PREVIEW
    cards, starred first, then newest) on PostgreSQL, read from the (theme, -starred, -id) index
    a few rows per theme."""
    themes = themes_with_counts(campaign).order_by("position", "id")
    if settings.IS_POSTGRES:
        from django.contrib.postgres.expressions import ArraySubquery

        first = _on_theme(campaign).order_by("-starred", "-id").values("pk")[:THEME_PREVIEW]
        themes = themes.annotate(preview_ids=ArraySubquery(first))
    return themes


def card_queryset():
    """Highlights as cards: the participant's code and role, the prompt, the tags (one prefetch)."""
    return (
        Highlight.objects.visible()
        .select_related("participant", "note__prompt", "theme")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
    )


@dataclass
class BoardFilters:
    tag: int | None = None
    prompt: int | None = None
    role: str = ""
    value: int | None = None
    theme: str = ""  # "" all, "none" not yet on a theme, or a theme id
    starred: bool = False
    dissenting: bool = False

    @classmethod
    def from_request(cls, data):
        def as_int(name):
            return parse_id(data.get(name))

        theme = data.get("theme", "none")
        return cls(
            tag=as_int("tag"),
            prompt=as_int("prompt"),
            role=data.get("role", "") if data.get("role", "") in Participant.Role.values else "",
            value=as_int("value"),
            theme=theme if theme in ("", "none") or parse_id(theme) is not None else "none",
            starred=data.get("starred") == "1",
            dissenting=data.get("dissenting") == "1",
        )

    def apply(self, qs):
        if self.tag:
            qs = qs.filter(tag_links__tag_id=self.tag)
        if self.prompt:
            qs = qs.filter(note__prompt_id=self.prompt)
        if self.role:
            qs = qs.filter(participant__role=self.role)
        if self.value:
            qs = qs.filter(participant__dimension_values__value_id=self.value)
        if self.theme == "none":
            qs = qs.filter(theme__isnull=True)
        elif self.theme:
            qs = qs.filter(theme_id=int(self.theme))
        if self.starred:
            qs = qs.filter(starred=True)
        if self.dissenting:
            qs = qs.filter(dissenting=True)
        return qs

    def querystring(self) -> str:
        from urllib.parse import urlencode

        pairs = {
            "tag": self.tag or "",
            "prompt": self.prompt or "",
            "role": self.role,
            "value": self.value or "",
            "theme": self.theme,
            "starred": "1" if self.starred else "",
            "dissenting": "1" if self.dissenting else "",
        }
        return urlencode({k: v for k, v in pairs.items() if v != "" or k == "theme"})


CARD_ORDER = ("-created_at", "-id")


class CardPages:
    """What the board's Paginator pages over: the count and each page's ids come from the
    highlights alone (the (campaign, theme, -created_at, -id) index, no join); only the page's
    forty cards are then read with their participant, prompt, theme and tags.

    Without it the database joined every candidate card (3,000 in the pool of a large campaign)
    to its note, participant and prompt, then sorted them all to keep forty."""

    def __init__(self, ids, cards, order=CARD_ORDER):
        self.ids, self.cards, self.order = ids, cards, order

    def count(self):
        return self.ids.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, k):
        if not isinstance(k, slice):
            raise TypeError("CardPages is read a page (a slice) at a time")
        return self.cards.filter(pk__in=self.ids.values("pk")[k]).order_by(*self.order)


CARD_FIELDS = (
    "id",
    "campaign_id",
    "note_id",
    "participant_id",
    "theme_id",
    "quote",
    "starred",
    "dissenting",
    "needs_review",
    "created_at",
    "participant__id",
    "participant__code",
    "participant__role",
    "participant__campaign_id",
    "participant__is_minor",
    "participant__grade",
    "participant__status",
    "note__id",
    "note__prompt__id",
    "note__prompt__text",
    "theme__id",
    "theme__title",
)


def _cards():
    """The rows a card shows (the columns it needs, not whole notes and participants), with its
    tags in one prefetch."""
    return (
        Highlight.objects.select_related("participant", "note__prompt", "theme")
        .only(*CARD_FIELDS)
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name").only("pk", "name")))
    )


def board_cards(campaign, filters: BoardFilters) -> CardPages:
    ids = filters.apply(visible_highlights(campaign)).order_by(*CARD_ORDER)
    return CardPages(ids, _cards())


def theme_evidence(campaign, theme) -> CardPages:
    """A theme's cards, starred first, then dissenting voices, then newest: paged like the board."""
    ids = visible_highlights(campaign).filter(theme=theme).order_by("-starred", "-dissenting", "-id")
    return CardPages(ids, _cards(), order=("-starred", "-dissenting", "-id"))


def theme_previews(campaign, themes, per_theme=THEME_PREVIEW) -> dict[int, list[dict]]:
    """The first few cards of each theme (starred first, then newest), in one query: plain rows
    with `theme_id`, `quote` and `participant_code` (all a preview shows; no model instances).

    PostgreSQL: the ids `themes_for_board` found per theme; elsewhere a window function."""
    themes = list(themes)
    if not themes:
        return {}
    previews = {t.pk: [] for t in themes}
    if settings.IS_POSTGRES:
        ids = [pk for t in themes for pk in (t.preview_ids or [])]
        # The participant's code by a lookup per row (a subquery), not a join the planner would
        # make by hashing every participant of the campaign for a few hundred cards.
        code = Subquery(Participant.objects.filter(pk=OuterRef("participant_id")).values("code")[:1])
        rows = Highlight.objects.filter(pk__in=ids).annotate(participant_code=code).order_by("-starred", "-id")
    else:
        rows = (
            visible_highlights(campaign)
            .filter(theme_id__in=list(previews))
            .annotate(
                participant_code=F("participant__code"),
                row=Window(RowNumber(), partition_by=[F("theme_id")], order_by=[F("starred").desc(), F("id").desc()]),
            )
            .filter(row__lte=per_theme)
            .order_by("theme_id", "row")
        )
    for h in rows.values("theme_id", "quote", "participant_code"):
        previews[h["theme_id"]].append(h)
    return previews


def filter_options(campaign):
    """Tags, prompts and dimension values for the board's and search's filters (three queries)."""
    from interviews.models import Prompt

    return {
        # One campaign's rows: ordered by their own columns (the models' default ordering starts
        # with the campaign, which makes the database join and sort by the campaign's).
        # Plain rows (`t.pk`, `t.name` in templates): hundreds of tags, no model instances.
        "tags": list(Tag.objects.for_campaign(campaign).order_by(Lower("name")).values("pk", "name")),
        "prompts": list(
            Prompt.objects.filter(guide__campaign=campaign)
            .select_related("guide")
            .order_by("guide__title", "kind", "position")
        ),
        "values": list(
            DimensionValue.objects.filter(dimension__campaign=campaign)
            .select_related("dimension")
            .order_by("dimension__position", "dimension_id", "position", "id")
        ),
        "roles": Participant.Role.choices,
    }


# --- Whose voices --------------------------------------------------------------------------------


MISSING_MIN_SHARE = 5


@dataclass
class GroupCount:
    label: str
    count: int
    share: float | None  # of the voices heard, in percent
    population_share: float | None = None
    marginalized: bool = False

    @property
    def missing(self) -> bool:
        return self.count == 0 and bool(self.population_share)


@dataclass
class DimensionVoices:
    dimension: EquityDimension
    rows: list[GroupCount] = field(default_factory=list)
    not_recorded: int = 0

    @property
    def missing(self) -> list[GroupCount]:
        return [r for r in self.rows if r.missing]


@dataclass
class Voices:
    total: int
    roles: list[GroupCount]
    dimensions: list[DimensionVoices]

    @property
    def one_person(self) -> bool:
        return self.total == 1

    @property
    def one_group(self) -> str:
        """The one group every voice belongs to, when there is one and more than one voice."""
        if self.total < 2:
            return ""
        heard_roles = [r for r in self.roles if r.count]
        if len(heard_roles) == 1:
            return heard_roles[0].label
        for d in self.dimensions:
            heard = [r for r in d.rows if r.count]
            others = [r for r in d.rows if not r.count and r.population_share]
            if len(heard) == 1 and heard[0].count == self.total and others:
                return f"{d.dimension.name}: {heard[0].label}"
        return ""

    @property
    def summary(self) -> str:
        """ "Heard from 14 participants: 10 family members, 4 students." """
        if not self.total:
            return _("No one yet: put highlights on this theme.")
        parts = ", ".join(f"{r.label} {r.count}" for r in self.roles if r.count)
        return ngettext(
            "Heard from %(n)s participant: %(parts)s.", "Heard from %(n)s participants: %(parts)s.", self.total
        ) % {"n": self.total, "parts": parts}

    @property
    def missing_sentences(self) -> list[str]:
        """ "None whose Home language is Spanish." for each group with a population share and no voice."""
        return [
            _("No one whose %(dimension)s is %(value)s (%(share)s%% of those affected).")
            % {"dimension": d.dimension.name.lower(), "value": row.label, "share": f"{row.population_share:g}"}
            for d in self.dimensions
            for row in d.missing
            if row.marginalized or row.population_share >= MISSING_MIN_SHARE
        ]


def _pct(count, total):
    return round(100 * count / total, 1) if total else None


def whose_voices(campaign, highlights) -> Voices:
    """Distinct participants behind `highlights`, by role and by every equity dimension.

    Queries: role counts, value counts, dimensions, their values (prefetch) — four, always.
    """
    participant_ids = (
        highlights.filter(campaign=campaign)
        .exclude(note_id__in=deleted_note_ids())
        .exclude(participant_id__in=withdrawn_participant_ids(campaign))
        .values("participant_id")
    )
    people = Participant.objects.filter(pk__in=participant_ids)
    by_role = dict(people.order_by().values_list("role").annotate(n=Count("pk")))
    total = sum(by_role.values())
    roles = [
        GroupCount(label=str(label), count=by_role.get(value, 0), share=_pct(by_role.get(value, 0), total))
        for value, label in Participant.Role.choices
        if by_role.get(value, 0)
    ]
    by_value = dict(
        ParticipantValue.objects.filter(participant__in=people)
        .order_by()
        .values_list("value_id")
        .annotate(n=Count("participant_id", distinct=True))
    )
    dimensions = []
    for dimension in EquityDimension.objects.filter(campaign=campaign).prefetch_related("values"):
        rows = []
        for value in dimension.values.all():
            n = by_value.get(value.pk, 0)
            share = float(value.population_share) if value.population_share is not None else None
            rows.append(GroupCount(value.label, n, _pct(n, total), share, value.often_marginalized))
        dimensions.append(
            DimensionVoices(dimension=dimension, rows=rows, not_recorded=max(total - sum(r.count for r in rows), 0))
        )
    return Voices(total=total, roles=roles, dimensions=dimensions)


# --- Codebook ------------------------------------------------------------------------------------

CODEBOOK_EXAMPLES = 2


def codebook(campaign):
    """Tags with highlight counts (withdrawn excluded) and memo counts."""
    visible = ~Q(highlight_links__highlight__participant__in=withdrawn_participant_ids()) & Q(
        highlight_links__highlight__note__is_deleted=False
    )
    return (
        Tag.objects.for_campaign(campaign)
        .annotate(
            highlight_count=Count("highlight_links", filter=visible, distinct=True),
            memo_count=Count("memos", distinct=True),
        )
        .order_by("name")
    )


def tag_examples(tag_ids, per_tag=CODEBOOK_EXAMPLES) -> dict[int, list[Highlight]]:
    """A few example highlights per tag, starred first, in one query."""
    if not tag_ids:
        return {}
    links = (
        exclude_withdrawn(
            HighlightTag.objects.filter(tag_id__in=tag_ids, highlight__note__is_deleted=False),
            "highlight__participant",
        )
        .select_related("highlight__participant")
        .annotate(
            row=Window(
                RowNumber(), partition_by=[F("tag_id")], order_by=[F("highlight__starred").desc(), F("id").desc()]
            )
        )
        .filter(row__lte=per_tag)
        .order_by("tag_id", "row")
    )
    examples = {pk: [] for pk in tag_ids}
    for link in links:
        examples[link.tag_id].append(link.highlight)
    return examples


# --- Published findings --------------------------------------------------------------------------


def published_themes(campaign):
    return themes_with_counts(campaign).filter(published_at__isnull=False).order_by("position", "id")


def published_quotes(theme_ids) -> dict[int, list[PublishedQuote]]:
    """Chosen quotes of published themes, as they may be shown to viewers today. Two queries.

    Checked on every read, not only when the lead published: a participant who withdrew, or
    whose newer consent no longer allows quoting, drops out at once; so does a quote whose note
    was deleted, whose card left the theme, or whose words are no longer in the edited note
    (`needs_review`: the note may have been edited to take a name out). Each quote's `text` is
    its words with the participant's own name, email and phone scrubbed (exports' Scrubber).
    """
    from consent.selectors import scopes_by_participant
    from exports.anonymize import Scrubber

    quotes = list(
        exclude_withdrawn(
            PublishedQuote.objects.filter(
                theme_id__in=theme_ids,
                highlight__theme_id=F("theme_id"),
                highlight__needs_review=False,
                highlight__note__is_deleted=False,
            ),
            "highlight__participant",
        ).select_related("highlight__participant")
    )
    scopes = scopes_by_participant({q.highlight.participant_id for q in quotes})
    by_theme = {pk: [] for pk in theme_ids}
    for q in quotes:
        scope = scopes.get(q.highlight.participant_id)
        if scope is None or not scope.may_quote:
            continue
        p = q.highlight.participant
        q.scopes = scope
        q.text = Scrubber(p.full_name, p.email, p.phone).scrub(q.highlight.quote)
        by_theme[q.theme_id].append(q)
    return by_theme


# --- Search --------------------------------------------------------------------------------------

MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
SEARCH_PAGE_SIZE = 20
SEARCH_COUNT_CAP = 1000


def _terms(q: str) -> list[str]:
    return [t for t in re.findall(r"\w+", q.lower()) if len(t) > 1][:10]


def search_notes(campaign, q: str, *, kind="", prompt=None, tag=None, role=""):
    """Notes of the campaign matching `q`, best first, each with `headline` (marked with sentinels).

    Postgres: full-text search in English (stemming) over a stored tsvector column with a GIN
    index (migration 0003), ranked by ts_rank, headline by ts_headline. SQLite: icontains on each word,
    newest first, the headline cut around the first match.
    """
    from interviews.models import Note

    # The campaign's withdrawn as `participant_id NOT IN (…)` (an index read), not a join of
    # every matching note to its participant.
    notes = (
        Note.objects.live()
        .for_campaign(campaign)
        .exclude(participant_id__in=withdrawn_participant_ids(campaign))
        .select_related("participant", "prompt")
    )
    if kind in Note.Kind.values:
        notes = notes.filter(kind=kind)
    if prompt:
        notes = notes.filter(prompt_id=prompt)
    if role in Participant.Role.values:
        notes = notes.filter(participant__role=role)
    if tag:
        notes = notes.filter(pk__in=Highlight.objects.filter(tag_links__tag_id=tag).values("note_id"))
    terms = _terms(q)
    if not terms:
        return notes.none()
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
        from django.db.models.expressions import RawSQL

        query = SearchQuery(q, config="english", search_type="websearch")
        # The stored, GIN-indexed tsvector column added by migration 0003 (same as
        # to_tsvector('english', body)); the outer query's table is never aliased.
        vector = RawSQL('"interviews_note"."synthesis_search"', [], output_field=SearchVectorField())
        return (
            notes.annotate(search=vector)
            .filter(search=query)
            .annotate(rank=SearchRank(F("search"), query))
            .order_by("-rank", "-created_at", "-id")
        )
    for term in terms:
        notes = notes.filter(body__icontains=term)
    return notes.order_by("-created_at", "-id")


def strip_sentinels(text: str) -> str:
    """A user's text without our mark sentinels (so only our marks become <mark>)."""
    return text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


def fallback_headline(body: str, terms: list[str], width: int = 240) -> str:
    """Without Postgres: the text around the first match, each term wrapped in sentinels."""
    lower = body.lower()
    first = min((i for i in (lower.find(t) for t in terms) if i >= 0), default=0)
    start = max(first - width // 3, 0)
    snippet = body[start : start + width]
    if terms:
        pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
        snippet = pattern.sub(lambda m: MARK_OPEN + m.group(0) + MARK_CLOSE, snippet)
    return ("…" if start else "") + snippet + ("…" if start + width < len(body) else "")


def marked_html(text: str) -> str:
    """Escape user text first, then turn the sentinels into <mark>: the only markup in the result."""
    safe = escape(text.replace("<mark>", "").replace("</mark>", ""))
    return mark_safe(safe.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))  # noqa: S308 (escaped above)


def search_page(results, number):
    """One page of ranked ids: the best SEARCH_COUNT_CAP + 1 ids in one query (ids only: no
    joins, no headlines), which is also the capped count. Ranking has to read every match
    anyway to find the best twenty, so keeping the first thousand ids costs little more than a
    separate count did, and saves that second pass over the matches."""
    ids = list(results.values_list("pk", flat=True)[: SEARCH_COUNT_CAP + 1])
    return Paginator(ids, SEARCH_PAGE_SIZE).get_page(number)


def notes_with_headlines(ids, q: str) -> list:
    """The page's notes in rank order, each with `headline_html`: one query.

    Postgres: ts_headline (stemmed words marked) for these notes only; SQLite: our own cut.
    Either way the text is escaped first and only our <mark> is markup.
    """
    from interviews.models import Note

    ids = list(ids)
    if not ids:
        return []
    notes = Note.objects.filter(pk__in=ids).select_related("participant", "prompt")
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import SearchHeadline, SearchQuery
        from django.db.models import Value
        from django.db.models.functions import Replace

        query = SearchQuery(q, config="english", search_type="websearch")
        # The sentinels are ours: a note that contains them itself loses them before marking.
        body = Replace(Replace(F("body"), Value(MARK_OPEN), Value("")), Value(MARK_CLOSE), Value(""))
        notes = notes.annotate(
            headline=SearchHeadline(
                body,
                query,
                config="english",
                start_sel=MARK_OPEN,
                stop_sel=MARK_CLOSE,
                max_words=40,
                min_words=15,
                max_fragments=2,
            )
        )
    by_id = {n.pk: n for n in notes}
    terms = _terms(q)
    out = [by_id[pk] for pk in ids if pk in by_id]
    for note in out:
        raw = getattr(note, "headline", None) or fallback_headline(strip_sentinels(note.body), terms)
        note.headline_html = marked_html(raw)
    return out


SEARCH_HIGHLIGHTS = 10


def search_highlights(campaign, q: str, *, role="", tag=None, limit=SEARCH_HIGHLIGHTS) -> list[Highlight]:
    """Highlights whose words or memos contain every word of `q` (case-insensitive), starred
    first, newest first: the first `limit`, each with `headline_html`. One query.

    Same rules as the board: withdrawn participants and deleted notes are never included. Memos
    are the team's own words; search is a team page (analysts see codes, never names).
    """
    terms = _terms(q)
    if not terms:
        return []
    hs = visible_highlights(campaign).select_related("participant", "theme")
    if role in Participant.Role.values:
        hs = hs.filter(participant__role=role)
    if tag:
        hs = hs.filter(tag_links__tag_id=tag)
    for term in terms:
        hs = hs.filter(
            Q(quote__icontains=term) | Q(pk__in=Memo.objects.filter(body__icontains=term).values("highlight_id"))
        )
    out = list(hs.order_by("-starred", "-id")[:limit])
    for h in out:
        h.headline_html = marked_html(fallback_headline(strip_sentinels(h.quote), terms))
    return out


def search_tag_memos(campaign, q: str, *, limit=SEARCH_HIGHLIGHTS) -> list[Memo]:
    """Memos on tags (the codebook's reasoning) containing every word of `q`. One query."""
    terms = _terms(q)
    if not terms:
        return []
    memos = Memo.objects.filter(tag__campaign=campaign).select_related("tag", "author")
    for term in terms:
        memos = memos.filter(body__icontains=term)
    out = list(memos.order_by("-id")[:limit])
    for m in out:
        m.headline_html = marked_html(fallback_headline(strip_sentinels(m.body), terms))
    return out


def tags_by_note(note_ids) -> dict[int, list[str]]:
    """Tag names per note (through its highlights), one query."""
    rows = (
        exclude_withdrawn(
            HighlightTag.objects.filter(highlight__note_id__in=note_ids, highlight__note__is_deleted=False),
            "highlight__participant",
        )
        .values_list("highlight__note_id", "tag__name")
        .distinct()
        .order_by("tag__name")
    )
    out = {}
    for note_id, name in rows:
        out.setdefault(note_id, []).append(name)
    return out


# --- The issue statement page --------------------------------------------------------------------

ISSUE_QUOTES_PER_THEME = 2


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """[(op, text)] with op in "same", "add", "del": a word-level diff, rendered escaped."""
    a, b = old.split(), new.split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", " ".join(a[i1:i2])))
        if op in ("delete", "replace"):
            out.append(("del", " ".join(a[i1:i2])))
        if op in ("insert", "replace"):
            out.append(("add", " ".join(b[j1:j2])))
    return out


@dataclass
class VersionEvidence:
    themes: list = field(default_factory=list)
    root_causes: list = field(default_factory=list)
    diff: list = field(default_factory=list)


def attach_issue_evidence(versions, membership) -> list:
    """Give each issue statement version `.evidence`: the themes and root causes behind it, their
    words, and a word-level diff against the previous version.

    Viewers see only published themes (and their published quotes); the team sees every theme
    and a few of its highlights. Withdrawn participants' words never appear.
    Queries: previous versions' texts, themes, root causes, quotes (and, for viewers, their
    consent scopes) — four or five, whatever the page size.
    """
    from campaigns.models import IssueStatement

    versions = list(versions)
    if not versions:
        return versions
    team = membership.role != Role.VIEWER
    ids = [v.pk for v in versions]
    campaign_id = versions[0].campaign_id
    previous = dict(
        IssueStatement.objects.filter(
            campaign_id=campaign_id, version__in=[v.version - 1 for v in versions]
        ).values_list("version", "text")
    )
    themes = Theme.objects.filter(issue_statements__in=ids).annotate(version_id=F("issue_statements__id"))
    causes = RootCause.objects.filter(issue_statements__in=ids).annotate(version_id=F("issue_statements__id"))
    if not team:
        themes = themes.filter(published_at__isnull=False)
        causes = causes.filter(theme__published_at__isnull=False)
    themes = list(themes.order_by("position", "id"))
    causes = list(causes.select_related("theme"))
    theme_ids = list({t.pk for t in themes} | {c.theme_id for c in causes})
    quotes: dict[int, list] = {pk: [] for pk in theme_ids}
    if theme_ids and team:
        rows = (
            Highlight.objects.visible()
            .filter(theme_id__in=theme_ids, needs_review=False)
            .select_related("participant")
            .annotate(row=Window(RowNumber(), partition_by=[F("theme_id")], order_by=[F("starred").desc(), F("id")]))
            .filter(row__lte=ISSUE_QUOTES_PER_THEME)
        )
        for h in rows:
            quotes[h.theme_id].append(h)
    elif theme_ids:
        # Viewers: the published quotes as findings shows them (consent checked now, scrubbed).
        for theme_id, published in published_quotes(theme_ids).items():
            for pq in published[:ISSUE_QUOTES_PER_THEME]:
                pq.highlight.quote = pq.text
                quotes[theme_id].append(pq.highlight)
    by_version = {pk: VersionEvidence() for pk in ids}
    for t in themes:
        t.quotes = quotes.get(t.pk, [])
        by_version[t.version_id].themes.append(t)
    for c in causes:
        c.quotes = quotes.get(c.theme_id, [])
        by_version[c.version_id].root_causes.append(c)
    for v in versions:
        evidence = by_version[v.pk]
        if v.version - 1 in previous:
            evidence.diff = word_diff(previous[v.version - 1], v.text)
        v.evidence = evidence
    return versions


# --- Fishbone ------------------------------------------------------------------------------------

FISHBONE_LINES = 4
FISHBONE_CHARS = 30


def fishbone_layout(causes) -> list[dict]:
    """Coordinates for the server-drawn fishbone SVG (viewBox 0 0 1000 520).

    Six bones, three above the spine and three below, in the category order; each lists up to
    four causes (wrapped on two lines, shortened beyond that, the full text in a <title>) and
    "+ n more" (the full list is below the drawing, and that is what prints in full).
    """
    from .models import RootCause

    spine_y, top_y, bottom_y = 260, 40, 480
    xs = [250, 510, 770]
    bones = []
    for i, (value, label) in enumerate(RootCause.Category.choices):
        top = i < 3
        x0 = xs[i % 3]
        end_y = top_y if top else bottom_y
        mine = [c for c in causes if c.category == value]
        lines = []
        for n, cause in enumerate(mine[:FISHBONE_LINES]):
            y = (top_y + 38 + n * 38) if top else (spine_y + 38 + n * 38)
            # x of the bone at this height; the text ends just left of it (text-anchor="end").
            x = x0 + 100 * (y - end_y) / (spine_y - end_y) if top else x0 + 100 * (end_y - y) / (end_y - spine_y)
            rows = textwrap.wrap(cause.statement, FISHBONE_CHARS) or [""]
            if len(rows) > 2:
                rows = [rows[0], rows[1][: FISHBONE_CHARS - 1].rstrip() + "…"]
            lines.append(
                {"x": round(x - 8), "y": y - (7 if len(rows) > 1 else 0), "rows": rows, "full": cause.statement}
            )
        bones.append(
            {
                "value": value,
                "label": label,
                "x1": x0,
                "y1": end_y,
                "x2": x0 + 100,
                "y2": spine_y,
                "label_y": end_y - 10 if top else end_y + 24,
                "lines": lines,
                "more": max(len(mine) - FISHBONE_LINES, 0),
                "more_y": (top_y + 38 + FISHBONE_LINES * 38) if top else (spine_y + 38 + FISHBONE_LINES * 38),
                "causes": mine,
            }
        )
    return bones
