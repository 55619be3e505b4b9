"""The tables an export writes: header and rows, streamed from the database in chunks.

Every table takes an `ExportContext`, which holds what is needed for every row at once (the
campaign's participants, their consent scopes, the group sizes for attribution) so rows are
built without a query each. The rules applied to every participant's words:

- withdrawn participants: left out by the query (consent.selectors), in every table;
- anonymized (the default): pseudonym codes, no names or contacts, free text scrubbed of the
  participant's own name, email and phone; words of a participant who did not agree to be
  quoted are withheld (the row stays, so counts hold); attribution as `attribution_for` says;
- identified (lead, with a reason, audited): names and contacts, every word, the consent scopes.
"""

import queue
import threading
from contextlib import closing
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby, islice
from operator import itemgetter

from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from consent.selectors import status_from_records, withdrawn_participant_ids

from .anonymize import FORMULA_FIRST, Scrubber, _same, safe_cell
from .attribution import attribution_for, campaign_group_sizes, group_sizes_from
from .writers import csv_field

CHUNK_SIZE = 2000
CSV_FETCH = 5000  # rows per fetch when reading ahead
READ_AHEAD = 2  # chunks fetched and waiting at most
_participant = itemgetter(2)
SCRUBBER_CACHE = 64


def withheld_text() -> str:
    return _("[withheld: this participant did not agree to be quoted]")


@dataclass
class Person:
    pk: int
    code: str
    role: str
    role_label: str
    grade: str
    full_name: str
    email: str
    phone: str


@dataclass
class _ConsentPerson:
    """What consent's rule reads of a participant (`required_kinds`, `ConsentStatus.withdrawn`)."""

    pk: int
    is_minor: bool
    status: str


@dataclass
class _ConsentValues:
    """What consent's rule reads of a consent record (`Scopes.most_restrictive`)."""

    kind: str
    may_quote: bool
    attribution: str
    may_recontact: bool


def _scopes(campaign, consent_people: dict) -> dict:
    """{participant id: Scopes} as `consent.selectors.scopes_by_participant` gives them, by
    consent's own rule (`status_from_records`, newest record first), from one query of plain
    values: no model instances and no list of ids sent back (a campaign has a few thousand
    records; those of participants not exported are skipped)."""
    from consent.models import ConsentRecord

    records: dict = {pk: [] for pk in consent_people}
    for pid, kind, may_quote, attribution, may_recontact in (
        ConsentRecord.objects.filter(participant__campaign=campaign)
        .order_by(*ConsentRecord._meta.ordering)
        .values_list("participant_id", "kind", "may_quote", "attribution", "may_recontact")
    ):
        found = records.get(pid)
        if found is not None:
            found.append(_ConsentValues(kind, may_quote, attribution, may_recontact))
    return {pk: status_from_records(consent_people[pk], found).scopes for pk, found in records.items()}


@dataclass
class ExportContext:
    campaign: object
    anonymized: bool = True
    people: dict = field(default_factory=dict)
    scopes: dict = field(default_factory=dict)
    sizes: dict = field(default_factory=dict)
    _scrubbers: dict = field(default_factory=dict)
    _attributions: dict = field(default_factory=dict)
    _phrases: dict = field(default_factory=dict)
    _who: dict = field(default_factory=dict)

    @classmethod
    def build(cls, campaign, *, anonymized: bool = True, heard_only: bool = False) -> "ExportContext":
        """Participants (one query; `heard_only`: those with notes, as a subquery of the same
        statement), their scopes (one more: the campaign's consent records as plain values),
        group sizes (one more unless `heard_only`). No list of ids goes back to the database."""
        from interviews.models import Note
        from participants.models import Participant

        role_labels = {role: str(label) for role, label in Participant.Role.choices}
        rows = Participant.objects.filter(campaign=campaign).exclude(pk__in=withdrawn_participant_ids(campaign))
        if heard_only:  # as attribution.heard_ids: a live note in the campaign
            rows = rows.filter(pk__in=Note.objects.filter(campaign=campaign, is_deleted=False).values("participant_id"))
        rows = rows.values_list("pk", "code", "role", "grade", "full_name", "email", "phone", "is_minor", "status")
        people, consent_people = {}, {}
        for pk, code, role, grade, name, email, phone, is_minor, status in rows:
            people[pk] = Person(pk, code, role, role_labels.get(role, role), grade, name, email, phone)
            consent_people[pk] = _ConsentPerson(pk, is_minor, status)
        if heard_only:  # the people loaded are exactly those the groups count
            sizes = group_sizes_from((p.role, p.grade, 1) for p in people.values())
        else:
            sizes = campaign_group_sizes(campaign)
        return cls(
            campaign=campaign,
            anonymized=anonymized,
            people=people,
            scopes=_scopes(campaign, consent_people),
            sizes=sizes,
        )

    def may_quote(self, participant_id) -> bool:
        scopes = self.scopes.get(participant_id)
        return bool(scopes and scopes.may_quote)

    def attribution(self, participant_id) -> str:
        if participant_id not in self._attributions:
            person = self.people.get(participant_id)
            scopes = self.scopes.get(participant_id)
            # The phrase depends on the scopes, the role and the grade only: one per such group.
            key = (scopes, person.role, person.grade) if person else None
            if key not in self._phrases:
                self._phrases[key] = attribution_for(person, self.sizes, scopes) if person else ""
            self._attributions[participant_id] = self._phrases[key]
        return self._attributions[participant_id]

    def scrubber(self, participant_id) -> Scrubber:
        # Notes come interview by interview, so a few recent scrubbers serve almost every row; the
        # cache is bounded so thousands of participants do not mean thousands of compiled patterns.
        found = self._scrubbers.pop(participant_id, None)
        if found is None:
            p = self.people.get(participant_id)
            found = Scrubber(p.full_name, p.email, p.phone) if p else Scrubber()
            if len(self._scrubbers) >= SCRUBBER_CACHE:
                del self._scrubbers[next(iter(self._scrubbers))]
        self._scrubbers[participant_id] = found  # most recent last
        return found

    @cached_property
    def withheld(self) -> str:
        return withheld_text()

    def words(self, participant_id, text: str) -> str:
        """A participant's words as this export may show them."""
        return self.words_function(participant_id)(text or "")

    def words_function(self, participant_id):
        """`words` for one participant as a function of the text (a str): the row loops ask for
        it once per participant, not once per row. Identified: the text as it is; not quotable:
        the withheld marker; else the participant's scrubber."""
        if not self.anonymized:
            return _same
        if not self.may_quote(participant_id):
            withheld = self.withheld
            return lambda _text: withheld
        return self.scrubber(participant_id).function

    def words_all_function(self, participant_id):
        """`words_function` over a list of a participant's texts at once (list → list of the
        same length): what each text gives `words_function`, with the scrubber's quick test asked
        once for the lot (`Scrubber.function_all`)."""
        if not self.anonymized:
            return _same
        if not self.may_quote(participant_id):
            withheld = self.withheld
            return lambda texts: [withheld] * len(texts)
        return self.scrubber(participant_id).function_all

    def free_text(self, participant_id, text: str) -> str:
        """Team-written text about a participant (memos): scrubbed, never withheld."""
        if not self.anonymized:
            return text or ""
        return self.scrubber(participant_id).scrub(text or "")

    def who(self, participant_id) -> list:
        """The columns that say who: code and attribution; identified adds name, contacts, scopes.
        Computed once per participant (a notes export asks 50,000 times for a few thousand people)."""
        cached = self._who.get(participant_id)
        if cached is None:
            cached = self._who[participant_id] = self._who_columns(participant_id)
        return cached

    def _who_columns(self, participant_id) -> list:
        p = self.people[participant_id]
        if self.anonymized:
            return [p.code, self.attribution(participant_id)]
        scopes = self.scopes.get(participant_id)
        return [
            p.code,
            p.full_name,
            p.email,
            p.phone,
            p.role_label,
            _("yes") if scopes and scopes.may_quote else _("no"),
            self.attribution(participant_id),
        ]

    def who_header(self) -> list:
        if self.anonymized:
            return [_("participant"), _("attribution")]
        return [
            _("participant"),
            _("name"),
            _("email"),
            _("phone"),
            _("role"),
            _("may be quoted"),
            _("attribution"),
        ]


@dataclass
class Table:
    """One table of an export: a title (the XLSX sheet), a header, a row count and a row iterator.

    `free_text`: the indexes of the columns people typed (words, prompts, names), the only ones
    that can start with a formula character; None means every column is checked."""

    title: str
    header: list
    count: object  # the row count, or a function giving it (asked only if progress is shown)
    rows: object  # an iterable of lists
    free_text: tuple | None = None
    # Optional: a function giving the rows already CSV-encoded and formula-safe, as
    # (text, row count) chunks; `write_csv` uses it instead of `rows` when there.
    csv_chunks: object = None

    @cached_property
    def total(self) -> int:
        return self.count() if callable(self.count) else self.count


def _load_prompts(prompts: dict, chunk) -> None:
    """Add to `prompts` (id → text) the prompts of a chunk of note rows (prompt id at index 3)
    not seen yet: one query per chunk at most; a prompt deleted meanwhile reads as ""."""
    from interviews.models import Prompt

    missing = {row[3] for row in chunk}.difference(prompts)
    if missing:
        prompts.update(Prompt.objects.filter(pk__in=missing).values_list("pk", "text"))
        prompts.update((pk, "") for pk in missing.difference(prompts))


def _fetch_chunks(qs, size: int):
    """The rows of a values_list queryset (with no converters: integers and text), `size` at a
    time as the database cursor gives them: what `qs.iterator(chunk_size=size)` reads (the same
    server-side cursor), without a Python generator step per row."""
    from django.db import connections

    sql, params = qs.query.sql_with_params()
    with connections[qs.db].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(size):
            yield rows


class _Encoded(dict):
    """value → its CSV field, formula-safe (`csv_field(safe_cell(text_of(value)))`), worked out
    the first time it is asked for: `encoded[value]`, no function call for the values known."""

    def __init__(self, text_of):
        super().__init__()
        self.text_of = text_of

    def __missing__(self, value):
        encoded = self[value] = csv_field(safe_cell(self.text_of(value)))
        return encoded


def _read_ahead(qs, size: int):
    """The rows of `qs`, `size` at a time, read by a thread on a connection of its own and
    streamed (`_stream_chunks`), at most READ_AHEAD chunks ahead: the database makes and sends
    the next rows, and they are loaded, while this thread writes the last ones. Progress and
    the prompts' queries stay on the caller's connection, free meanwhile.

    Only on PostgreSQL, and when the caller's connection is in autocommit (a worker, a script, the benchmark):
    inside a transaction (a test's, or a caller's own) another connection would not see its
    writes, so the rows are read on the caller's connection (`_fetch_chunks`)."""
    from django.db import connections

    connection = connections[qs.db]
    # Streaming is psycopg's (PostgreSQL); SQLite (make run) reads on the caller's connection.
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield from _fetch_chunks(qs, size)
        return
    chunks: queue.Queue = queue.Queue(maxsize=READ_AHEAD)
    stop = threading.Event()
    done = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read():
        try:
            with closing(_stream_chunks(qs, size)) as streamed:
                for rows in streamed:
                    if not put(rows):
                        return
            put(done)
        except BaseException as exc:  # given to the caller's thread, which raises it
            put(exc)
        finally:
            connections[qs.db].close()  # this thread's own connection

    reader = threading.Thread(target=read, name="export-read-ahead", daemon=True)
    reader.start()
    try:
        while (item := chunks.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()


def _stream_chunks(qs, size: int):
    """The rows of a values_list queryset (with no converters), `size` at a time, streamed
    (psycopg's `Cursor.stream`): the database sends the rows as it makes them, without a cursor
    that stores the result first, and without waiting for the client to ask for the next ones.
    The connection is busy until the last row: for a connection of its own (`_read_ahead`)."""
    from django.db import connections

    sql, params = qs.query.sql_with_params()
    connection = connections[qs.db]
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        stream = cursor.stream(sql, params, size=size)
        try:
            while rows := list(islice(stream, size)):
                yield rows
        finally:
            stream.close()  # left early: psycopg stops the query and frees the connection


def _dt(value):
    return value.isoformat(timespec="seconds") if value else ""


# --- Notes ---------------------------------------------------------------------------------------


def notes_queryset(campaign):
    from consent.selectors import exclude_withdrawn
    from interviews.models import Note

    return exclude_withdrawn(Note.objects.live().for_campaign(campaign), "participant")


def notes_table(ctx: ExportContext) -> Table:
    """One row per note. The notes come interview by interview (so participant by participant):
    what a participant's rows share (who columns, how their words are shown) is worked out when
    the participant changes, not for every row. The CSV is written from the same state by
    `csv_chunks`, already encoded (one string per chunk of rows), with no per-cell writer calls."""
    from interviews.models import Note

    kinds = {value: str(label) for value, label in Note.Kind.choices}
    qs = notes_queryset(ctx.campaign)
    count = qs.count  # a query, made only if the export runs long enough to show progress
    # The time as text from the database: parsing 50,000 datetimes to print them again costs more
    # than the rest of a row. The prompt by id: a campaign has a few dozen, looked up once each.
    values = (
        qs.order_by("interview_id", "created_at", "id")
        .annotate(created_text=Cast("created_at", output_field=CharField()))
        .values_list("pk", "interview_id", "participant_id", "prompt_id", "kind", "body", "created_text")
    )
    prompts: dict = {None: ""}

    def chunks():
        it = values.iterator(chunk_size=CHUNK_SIZE)
        while chunk := list(islice(it, CHUNK_SIZE)):
            _load_prompts(prompts, chunk)
            yield chunk

    def rows():
        current, who, words = object(), None, None
        for chunk in chunks():
            for pk, interview_id, participant_id, prompt_id, kind, body, created in chunk:
                if participant_id != current:
                    current = participant_id
                    who = ctx.who(participant_id) if participant_id in ctx.people else None
                    words = ctx.words_function(participant_id)
                if who is None:
                    continue
                yield [pk, interview_id, *who, prompts[prompt_id], kinds.get(kind, kind), words(body), created]

    def csv_chunks():
        """(CSV text of a chunk of rows, its row count), formula-safe, as `csv.writer` writes.

        Rows come participant by participant: a run of one participant's rows is scrubbed in one
        call (`words_all_function`); the prompt and kind columns are encoded once each. The rows
        are read ahead by another connection (`_read_ahead`) while these are written."""
        encoded_kinds = _Encoded(lambda kind: kinds.get(kind, kind))
        encoded_prompts = _Encoded(prompts.__getitem__)
        whos: dict = {}  # participant id → the who columns, encoded (None: not exported)
        for chunk in _read_ahead(values, CSV_FETCH):
            _load_prompts(prompts, chunk)
            lines = []
            append = lines.append
            for participant_id, run in groupby(chunk, key=_participant):
                who = whos.get(participant_id, whos)
                if who is whos:
                    who = whos[participant_id] = (
                        ",".join(csv_field(safe_cell(v)) for v in ctx.who(participant_id))
                        if participant_id in ctx.people
                        else None
                    )
                if who is None:
                    continue
                run = list(run)
                texts = ctx.words_all_function(participant_id)([row[5] for row in run])
                for (pk, interview_id, _p, prompt_id, kind, _body, created), text in zip(run, texts, strict=True):
                    if text[:1] in FORMULA_FIRST:
                        text = "'" + text
                    if "," in text or '"' in text or "\n" in text or "\r" in text:
                        text = '"' + text.replace('"', '""') + '"'
                    # `created`: digits, "-", ":", ".", "+" and a space, never a formula start.
                    append(
                        f"{pk},{interview_id},{who},{encoded_prompts[prompt_id]},{encoded_kinds[kind]},{text},{created}\r\n"
                    )
            if lines:
                yield "".join(lines), len(lines)

    header = [_("note"), _("interview"), *ctx.who_header(), _("prompt"), _("kind"), _("text"), _("created at")]
    n_who = len(ctx.who_header())
    # Typed by people: the identified name/email/phone columns, the prompt and the words.
    free_text = (*range(2, 2 + n_who), 2 + n_who, 4 + n_who)
    return Table(_("Notes"), header, count, rows(), free_text, csv_chunks=csv_chunks)


# --- Highlights ----------------------------------------------------------------------------------


def highlights_table(ctx: ExportContext) -> Table:
    from synthesis.models import Highlight, HighlightTag

    qs = Highlight.objects.visible().filter(campaign=ctx.campaign)
    count = qs.count()
    values = qs.order_by("id").values_list(
        "pk", "note_id", "participant_id", "quote", "theme__title", "starred", "dissenting", "created_at"
    )

    def rows():
        it = values.iterator(chunk_size=CHUNK_SIZE)
        while True:
            chunk = [row for _n, row in zip(range(CHUNK_SIZE), it, strict=False)]
            if not chunk:
                return
            tags: dict = {}
            for hid, name in (
                HighlightTag.objects.filter(highlight_id__in=[r[0] for r in chunk])
                .order_by("tag__name")
                .values_list("highlight_id", "tag__name")
            ):
                tags.setdefault(hid, []).append(name)
            for pk, note_id, participant_id, quote, theme, starred, dissenting, created in chunk:
                if participant_id not in ctx.people:
                    continue
                yield [
                    pk,
                    note_id,
                    *ctx.who(participant_id),
                    ctx.words(participant_id, quote),
                    "; ".join(tags.get(pk, [])),
                    theme or "",
                    _("yes") if starred else "",
                    _("yes") if dissenting else "",
                    _dt(created),
                ]

    header = [
        _("highlight"),
        _("note"),
        *ctx.who_header(),
        _("words"),
        _("tags"),
        _("theme"),
        _("starred"),
        _("dissenting"),
        _("created at"),
    ]
    return Table(_("Highlights"), header, count, rows())


# --- Themes --------------------------------------------------------------------------------------


def themes_tables(ctx: ExportContext) -> list[Table]:
    """Themes (one row each, with whose voices), their evidence (one row per highlight), and
    their root causes."""
    from synthesis.models import Highlight, RootCause
    from synthesis.selectors import themes_with_counts, whose_voices

    themes = list(themes_with_counts(ctx.campaign).order_by("position", "id"))
    theme_rows = []
    for t in themes:
        voices = whose_voices(ctx.campaign, t.highlights.all())
        theme_rows.append(
            [
                t.pk,
                t.title,
                t.statement,
                _("yes") if t.published_at else "",
                t.card_count,
                t.voice_count,
                voices.summary,
                " ".join(voices.missing_sentences),
            ]
        )
    evidence = (
        Highlight.objects.visible()
        .filter(campaign=ctx.campaign, theme__isnull=False)
        .order_by("theme__position", "theme_id", "-starred", "id")
        .values_list("theme__title", "pk", "participant_id", "quote", "starred", "dissenting")
    )

    def evidence_rows():
        for title, pk, participant_id, quote, starred, dissenting in evidence.iterator(chunk_size=CHUNK_SIZE):
            if participant_id not in ctx.people:
                continue
            yield [
                title,
                pk,
                *ctx.who(participant_id),
                ctx.words(participant_id, quote),
                _("yes") if starred else "",
                _("yes") if dissenting else "",
            ]

    categories = dict(RootCause.Category.choices)
    causes = [
        [c.theme.title, str(categories.get(c.category, c.category)), c.statement]
        for c in RootCause.objects.filter(theme__campaign=ctx.campaign).select_related("theme")
    ]
    return [
        Table(
            _("Themes"),
            [
                _("theme"),
                _("title"),
                _("statement"),
                _("published"),
                _("highlights"),
                _("participants"),
                _("whose voices"),
                _("whose voices are missing"),
            ],
            len(theme_rows),
            theme_rows,
        ),
        Table(
            _("Evidence"),
            [_("theme"), _("highlight"), *ctx.who_header(), _("words"), _("starred"), _("dissenting")],
            evidence.count(),
            evidence_rows(),
        ),
        Table(_("Root causes"), [_("theme"), _("category"), _("root cause")], len(causes), causes),
    ]


# --- Participants (leads only) -------------------------------------------------------------------


def participants_table(ctx: ExportContext) -> Table:
    """One row per participant (withdrawn left out), with their equity dimension values."""
    from participants.models import EquityDimension, Participant, ParticipantValue

    dimensions = list(EquityDimension.objects.filter(campaign=ctx.campaign).order_by("position", "id"))
    qs = Participant.objects.filter(pk__in=list(ctx.people)).order_by("number")
    count = qs.count()
    statuses = dict(Participant.Status.choices)

    def rows():
        it = qs.iterator(chunk_size=CHUNK_SIZE)
        while True:
            chunk = [p for _n, p in zip(range(CHUNK_SIZE), it, strict=False)]
            if not chunk:
                return
            values: dict = {}
            for pid, dim_id, label in ParticipantValue.objects.filter(
                participant_id__in=[p.pk for p in chunk]
            ).values_list("participant_id", "dimension_id", "value__label"):
                values.setdefault(pid, {})[dim_id] = label
            for p in chunk:
                row = [p.code, p.get_role_display(), str(statuses.get(p.status, p.status))]
                if not ctx.anonymized:
                    row += [p.full_name, p.email, p.phone, p.school, p.grade, p.get_preferred_language_display()]
                row += [
                    _("yes") if p.most_directly_impacted else "",
                    _("yes") if p.not_usually_asked else "",
                    _("yes") if ctx.may_quote(p.pk) else _("no"),
                    ctx.attribution(p.pk),
                ]
                row += [values.get(p.pk, {}).get(d.pk, "") for d in dimensions]
                yield row

    header = [_("participant"), _("role"), _("status")]
    if not ctx.anonymized:
        header += [_("name"), _("email"), _("phone"), _("school"), _("grade"), _("preferred language")]
    header += [_("most directly impacted"), _("not usually asked"), _("may be quoted"), _("attribution")]
    header += [d.name for d in dimensions]
    return Table(_("Participants"), header, count, rows())


def tables_for(kind: str, ctx: ExportContext) -> list[Table]:
    from .models import ExportJob

    Kind = ExportJob.Kind
    if kind == Kind.NOTES:
        return [notes_table(ctx)]
    if kind == Kind.HIGHLIGHTS:
        return [highlights_table(ctx)]
    if kind == Kind.THEMES:
        return themes_tables(ctx)
    if kind == Kind.PARTICIPANTS:
        return [participants_table(ctx)]
    raise ValueError(f"{kind} is not a table export")
