"""The real export task writes files; these read them back (csv, openpyxl, python-docx) and check
what a reader would find: codes not names, scrubbed words, withheld and withdrawn words absent,
attribution with small-group protection, formula injection neutralized, any script intact."""

import csv
import io
import re

import pytest
from docx import Document
from openpyxl import load_workbook

from audit.models import AuditEvent
from exports.models import ExportJob

from .conftest import FORMULAS

pytestmark = pytest.mark.django_db

NAMES = ["Ana María López", "Ana", "López", "Ben Okafor", "李小龙", "Nguyễn Thị Lan", "Tom Reed", "محمد فاضل"]


def read_csv(job) -> list[dict]:
    raw = job.file.open("rb").read()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV starts with a UTF-8 byte-order mark for Excel"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def read_xlsx(job) -> dict[str, list[list]]:
    workbook = load_workbook(job.file.open("rb"), read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}


def all_text(rows) -> str:
    return "\n".join(str(v) for row in rows for v in (row.values() if isinstance(row, dict) else row) if v is not None)


def test_anonymized_notes_csv(world, run_export):
    job = run_export(world.campaign, kind="notes", format="csv")
    assert job.status == ExportJob.Status.DONE and job.anonymized
    rows = read_csv(job)
    text = all_text(rows)
    by_code = {}
    for row in rows:
        by_code.setdefault(row["participant"], []).append(row)
    # Pseudonym codes, no names or contact details anywhere.
    assert "P-001" in by_code
    for name in NAMES:
        assert name not in text, name
    assert "ana.lopez@example.net" not in text and "555-010-2000" not in text and "010-2000" not in text
    # Ana's own name, first name, email and phone scrubbed from her words.
    ana = by_code[world.people["ana"].code][0]["text"]
    assert ana == "[name] here. Text [email] or call [phone]. [name] misses the bus because it comes at 6:40."
    # The teacher did not agree to be quoted: the row is there, the words are not.
    tom = by_code[world.people["tom"].code][0]["text"]
    assert "TEACHER-PRIVATE" not in text and "did not agree to be quoted" in tom
    # The withdrawn student is nowhere.
    assert "WITHDRAWN-WORDS" not in text and world.people["wes"].code not in by_code
    # Attribution: three 9th-graders heard → "a 9th-grade student"; the only family member → none.
    assert by_code[world.people["ben"].code][0]["attribution"] == "a 9th-grade student"
    assert by_code[world.people["lan"].code][0]["attribution"] == ""
    # A participant who chose no attribution gets none.
    assert by_code[world.people["fay"].code][0]["attribution"] == ""
    assert job.row_count == len(rows) == 11


def test_unicode_round_trips_in_csv_and_xlsx(world, run_export):
    csv_text = all_text(read_csv(run_export(world.campaign, kind="notes", format="csv")))
    xlsx_text = all_text(read_xlsx(run_export(world.campaign, kind="notes", format="xlsx"))["Notes"])
    for words in ("我每天早上都很累。", "Tôi không đọc được thư của trường."):
        assert words in csv_text and words in xlsx_text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_injection_is_neutralized_for_every_dangerous_start(world, run_export, fmt):
    job = run_export(world.campaign, kind="notes", format=fmt)
    if fmt == "csv":
        texts = [r["text"] for r in read_csv(job)]
    else:
        rows = read_xlsx(job)["Notes"]
        column = rows[0].index("text")
        texts = [r[column] for r in rows[1:]]
    for formula in FORMULAS:
        assert "'" + formula in texts, f"{formula!r} should be written as text with a leading apostrophe"
        assert formula not in texts


def test_xlsx_cells_hold_no_formula_objects(world, run_export):
    job = run_export(world.campaign, kind="notes", format="xlsx")
    workbook = load_workbook(job.file.open("rb"))
    for row in workbook["Notes"].iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value


def test_identified_notes_need_a_lead_and_a_reason_and_are_audited(world, run_export, lead, analyst):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError):
        run_export(world.campaign, kind="notes", format="csv", anonymized=False, reason="")
    with pytest.raises(PermissionDenied):
        run_export(world.campaign, user=analyst, kind="notes", format="csv", anonymized=False, reason="For the board")
    job = run_export(world.campaign, kind="notes", format="csv", anonymized=False, reason="Follow-up calls to families")
    rows = read_csv(job)
    text = all_text(rows)
    assert "Ana María López" in text and "ana.lopez@example.net" in text and "TEACHER-PRIVATE" in text
    assert "WITHDRAWN-WORDS" not in text, "withdrawn words never appear, identified or not"
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT_IDENTIFIED)
    assert event.actor == lead and event.detail["reason"] == "Follow-up calls to families"


def test_highlights_with_tags(world, run_export):
    rows = read_csv(run_export(world.campaign, kind="highlights", format="csv"))
    by_code = {r["participant"]: r for r in rows}
    assert by_code[world.people["ben"].code]["tags"] == "transportation"
    assert by_code[world.people["ana"].code]["words"] == "[name] misses the bus"
    assert "I mark them absent" not in all_text(rows)
    assert world.people["wes"].code not in by_code


def test_themes_xlsx_has_one_sheet_per_table(world, run_export):
    sheets = read_xlsx(run_export(world.campaign, kind="themes", format="xlsx"))
    assert list(sheets) == ["Themes", "Evidence", "Root causes"]
    assert sheets["Themes"][1][1] == "Getting there"
    evidence = all_text(sheets["Evidence"])
    assert "The bus comes too early" in evidence and "nobody asks" not in evidence and "I mark them" not in evidence
    assert sheets["Root causes"][1] == ["Getting there", "Policies", "Tardy rules ignore bus times"]


def test_participants_export_is_for_leads_and_leaves_out_the_withdrawn(world, run_export, interviewer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run_export(world.campaign, user=interviewer, kind="participants", format="csv")
    rows = read_csv(run_export(world.campaign, kind="participants", format="csv"))
    codes = {r["participant"] for r in rows}
    assert world.people["wes"].code not in codes and world.people["lan"].code in codes
    assert "name" not in rows[0] and "Ana María López" not in all_text(rows)
    identified = read_csv(
        run_export(world.campaign, kind="participants", format="csv", anonymized=False, reason="Thank-you letters")
    )
    assert "Ana María López" in all_text(identified)


def test_report_docx(world, run_export):
    job = run_export(world.campaign, kind="report", format="docx")
    doc = Document(job.file.open("rb"))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    # Issue statement, themes, quotes with the allowed attribution, fishbone, method.
    assert "First statement." in text
    assert "Getting there" in text
    assert "“[name] misses the bus” — a 9th-grade student" in text
    # Small-group protection: the only family member's quote has no attribution.
    assert "“I cannot read the letters from school”" in text
    assert "I cannot read the letters from school” —" not in text
    # Not quotable, withdrawn: absent.
    assert "I mark them absent" not in text + cells and "nobody asks why" not in text + cells
    assert "Tardy rules ignore bus times" in cells and "Policies" in cells
    assert "The route was cut in October." in text
    for name in NAMES:
        assert not re.search(rf"\b{re.escape(name)}\b", text + cells), name
    assert "How we listened" in text


def test_report_counts_voices_like_the_theme_page(world):
    """The report's per-theme voices (all themes in four queries) match synthesis.whose_voices."""
    from exports.report import themes_voices
    from participants.factories import EquityDimensionFactory
    from participants.models import DimensionValue, ParticipantValue
    from synthesis.selectors import whose_voices

    dimension = EquityDimensionFactory(campaign=world.campaign, name="Home language")
    vi = DimensionValue.objects.create(dimension=dimension, label="Vietnamese", population_share=12)
    DimensionValue.objects.create(dimension=dimension, label="Somali", population_share=9, often_marginalized=True)
    ParticipantValue.objects.create(participant=world.people["lan"], dimension=dimension, value=vi)
    ParticipantValue.objects.create(participant=world.people["wes"], dimension=dimension, value=vi)  # withdrawn
    bulk = themes_voices(world.campaign, [world.theme.pk])[world.theme.pk]
    one = whose_voices(world.campaign, world.theme.highlights.all())
    assert bulk.total == one.total == 5
    assert bulk.summary == one.summary
    assert bulk.missing_sentences == one.missing_sentences
    assert [(r.label, r.count) for r in bulk.dimensions[0].rows] == [(r.label, r.count) for r in one.dimensions[0].rows]
