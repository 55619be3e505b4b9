"""A generation counter per campaign, moved by triggers on every write to what synthesis shows.

The board, a theme page and search cache what they computed under the campaign's generation
(`synthesis.generations`). Triggers, not Django signals, move it: bulk updates, `.update()`,
raw SQL, the admin and other apps' writes are all caught, in the same transaction as the write.

PostgreSQL: one statement-level trigger per table and event, with transition tables, so a bulk
insert of 50,000 notes marks its campaign once, not 50,000 times; the new generation is written
at commit (see POSTGRES_COMMON). SQLite (`make run`, `make test` without DATABASE_URL):
row-level triggers writing it at once (SQLite has one writer at a time: nothing to wait for).
TRUNCATE is not watched (the app never truncates; test database flushes clear the cache too).

WATCHED maps each table to a query of the campaign ids (column `c`) one of its rows (`{row}`)
belongs to.
Whatever a board, theme page or search result reads is here; a table added to those pages
must be added in a later migration (the test suite writes to each and checks the counter).
"""

from django.db import migrations, models

WATCHED = {
    "campaigns_campaign": "SELECT {row}.id AS c",
    "campaigns_issuestatement": "SELECT {row}.campaign_id AS c",
    "participants_participant": "SELECT {row}.campaign_id AS c",
    "participants_equitydimension": "SELECT {row}.campaign_id AS c",
    "participants_dimensionvalue": "SELECT campaign_id AS c FROM participants_equitydimension WHERE id = {row}.dimension_id",
    "participants_participantvalue": "SELECT campaign_id AS c FROM participants_participant WHERE id = {row}.participant_id",
    "consent_consentform": "SELECT {row}.campaign_id AS c",
    "consent_consentrecord": "SELECT campaign_id AS c FROM participants_participant WHERE id = {row}.participant_id",
    "interviews_interviewguide": "SELECT {row}.campaign_id AS c",
    "interviews_prompt": "SELECT campaign_id AS c FROM interviews_interviewguide WHERE id = {row}.guide_id",
    "interviews_interview": "SELECT {row}.campaign_id AS c",
    "interviews_note": "SELECT {row}.campaign_id AS c",
    "synthesis_tag": "SELECT {row}.campaign_id AS c",
    "synthesis_theme": "SELECT {row}.campaign_id AS c",
    "synthesis_highlight": "SELECT {row}.campaign_id AS c",
    "synthesis_highlighttag": "SELECT campaign_id AS c FROM synthesis_tag WHERE id = {row}.tag_id",
    "synthesis_memo": (
        "SELECT campaign_id AS c FROM synthesis_highlight WHERE id = {row}.highlight_id"
        " UNION SELECT campaign_id FROM synthesis_tag WHERE id = {row}.tag_id"
    ),
    "synthesis_publishedquote": "SELECT campaign_id AS c FROM synthesis_theme WHERE id = {row}.theme_id",
    "synthesis_whystep": "SELECT campaign_id AS c FROM synthesis_theme WHERE id = {row}.theme_id",
    "synthesis_rootcause": "SELECT campaign_id AS c FROM synthesis_theme WHERE id = {row}.theme_id",
    "synthesis_theme_issue_statements": "SELECT campaign_id AS c FROM synthesis_theme WHERE id = {row}.theme_id",
    "synthesis_rootcause_evidence": (
        "SELECT t.campaign_id AS c FROM synthesis_rootcause rc JOIN synthesis_theme t ON t.id = rc.theme_id"
        " WHERE rc.id = {row}.rootcause_id"
    ),
    "synthesis_rootcause_issue_statements": (
        "SELECT t.campaign_id AS c FROM synthesis_rootcause rc JOIN synthesis_theme t ON t.id = rc.theme_id"
        " WHERE rc.id = {row}.rootcause_id"
    ),
    "synthesis_whystep_evidence": (
        "SELECT t.campaign_id AS c FROM synthesis_whystep w JOIN synthesis_theme t ON t.id = w.theme_id"
        " WHERE w.id = {row}.whystep_id"
    ),
}

# Columns whose change alone moves only `text_generation` (the table must have `campaign_id`), which search reads and the board and
# theme pages do not: an interviewer typing into a note (an UPDATE of its words, every few
# seconds while notes are taken) leaves the board cached. An insert, a delete, or an update of
# any other column (deleted, prompt, participant…) moves `generation` as everywhere else; so
# does re-anchoring the highlights on edited words (a write to synthesis_highlight).
TEXT_ONLY = {
    "interviews_note": ("body", "synthesis_search", "kind", "version", "updated_at", "edited_by_id", "author_id"),
}

# SQLite has no trigger flagging highlights whose note's words moved (PostgreSQL's migration
# 0004 sets `anchor_stale`, a write to synthesis_highlight): there an edit of a highlighted note
# moves `generation`, so the board re-anchors its highlights on the next view.
SQLITE_ALSO_MOVED = {"interviews_note": "EXISTS (SELECT 1 FROM synthesis_highlight WHERE note_id = NEW.id)"}

EVENTS = ("INSERT", "UPDATE", "DELETE")

# A new generation is a random 63-bit number, not a count: a database restored to an earlier
# point, re-created, or sharing a cache with another never meets a key it did not write.
NEW_GENERATION = {"postgresql": "floor(random() * 9e18)::bigint", "sqlite": "random()"}

# PostgreSQL: a statement only notes its campaigns as pending for its transaction; the new
# generation is written by a deferred trigger at commit. So the counter's row is locked for
# the commit alone, not from a transaction's first write to its end (a long import would hold
# up every autosave of the campaign; a split and a move could deadlock). Test transactions,
# which never commit, ask for it at once with SET CONSTRAINTS synthesis_generation_commit
# IMMEDIATE (conftest.py).
POSTGRES_COMMON = f"""
CREATE UNLOGGED TABLE synthesis_generation_pending (
    xact bigint NOT NULL,
    campaign_id bigint NOT NULL,
    text_only boolean NOT NULL,
    PRIMARY KEY (xact, campaign_id, text_only)
);

CREATE OR REPLACE FUNCTION synthesis_bump_generations(ids bigint[], text_only boolean DEFAULT false)
RETURNS void AS $$
    INSERT INTO synthesis_generation_pending (xact, campaign_id, text_only)
    SELECT DISTINCT txid_current(), c, text_only FROM unnest(ids) AS c WHERE c IS NOT NULL
    ON CONFLICT DO NOTHING;
$$ LANGUAGE sql;

CREATE OR REPLACE FUNCTION synthesis_generation_commit() RETURNS trigger AS $$
BEGIN
    IF NEW.text_only THEN
        INSERT INTO synthesis_campaigngeneration (campaign_id, generation, text_generation)
        VALUES (NEW.campaign_id, 0, {NEW_GENERATION["postgresql"]})
        ON CONFLICT (campaign_id) DO UPDATE SET text_generation = EXCLUDED.text_generation;
    ELSE
        INSERT INTO synthesis_campaigngeneration (campaign_id, generation, text_generation)
        VALUES (NEW.campaign_id, {NEW_GENERATION["postgresql"]}, 0)
        ON CONFLICT (campaign_id) DO UPDATE SET generation = EXCLUDED.generation;
    END IF;
    DELETE FROM synthesis_generation_pending
     WHERE xact = NEW.xact AND campaign_id = NEW.campaign_id AND text_only = NEW.text_only;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER synthesis_generation_commit
    AFTER INSERT ON synthesis_generation_pending
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION synthesis_generation_commit();
"""


def _name(table, suffix=""):
    return f"synthesis_gen_{table}{suffix}"[:63]


def _postgres_sql(table, select):
    def ids(rows):
        return f"SELECT x.c FROM {rows} r CROSS JOIN LATERAL ({select.format(row='r')}) AS x"

    update = f"PERFORM synthesis_bump_generations(ARRAY({ids('new_rows')} UNION ALL {ids('old_rows')}));"
    if table in TEXT_ONLY:
        # Rows whose columns other than TEXT_ONLY's differ move `generation`; the rest only
        # `text_generation`.
        skip = "ARRAY[" + ", ".join(f"'{c}'" for c in TEXT_ONLY[table]) + "]"

        def moved(this, other):
            # Rows of `this` with no identical row (but for TEXT_ONLY) in `other`, by EXCEPT: a
            # set operation, linear whatever plan PL/pgSQL cached for the function (a join planned
            # for a one-row statement and reused for a bulk one would be quadratic).
            return (
                f"SELECT (d.j ->> 'campaign_id')::bigint FROM (SELECT to_jsonb(r) - {skip} AS j FROM {this} r "
                f"EXCEPT SELECT to_jsonb(o) - {skip} FROM {other} o) AS d"
            )

        update = (
            f"PERFORM synthesis_bump_generations(ARRAY({moved('new_rows', 'old_rows')} "
            f"UNION ALL {moved('old_rows', 'new_rows')}));\n"
            f"        PERFORM synthesis_bump_generations(ARRAY({ids('new_rows')}), true);"
        )

    function = f"""
CREATE OR REPLACE FUNCTION {_name(table)}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM synthesis_bump_generations(ARRAY({ids("new_rows")}));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM synthesis_bump_generations(ARRAY({ids("old_rows")}));
    ELSE
        {update}
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""
    referencing = {
        "INSERT": "REFERENCING NEW TABLE AS new_rows",
        "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "DELETE": "REFERENCING OLD TABLE AS old_rows",
    }
    triggers = [
        f"CREATE TRIGGER {_name(table, '_' + event[:3].lower())} AFTER {event} ON {table} "
        f"{referencing[event]} FOR EACH STATEMENT EXECUTE FUNCTION {_name(table)}();"
        for event in EVENTS
    ]
    return [function, *triggers]


def _sqlite_sql(table, select, columns):
    def bump(row, column="generation"):
        return (
            f"INSERT INTO synthesis_campaigngeneration (campaign_id, generation, text_generation) "
            f"SELECT c, {NEW_GENERATION['sqlite']}, {NEW_GENERATION['sqlite']} "
            f"FROM ({select.format(row=row)}) WHERE c IS NOT NULL "
            f"ON CONFLICT (campaign_id) DO UPDATE SET {column} = excluded.{column};"
        )

    rows = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}
    statements = {event: " ".join(bump(row) for row in rows[event]) for event in EVENTS}
    if table in TEXT_ONLY:
        # SQLite compares the columns the table has now; a later migration that rebuilds it drops
        # these triggers anyway (a test checks they are all there) and must install them again.
        changed = [f'OLD."{c}" IS NOT NEW."{c}"' for c in columns if c not in TEXT_ONLY[table]]
        moved = " OR ".join(changed + [SQLITE_ALSO_MOVED[table]] if table in SQLITE_ALSO_MOVED else changed)
        statements["UPDATE"] = (
            f"{bump('NEW', 'text_generation')} "
            f"INSERT INTO synthesis_campaigngeneration (campaign_id, generation, text_generation) "
            f"SELECT c, {NEW_GENERATION['sqlite']}, 0 FROM ({select.format(row='NEW')} UNION {select.format(row='OLD')}) "
            f"WHERE c IS NOT NULL AND ({moved}) "
            f"ON CONFLICT (campaign_id) DO UPDATE SET generation = excluded.generation;"
        )
    return [
        f"CREATE TRIGGER {_name(table, '_' + event[:3].lower())} AFTER {event} ON {table} FOR EACH ROW "
        f"BEGIN {statements[event]} END;"
        for event in EVENTS
    ]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_COMMON)
        for table, select in WATCHED.items():
            for sql in _postgres_sql(table, select):
                schema_editor.execute(sql)
    elif vendor == "sqlite":
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            for table, select in WATCHED.items():
                columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
                for sql in _sqlite_sql(table, select, columns):
                    schema_editor.execute(sql)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in WATCHED:
        for event in EVENTS:
            if vendor in ("postgresql", "sqlite"):
                on = f" ON {table}" if vendor == "postgresql" else ""
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {_name(table, '_' + event[:3].lower())}{on};")
        if vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {_name(table)}();")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS synthesis_bump_generations(bigint[], boolean);")
        schema_editor.execute("DROP TABLE IF EXISTS synthesis_generation_pending;")
        schema_editor.execute("DROP FUNCTION IF EXISTS synthesis_generation_commit();")


class Migration(migrations.Migration):
    dependencies = [
        ("synthesis", "0005_stale_trigger_waits_for_row"),
        ("campaigns", "0001_initial"),
        ("participants", "0005_campaign_updated_index"),
        ("consent", "0003_link_recipient"),
        ("interviews", "0004_note_edited_by"),
    ]

    operations = [
        migrations.CreateModel(
            name="CampaignGeneration",
            fields=[
                ("campaign_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("generation", models.BigIntegerField(default=0)),
                ("text_generation", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
