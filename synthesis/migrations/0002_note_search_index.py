"""A GIN index for full-text search over notes (Postgres only; SQLite searches with LIKE).

It is an expression index on exactly the expression Django's
SearchVector("body", config="english") generates, so `annotate(search=...).filter(search=query)`
uses it. It lives here, not in interviews, because search is synthesis's feature.
"""

from django.db import migrations

INDEX = "synthesis_note_body_fts"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON interviews_note "
        "USING gin (to_tsvector('english'::regconfig, COALESCE(body, '')))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("synthesis", "0001_initial"),
        ("interviews", "0003_interview_note"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
