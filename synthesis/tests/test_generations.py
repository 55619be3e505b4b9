"""The campaign generation (migration 0006) and the pages cached under it: every write to what
the board, a theme page and search show moves the counter, from any code path, so a cached
page is never shown after a write; and the pages read only tables that move it."""

import importlib
import re
from uuid import uuid4

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from campaigns.models import Campaign, IssueStatement
from consent.factories import ConsentFormFactory
from interviews.factories import InterviewFactory, InterviewGuideFactory, NoteFactory, PromptFactory
from interviews.models import Note
from participants.factories import DimensionValueFactory, EquityDimensionFactory, ParticipantFactory
from participants.models import ParticipantValue
from synthesis import generations, services
from synthesis.factories import HighlightFactory, RootCauseFactory, TagFactory, ThemeFactory
from synthesis.models import Highlight, HighlightTag, Memo, PublishedQuote, WhyStep

from .conftest import withdraw

WATCHED = importlib.import_module("synthesis.migrations.0006_campaign_generation").WATCHED


def url(campaign, rest=""):
    return f"/c/{campaign.slug}/{rest}"


@pytest.fixture
def world(campaign, make_note, lead):
    """A campaign with one of everything the synthesis pages show."""
    note = make_note("The bus was late and the letter scared my mother.")
    theme = ThemeFactory(campaign=campaign, title="Transport")
    tag = TagFactory(campaign=campaign, name="bus")
    highlight = HighlightFactory(note=note, theme=theme, tags=[tag], quote="The bus was late")
    dimension = EquityDimensionFactory(campaign=campaign, name="Home language")
    value = DimensionValueFactory(dimension=dimension, label="Spanish")
    cause = RootCauseFactory(theme=theme)
    step = services.why_step_add(theme=theme, answer="Because", highlight_ids=[highlight.pk], user=lead)
    statement = IssueStatement.objects.create(campaign=campaign, version=90, text="First", author=lead)
    return {
        "campaign": campaign,
        "note": note,
        "participant": note.participant,
        "theme": theme,
        "tag": tag,
        "highlight": highlight,
        "dimension": dimension,
        "value": value,
        "cause": cause,
        "step": step,
        "statement": statement,
        "lead": lead,
    }


# One write per watched table (and kinds of write: ORM save, queryset update, bulk create,
# many-to-many add, delete).
WRITES = {
    "campaign title": lambda w: Campaign.objects.filter(pk=w["campaign"].pk).update(title="Renamed"),
    "issue statement": lambda w: IssueStatement.objects.create(campaign=w["campaign"], version=91, text="Second"),
    "participant role": lambda w: type(w["participant"]).objects.filter(pk=w["participant"].pk).update(role="student"),
    "new participant": lambda w: ParticipantFactory(campaign=w["campaign"]),
    "dimension renamed": lambda w: type(w["dimension"]).objects.filter(pk=w["dimension"].pk).update(name="Language"),
    "dimension value": lambda w: type(w["value"]).objects.filter(pk=w["value"].pk).update(population_share=40),
    "participant value": lambda w: ParticipantValue.objects.create(
        participant=w["participant"], dimension=w["dimension"], value=w["value"]
    ),
    "consent withdrawn": lambda w: withdraw(w["participant"]),
    "consent form": lambda w: ConsentFormFactory(campaign=w["campaign"], version=9),
    "prompt": lambda w: PromptFactory(guide=InterviewGuideFactory(campaign=w["campaign"])),
    "interview": lambda w: (
        type(w["note"].interview).objects.filter(pk=w["note"].interview_id).update(status="completed")
    ),
    "note edited": lambda w: Note.objects.filter(pk=w["note"].pk).update(body="Other words", version=F("version") + 1),
    "note deleted": lambda w: Note.objects.filter(pk=w["note"].pk).update(is_deleted=True),
    "tag renamed": lambda w: type(w["tag"]).objects.filter(pk=w["tag"].pk).update(name="transport"),
    "theme renamed": lambda w: type(w["theme"]).objects.filter(pk=w["theme"].pk).update(title="Buses"),
    "card moved": lambda w: Highlight.objects.filter(pk=w["highlight"].pk).update(theme=None),
    "card untagged": lambda w: HighlightTag.objects.filter(highlight=w["highlight"]).delete(),
    "memo on a tag": lambda w: Memo.objects.create(tag=w["tag"], body="Why this code"),
    "memo on a card": lambda w: Memo.objects.create(highlight=w["highlight"], body="Why this card"),
    "quote published": lambda w: PublishedQuote.objects.create(theme=w["theme"], highlight=w["highlight"]),
    "why-step": lambda w: WhyStep.objects.filter(pk=w["step"].pk).update(answer="Because, really"),
    "why-step evidence": lambda w: w["step"].evidence.clear(),
    "root cause": lambda w: type(w["cause"]).objects.filter(pk=w["cause"].pk).update(statement="Routes"),
    "root cause evidence": lambda w: w["cause"].evidence.add(w["highlight"]),
    "root cause's statements": lambda w: w["cause"].issue_statements.add(w["statement"]),
    "theme's statements": lambda w: w["theme"].issue_statements.add(w["statement"]),
}


@pytest.mark.django_db
@pytest.mark.parametrize("write", WRITES)
def test_each_write_moves_its_campaigns_generation_only(write, world, other_campaign):
    campaign = world["campaign"]
    ThemeFactory(campaign=other_campaign)
    before, other_before = generations.current(campaign.pk), generations.current(other_campaign.pk)
    WRITES[write](world)
    # The first number: the one the board and theme pages read (search reads both).
    assert generations.current(campaign.pk)[0] != before[0]
    assert generations.current(other_campaign.pk) == other_before


def _triggers() -> dict[str, set[str]]:
    """Our generation triggers per table: {table: {"INSERT statement", …}}."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # tgtype bits: 1 row-level, 4 insert, 8 delete, 16 update
            cursor.execute(
                "SELECT c.relname, t.tgtype FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE 'synthesis_gen_%%'"
            )
            found = {}
            for table, kind in cursor.fetchall():
                event = "INSERT" if kind & 4 else "DELETE" if kind & 8 else "UPDATE"
                found.setdefault(table, set()).add(f"{event} {'row' if kind & 1 else 'statement'}")
            return found
        cursor.execute("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'synthesis_gen_%'")
        found = {}
        for table, sql in cursor.fetchall():
            event = next(e for e in ("INSERT", "UPDATE", "DELETE") if f"AFTER {e}" in sql)
            found.setdefault(table, set()).add(f"{event} row")
        return found


@pytest.mark.django_db
def test_every_watched_table_has_its_three_triggers():
    """A later migration that rebuilds a table (SQLite does, for many field changes) drops its
    triggers: this says which table lost them. PostgreSQL's are per statement (a bulk insert of
    50,000 notes marks its campaign once)."""
    level = "statement" if connection.vendor == "postgresql" else "row"
    expected = {f"{event} {level}" for event in ("INSERT", "UPDATE", "DELETE")}
    found = _triggers()
    assert {table: found.get(table, set()) for table in WATCHED} == dict.fromkeys(WATCHED, expected)


@pytest.mark.django_db(transaction=True)
def test_the_generation_moves_when_the_write_commits(other_campaign):
    """PostgreSQL writes the new generation at commit (the counter's row is locked for the
    commit only); SQLite at once. Either way a reader sees it no later than the write."""
    before = generations.current(other_campaign.pk)
    with transaction.atomic():
        TagFactory(campaign=other_campaign)
        during = generations.current(other_campaign.pk)
    assert (during == before) == (connection.vendor == "postgresql")
    assert generations.current(other_campaign.pk) != before


@pytest.mark.django_db
def test_a_campaign_and_its_rows_can_still_be_deleted(other_campaign):
    """The counter's row has no foreign key: the triggers of the rows deleted with a campaign
    write it as they go, which must not block the delete."""
    theme = ThemeFactory(campaign=other_campaign)
    TagFactory(campaign=other_campaign)
    PromptFactory(guide=InterviewGuideFactory(campaign=other_campaign))
    RootCauseFactory(theme=theme)
    assert generations.current(other_campaign.pk) != (0, 0)
    other_campaign.delete()
    assert not Campaign.objects.filter(pk=other_campaign.pk).exists()


def _tables_read(client, path) -> set[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return {t for q in ctx.captured_queries for t in re.findall(r'(?:FROM|JOIN)\s+"?(\w+)"?', q["sql"])}


# Read by every signed-in page (the session, the user, the membership) or the counter itself.
NOT_CONTENT = {"django_session", "accounts_user", "campaigns_membership", "campaigns_district"}


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["synthesis/?theme=", "themes/{theme}/", "search/?q=bus"])
def test_cached_pages_read_only_watched_tables(page, world, client_for):
    """Whatever a cached page shows comes from tables whose writes move the generation: a page
    reading a new table fails here until migration-installed triggers watch it too."""
    path = url(world["campaign"], page.format(theme=world["theme"].pk))
    tables = _tables_read(client_for(world["lead"]), path) - NOT_CONTENT - {"synthesis_campaigngeneration"}
    assert tables and tables <= set(WATCHED), tables - set(WATCHED)


@pytest.mark.django_db
def test_the_board_drops_withdrawn_words_at_once(world, client_for, analyst):
    client = client_for(analyst)
    path = url(world["campaign"], "synthesis/?theme=")
    assert "The bus was late" in client.get(path).content.decode()
    assert "The bus was late" in client.get(path).content.decode()  # now from the cache
    withdraw(world["participant"])
    assert "The bus was late" not in client.get(path).content.decode()


@pytest.mark.django_db
def test_a_moved_card_shows_on_its_new_theme_at_once(world, client_for, analyst):
    client = client_for(analyst)
    other = ThemeFactory(campaign=world["campaign"], title="Letters home")
    theme_page = url(world["campaign"], f"themes/{other.pk}/")
    assert "The bus was late" not in client.get(theme_page).content.decode()
    response = client.post(
        url(world["campaign"], f"synthesis/highlights/{world['highlight'].pk}/move/"), {"theme": other.pk}
    )
    assert response.status_code in (200, 302)
    assert "The bus was late" in client.get(theme_page).content.decode()


@pytest.mark.django_db
def test_search_finds_words_typed_after_it_was_cached(world, client_for, lead, make_note):
    client = client_for(lead)
    path = url(world["campaign"], "search/?q=ferry")
    assert client.get(path).context["note_ids"] == []
    fresh = make_note("We took the ferry to school.")
    assert client.get(path).context["note_ids"] == [fresh.pk]


@pytest.mark.django_db
def test_a_leads_theme_page_is_not_served_to_an_analyst(world, client_for, analyst):
    path = url(world["campaign"], f"themes/{world['theme'].pk}/")
    assert 'name="quotes"' in client_for(world["lead"]).get(path).content.decode()
    assert 'name="quotes"' not in client_for(analyst).get(path).content.decode()


@pytest.mark.django_db
def test_the_cache_serves_a_repeat_and_a_write_reads_afresh(world):
    calls = []

    def build():
        calls.append(1)
        return {"n": len(calls)}

    campaign = world["campaign"]
    assert generations.cached(campaign, "probe", ("a",), build) == {"n": 1}
    assert generations.cached(campaign, "probe", ("a",), build) == {"n": 1}
    assert generations.cached(campaign, "probe", ("b",), build) == {"n": 2}
    TagFactory(campaign=campaign)
    assert generations.cached(campaign, "probe", ("a",), build) == {"n": 3}


@pytest.mark.django_db
def test_nothing_read_inside_an_open_transaction_is_kept(world):
    """What a transaction reads may be rolled back with it: never cached."""
    calls = []
    campaign = world["campaign"]
    with transaction.atomic():
        TagFactory(campaign=campaign, name="never committed")
        generations.cached(campaign, "probe", (), lambda: calls.append(1))
        generations.cached(campaign, "probe", (), lambda: calls.append(1))
        transaction.set_rollback(True)
    assert len(calls) == 2


def test_a_kept_page_is_rebuilt_with_its_numbers():
    page = generations.page_of([41, 42], count=42, number=2, per_page=40)
    assert list(page.object_list) == [41, 42]
    assert page.number == 2 and page.paginator.num_pages == 2 and page.has_previous() and not page.has_next()


@pytest.mark.django_db
def test_typing_into_a_note_moves_only_the_text_generation(campaign, make_note):
    """An interviewer's autosaves (the words of a note without highlights) leave the board and
    theme pages cached; search, which shows the words, reads the text generation too."""
    note = make_note("We waited for the bus.")
    generation, text_generation = generations.current(campaign.pk)
    Note.objects.filter(pk=note.pk).update(body="We waited for the bus again.", version=F("version") + 1)
    assert generations.current(campaign.pk)[0] == generation
    assert generations.current(campaign.pk)[1] != text_generation


@pytest.mark.django_db
@pytest.mark.parametrize(
    "write",
    [
        lambda note: Note.objects.filter(pk=note.pk).update(is_deleted=True),
        lambda note: Note.objects.filter(pk=note.pk).update(prompt=None, body="moved and edited"),
        lambda note: Note.objects.create(
            interview=note.interview,
            campaign=note.campaign,
            participant=note.participant,
            body="new",
            client_id=uuid4(),
        ),
    ],
    ids=["deleted", "prompt and words", "a new note"],
)
def test_other_note_writes_move_the_generation(write, campaign, make_note):
    note = make_note("We waited for the bus.", prompt=PromptFactory(guide=InterviewGuideFactory(campaign=campaign)))
    generation = generations.current(campaign.pk)[0]
    write(note)
    assert generations.current(campaign.pk)[0] != generation


@pytest.mark.django_db
def test_editing_a_highlighted_note_moves_the_generation(world):
    """Its highlights may need re-anchoring (PostgreSQL: the stale flag's trigger writes them;
    SQLite: the note's own trigger), so the board computes afresh."""
    generation = generations.current(world["campaign"].pk)[0]
    Note.objects.filter(pk=world["note"].pk).update(body="Different words now.", version=F("version") + 1)
    assert generations.current(world["campaign"].pk)[0] != generation


@pytest.mark.django_db
def test_the_board_stays_cached_while_notes_are_typed_and_search_does_not(
    world, make_note, client_for, lead, monkeypatch
):
    from synthesis import views

    built = []
    original = views._board_pieces
    monkeypatch.setattr(views, "_board_pieces", lambda *args: built.append(1) or original(*args))
    client = client_for(lead)
    typed = make_note("The ferry left early.")
    board, search = url(world["campaign"], "synthesis/?theme="), url(world["campaign"], "search/?q=tram")
    client.get(board)
    assert client.get(search).context["note_ids"] == []
    Note.objects.filter(pk=typed.pk).update(body="The tram left early.", version=F("version") + 1)
    client.get(board)
    assert len(built) == 1  # built once, then served from the cache after the note was typed into
    assert client.get(search).context["note_ids"] == [typed.pk]


@pytest.mark.django_db
def test_a_kind_only_edit_refreshes_a_search_filtered_by_kind(world, make_note, client_for, lead):
    client = client_for(lead)
    note = make_note("The ferry left early.", kind="quote")
    path = url(world["campaign"], "search/?q=ferry&kind=observation")
    assert client.get(path).context["note_ids"] == []
    Note.objects.filter(pk=note.pk).update(kind="observation")
    assert client.get(path).context["note_ids"] == [note.pk]


@pytest.mark.django_db
def test_one_update_of_notes_in_two_campaigns_moves_each_as_its_rows_changed(campaign, other_campaign, make_note):
    """One statement: a text-only change in one campaign, a prompt change in the other."""
    typed = make_note("Words only.")
    participant = ParticipantFactory(campaign=other_campaign)
    interview = InterviewFactory(campaign=other_campaign, participant=participant)
    prompt = PromptFactory(guide=InterviewGuideFactory(campaign=other_campaign))
    moved = NoteFactory(interview=interview, prompt=prompt, body="Under a prompt.")
    before, other_before = generations.current(campaign.pk), generations.current(other_campaign.pk)
    Note.objects.filter(pk__in=[typed.pk, moved.pk]).update(prompt=None, body="Edited.")
    after, other_after = generations.current(campaign.pk), generations.current(other_campaign.pk)
    assert after[0] == before[0] and after[1] != before[1]
    assert other_after[0] != other_before[0]


@pytest.mark.django_db
def test_the_installed_note_trigger_compares_every_column_but_the_text_only_ones():
    """SQLite's installed note trigger lists the columns it compares: a column added to notes
    later (by ALTER TABLE, which keeps triggers) must be added there too, or its changes would
    move only the text generation. PostgreSQL's compares whole rows (to_jsonb)."""
    from interviews.models import Note as NoteModel

    text_only = importlib.import_module("synthesis.migrations.0006_campaign_generation").TEXT_ONLY
    columns = {f.column for f in NoteModel._meta.concrete_fields}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'synthesis_gen_interviews_note'")
            assert "to_jsonb(r)" in cursor.fetchone()[0]
            return
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'synthesis_gen_interviews_note_upd'")
        installed = cursor.fetchone()[0]
    compared = set(re.findall(r'OLD\."(\w+)" IS NOT', installed))
    assert compared == columns - set(text_only["interviews_note"])


@pytest.mark.django_db(transaction=True)
def test_nothing_is_kept_in_a_transaction_opened_without_atomic(other_campaign):
    calls = []
    connection.set_autocommit(False)
    try:
        generations.cached(other_campaign, "probe", (), lambda: calls.append(1))
        generations.cached(other_campaign, "probe", (), lambda: calls.append(1))
        connection.rollback()
    finally:
        connection.set_autocommit(True)
    assert len(calls) == 2
