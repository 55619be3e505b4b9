"""The board's reads, made cheap at write time.

- `Highlight.anchor_stale`, kept by two PostgreSQL triggers: a note whose `version` moves flags
  its highlights that are now behind; a highlight saved with an old `note_version` (an insert, or
  a re-anchor that sets `note_version`) gets the flag recomputed. The board and the notes page
  then ask "anything stale?" through a partial index instead of joining all highlights to their
  notes on every GET (models.py's module doc). The triggers live here, like migration 0003's
  column, because re-anchoring is synthesis's rule; interviews' code does not change. Other
  databases keep comparing versions (HighlightQuerySet.stale).
- Indexes for the board's cards (newest first, per theme or the pool), each theme's preview and
  search's matching highlights (starred first, then newest).
- A partial index of deleted notes: `Highlight.objects.visible()` drops highlights on deleted
  notes with `note_id NOT IN (deleted notes)` (a few rows) instead of joining every note.
"""

from django.db import migrations, models

FUNCTIONS_AND_TRIGGERS = """
CREATE OR REPLACE FUNCTION synthesis_note_version_moved() RETURNS trigger AS $$
BEGIN
    UPDATE synthesis_highlight SET anchor_stale = true
     WHERE note_id = NEW.id AND note_version < NEW.version AND NOT anchor_stale;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS synthesis_note_version_moved ON interviews_note;
CREATE TRIGGER synthesis_note_version_moved
    AFTER UPDATE OF version ON interviews_note
    FOR EACH ROW WHEN (NEW.version IS DISTINCT FROM OLD.version)
    EXECUTE FUNCTION synthesis_note_version_moved();

CREATE OR REPLACE FUNCTION synthesis_highlight_anchor_check() RETURNS trigger AS $$
BEGIN
    NEW.anchor_stale := COALESCE(
        NEW.note_version < (SELECT version FROM interviews_note WHERE id = NEW.note_id), false);
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS synthesis_highlight_anchor_check ON synthesis_highlight;
CREATE TRIGGER synthesis_highlight_anchor_check
    BEFORE INSERT OR UPDATE OF note_version, anchor_stale ON synthesis_highlight
    FOR EACH ROW EXECUTE FUNCTION synthesis_highlight_anchor_check();

UPDATE synthesis_highlight h SET anchor_stale = true
  FROM interviews_note n WHERE n.id = h.note_id AND h.note_version < n.version;

CREATE INDEX IF NOT EXISTS synthesis_note_deleted ON interviews_note (id) WHERE is_deleted;
"""

DROP = """
DROP TRIGGER IF EXISTS synthesis_note_version_moved ON interviews_note;
DROP FUNCTION IF EXISTS synthesis_note_version_moved();
DROP TRIGGER IF EXISTS synthesis_highlight_anchor_check ON synthesis_highlight;
DROP FUNCTION IF EXISTS synthesis_highlight_anchor_check();
DROP INDEX IF EXISTS synthesis_note_deleted;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS_AND_TRIGGERS)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0004_note_edited_by"),
        ("synthesis", "0003_note_search_column"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="highlight", name="synthesis_hl_campaign_theme"),
        migrations.AddField(
            model_name="highlight",
            name="anchor_stale",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddIndex(
            model_name="highlight",
            index=models.Index(
                fields=["campaign", "theme", "-created_at", "-id", "participant", "note"],
                name="synthesis_hl_board_order",
            ),
        ),
        migrations.AddIndex(
            model_name="highlight",
            index=models.Index(
                fields=["theme", "-starred", "-id", "campaign", "participant", "note"], name="synthesis_hl_theme_cards"
            ),
        ),
        migrations.AddIndex(
            model_name="highlight",
            index=models.Index(
                condition=models.Q(("anchor_stale", True)), fields=["campaign"], name="synthesis_hl_anchor_stale"
            ),
        ),
        migrations.AddIndex(
            model_name="highlight",
            index=models.Index(fields=["campaign", "-starred", "-id"], name="synthesis_hl_campaign_starred"),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
