"""Search reads a stored tsvector instead of parsing every matching note's body again.

Ranking 10,000 matches for a common word re-ran to_tsvector on each body with the expression
index alone (≈1.7 s on 50,000 notes); a stored generated column with its own GIN index makes
both the match and ts_rank read the parsed vector. Postgres only; SQLite searches with LIKE.
The column belongs to search (synthesis), so it is added here; Django's Note model does not
know it, which is harmless: every query names its columns.

A constraint this puts on interviews' future migrations (Postgres only; interviews owns Note, so
the warning lives here and in docs/synthesis.md rather than in interviews/models.py): the
generated column depends on `interviews_note.body`, so
- `ALTER COLUMN body TYPE …` (e.g. a TextField becoming a CharField) fails with "cannot alter
  type of a column used by a generated column";
- removing or renaming `body` would drop this column and its index with it (CASCADE).
Such a migration must first run this migration's `drop` (a RunPython in synthesis, ordered
before it) and re-create the column afterwards with `create`.
"""

from django.db import migrations

COLUMN = "synthesis_search"
INDEX = "synthesis_note_search_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE interviews_note ADD COLUMN IF NOT EXISTS {COLUMN} tsvector "
        "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, COALESCE(body, ''))) STORED"
    )
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON interviews_note USING gin ({COLUMN})")
    schema_editor.execute("DROP INDEX IF EXISTS synthesis_note_body_fts")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"ALTER TABLE interviews_note DROP COLUMN IF EXISTS {COLUMN}")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS synthesis_note_body_fts ON interviews_note "
        "USING gin (to_tsvector('english'::regconfig, COALESCE(body, '')))"
    )


class Migration(migrations.Migration):
    dependencies = [("synthesis", "0002_note_search_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
