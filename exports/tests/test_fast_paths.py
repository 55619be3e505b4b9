"""The shortcuts the exports take for speed give exactly what the plain way gives.

- `csv_field` and the notes table's pre-encoded CSV (`Table.csv_chunks`) write what `csv.writer`
  writes for the same rows;
- the scrubber's quick test (`ascii_needles`) never lets through a text the pattern would change,
  whatever the case or the letters (Kelvin sign, long s, dotless i, other scripts);
- `ExportContext` reads consent scopes from plain values by consent's own rule: the same scopes as
  `consent.selectors.scopes_by_participant`;
- progress is written only once an export has run PROGRESS_SECONDS, and the row count is asked
  for only then; the Celery task emails the requester, `export_run_sync` alone does not.
"""

import csv
import io
import random

import pytest

from consent.factories import ConsentRecordFactory
from consent.models import ConsentRecord
from consent.selectors import scopes_by_participant
from exports.anonymize import NAME, Scrubber
from exports.models import ExportJob
from exports.services import export_run_sync
from exports.tables import ExportContext, notes_table
from exports.writers import csv_field, write_csv
from participants.factories import ParticipantFactory

TRICKY = [
    "",
    None,
    0,
    -12,
    3.25,
    True,
    "plain",
    " leading and trailing ",
    "a,b",
    'say "hi"',
    '"',
    '""',
    "line\nbreak",
    "carriage\rreturn",
    "both\r\n",
    "tab\there",
    "'quoted'",
    "=SUM(A1)",
    "我每天早上都很累。",
    "محمد, فاضل",
    'emoji 🚌, "quoted"\n',
]


def writer_line(row) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(row)
    return out.getvalue()


@pytest.mark.parametrize("value", TRICKY)
def test_csv_field_writes_what_csv_writer_writes(value):
    assert "x," + csv_field(value) + ",y\r\n" == writer_line(["x", value, "y"])


def test_csv_field_matches_csv_writer_on_random_rows():
    rng = random.Random(8)
    alphabet = ['"', ",", "\n", "\r", " ", "a", "Z", "é", "李", "=", "-", "'", "\t", ";"]
    for _ in range(2000):
        row = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(rng.randint(2, 5))]
        assert ",".join(csv_field(v) for v in row) + "\r\n" == writer_line(row), row


def _generic_csv(table) -> str:
    """The table's rows through csv.writer (the path every other table takes)."""
    out = io.StringIO()
    table.csv_chunks = None
    write_csv(out, table)
    return out.getvalue()


def _fast_csv(table) -> str:
    out = io.StringIO()
    assert table.csv_chunks is not None
    write_csv(out, table)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("anonymized", [True, False])
def test_notes_csv_chunks_equal_the_rows_through_csv_writer(world, anonymized):
    fast = _fast_csv(notes_table(ExportContext.build(world.campaign, anonymized=anonymized, heard_only=True)))
    plain = _generic_csv(notes_table(ExportContext.build(world.campaign, anonymized=anonymized, heard_only=True)))
    assert fast == plain
    rows = list(csv.reader(io.StringIO(fast, newline="")))
    assert len(rows) == 12  # the header and 11 notes (the withdrawn student's note left out)
    texts = "\n".join(r[-2] for r in rows)
    assert "WITHDRAWN-WORDS" not in texts
    assert ("Ana here" in texts) is (not anonymized)
    assert all(not r[-2].startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows[1:])


SCRUB_CASES = [
    # (full name, email, phone, text)
    ("Ana María López", "Ana.Lopez@Example.net", "+1 (555) 010-2000", "ANA and ana.lopez@EXAMPLE.NET"),
    ("Ana María López", "", "", "MARÍA LÓPEZ came; maría too"),
    ("Ana María López", "", "", "ANA MARIA LOPEZ (no accents) is not her written name"),
    ("Ben Okafor", "", "555 010 2000", "call 555 010 200 0 or 5550102000 or 555-010-2000!"),
    ("Ben Okafor", "", "555 010 2000", "nothing here but a 0"),
    ("Ben Okafor", "", "+1 555 010 2000", "5-5-5-0-1-0-2-0-0-0, (555)010/2000, 555\x1f010\x0b2000, +15550102000"),
    ("Ben Okafor", "", "+1 555 010 2000", "5550102001 and 555 010 200 and 1555010200"),
    ("Ben Okafor", "", "٥٥٥ ٠١٠ ٢٠٠٠", "٥٥٥-٠١٠-٢٠٠٠ and 555-010-2000"),
    ("\u212aim Reed", "", "", "kim reed and KIM"),  # Kelvin sign K matches k and K
    ("Kim Reed", "", "", "\u212aim said so"),  # and a Kelvin sign in the text matches K
    ("\u017fam Oz", "", "", "SAM and sam"),  # long s matches s
    ("Işık Demir", "", "", "ISIK, Işık, IŞIK and ışık"),
    ("İlker Demir", "", "", "ilker ILKER İlker"),
    ("Νίκος Σ", "", "", "ΝΊΚΟΣ and νίκοσ"),  # final and medial sigma
    ("李小龙", "", "", "李小龙 said; Li Xiaolong did not"),
    ("J", "", "", "J said j"),
    ("Al", "al@x.org", "", "AL, al@X.ORG, also"),
    ("Straße", "", "", "STRASSE and straße and STRAẞE"),
    ("O'Brien", "", "", "o'brien and O'BRIEN"),
    ("Bao Tran", "", "", "transportation, banana, bao_x, xbao"),  # inside words: not her name
    ("Bao Tran", "", "", "the tran-sport, (BAO), _tran, tran_ and bao"),
    ("Ana Young", "", "", "younger analysts; then Young."),
    ("(Bob) Smith-Jones", "", "", "(bob) smith-jones and (BOB)x and smith"),
]


@pytest.mark.parametrize("name,email,phone,text", SCRUB_CASES)
def test_scrubber_quick_test_never_skips_a_match(name, email, phone, text):
    scrubber = Scrubber(name, email, phone)
    slow = scrubber.pattern.sub(scrubber._replacement, text) if scrubber.pattern else text
    assert scrubber.scrub(text) == slow
    assert scrubber.function(text) == slow


def test_scrubber_finds_the_name_in_another_case_or_letter():
    assert Scrubber("Ana López").scrub("ANA said LÓPEZ") == f"{NAME} said {NAME}"
    assert Scrubber("\u212aim Reed").scrub("kim") == NAME
    assert Scrubber("Kim Reed").scrub("\u212aIM") == NAME
    assert Scrubber("\u017fam Oz").scrub("SAM") == NAME
    # A name that cannot be written in ASCII is still found in any other text.
    assert Scrubber("李小龙").scrub("我是 李小龙。") == f"我是 {NAME}。"
    assert Scrubber("李小龙").scrub("ASCII only") == "ASCII only"


def test_scrubber_quick_test_on_random_texts():
    rng = random.Random(8)
    people = list(dict.fromkeys(c[:3] for c in SCRUB_CASES))
    pieces = ["ana", "ANA", "López", "lopez", "kim", "\u212a", "ſ", "s", "ı", "I", "İ", "i", "李", "5", "0"]
    pieces += [" ", ".", "-", "b", "_", "tran", "TRAN", "x", "(", ")", "bob", "(bob)", "al@x.org", "o'brien"]
    for _ in range(3000):
        scrubber = Scrubber(*rng.choice(people))
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        slow = scrubber.pattern.sub(scrubber._replacement, text) if scrubber.pattern else text
        assert scrubber.function(text) == slow, (scrubber.full_name, text)


def test_scrubber_without_anything_to_scrub_returns_the_text():
    assert Scrubber().scrub("Anything at all") == "Anything at all"
    assert Scrubber(phone="12").scrub("12 apples") == "12 apples"
    assert Scrubber().scrub(None) == ""


@pytest.mark.django_db
def test_context_scopes_are_consents_own(world):
    minor = ParticipantFactory(campaign=world.campaign, is_minor=True, full_name="Min Or", status="interviewed")
    ConsentRecordFactory(participant=minor, kind=ConsentRecord.Kind.GUARDIAN, may_quote=True, attribution="role")
    both = ParticipantFactory(campaign=world.campaign, is_minor=True, full_name="Bo Th", status="interviewed")
    ConsentRecordFactory(participant=both, kind=ConsentRecord.Kind.GUARDIAN, may_quote=True, attribution="role")
    ConsentRecordFactory(participant=both, kind=ConsentRecord.Kind.ASSENT, may_quote=True, attribution="none")
    changed = world.people["ben"]
    ConsentRecordFactory(participant=changed, may_quote=False, attribution="none")  # newer: replaces the first
    nobody = ParticipantFactory(campaign=world.campaign, full_name="No Record", status="interviewed")
    ctx = ExportContext.build(world.campaign, heard_only=False)
    assert {minor.pk, both.pk, nobody.pk, changed.pk} <= set(ctx.scopes)
    assert world.people["wes"].pk not in ctx.scopes
    assert ctx.scopes == scopes_by_participant(ctx.scopes.keys())
    assert not ctx.may_quote(changed.pk) and not ctx.may_quote(minor.pk) and not ctx.may_quote(nobody.pk)
    assert ctx.may_quote(both.pk) and ctx.scopes[both.pk].attribution == "none"


@pytest.mark.django_db
def test_progress_waits_and_counts_rows_only_when_shown(world, lead, monkeypatch):
    from exports import services

    job = ExportJob.objects.create(campaign=world.campaign, kind="notes", format="csv", requested_by=lead)
    asked = []

    def total():
        asked.append(1)
        return 200

    clock = iter([100.0, 100.1, 100.7, 100.9])
    monkeypatch.setattr(services.time, "monotonic", lambda: next(clock))
    update = services._progress_updater(job, total)  # starts at 100.0
    update(20)  # 0.1 s in: nothing written, nothing counted
    job.refresh_from_db()
    assert (job.progress, job.row_count, asked) == (0, 0, [])
    update(50)  # 0.7 s in: written
    job.refresh_from_db()
    assert (job.progress, job.row_count, asked) == (25, 50, [1])
    update(60)  # 0.2 s after the last write: not again
    job.refresh_from_db()
    assert job.row_count == 50


@pytest.mark.django_db
def test_the_task_emails_the_requester_and_the_build_alone_does_not(world, lead, run_export):
    from reminders.models import Email, Kind

    job = ExportJob.objects.create(campaign=world.campaign, kind="notes", format="csv", requested_by=lead)
    export_run_sync(job)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert not Email.objects.filter(kind=Kind.EXPORT_READY).exists()
    job = run_export(world.campaign)  # the Celery task
    assert job.status == ExportJob.Status.DONE
    assert Email.objects.filter(kind=Kind.EXPORT_READY, recipient=lead.email).count() == 1


def test_scrubbing_a_participants_texts_at_once_gives_what_each_gives():
    """`Scrubber.function_all` (one quick test for a run of texts) == `function` on each text."""
    rng = random.Random(9)
    people = list(dict.fromkeys(c[:3] for c in SCRUB_CASES)) + [("", "", "")]
    pieces = ["ana", "ANA", "López", "lopez", "kim", "\u212a", "ſ", "s", "ı", "I", "İ", "李", "5", "0", "\x00"]
    pieces += [" ", ".", "-", "b", "_", "tran", "TRAN", "x", "(", ")", "bob", "al@x.org", "555", "010", "2000"]
    for _ in range(3000):
        scrubber = Scrubber(*rng.choice(people))
        texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) for _ in range(rng.randint(0, 5))]
        assert scrubber.function_all(texts) == [scrubber.function(t) for t in texts], (scrubber.full_name, texts)
    for name, email, phone, text in SCRUB_CASES:  # each case's text, split anywhere, with plain texts
        scrubber = Scrubber(name, email, phone)
        for at in range(len(text) + 1):
            texts = ["plain words", text[:at], text[at:], ""]
            assert scrubber.function_all(texts) == [scrubber.function(t) for t in texts], (name, texts)


@pytest.mark.django_db
@pytest.mark.parametrize("anonymized", [True, False])
def test_words_for_a_run_of_texts_are_the_words_of_each(world, anonymized):
    ctx = ExportContext.build(world.campaign, anonymized=anonymized, heard_only=True)
    texts = ["Ana here, ana@example.org", "plain", "", "=1+2"]
    for pid in ctx.people:
        each = ctx.words_function(pid)
        assert ctx.words_all_function(pid)(texts) == [each(t) for t in texts]
