"""The note-version trigger of 0004 no longer skips highlights already flagged stale.

With `AND NOT anchor_stale` an edit skipped a highlight whose committed row was stale while a
re-anchor of it (clearing the flag against the older version) was still uncommitted: the
re-anchor then committed "fresh" against a version that was already behind. Without the
condition the UPDATE waits for that row's lock and re-checks `note_version < NEW.version`
on the re-anchored row, so the flag is set again.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION synthesis_note_version_moved() RETURNS trigger AS $$
BEGIN
    UPDATE synthesis_highlight SET anchor_stale = true
     WHERE note_id = NEW.id AND note_version < NEW.version;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION synthesis_note_version_moved() RETURNS trigger AS $$
BEGIN
    UPDATE synthesis_highlight SET anchor_stale = true
     WHERE note_id = NEW.id AND note_version < NEW.version AND NOT anchor_stale;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS)


class Migration(migrations.Migration):
    dependencies = [("synthesis", "0004_board_indexes_anchor_stale")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
