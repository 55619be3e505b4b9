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
    PRIMARY KEY (xact, campaign_id)
);

CREATE OR REPLACE FUNCTION synthesis_bump_generations(ids bigint[]) RETURNS void AS $$
    INSERT INTO synthesis_generation_pending (xact, campaign_id)
    SELECT DISTINCT txid_current(), c FROM unnest(ids) AS c WHERE c IS NOT NULL
    ON CONFLICT DO NOTHING;
$$ LANGUAGE sql;

CREATE OR REPLACE FUNCTION synthesis_generation_commit() RETURNS trigger AS $$
BEGIN
    INSERT INTO synthesis_campaigngeneration (campaign_id, generation)
    VALUES (NEW.campaign_id, {NEW_GENERATION["postgresql"]})
    ON CONFLICT (campaign_id) DO UPDATE SET generation = EXCLUDED.generation;
    DELETE FROM synthesis_generation_pending WHERE xact = NEW.xact AND campaign_id = NEW.campaign_id;
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

    function = f"""
CREATE OR REPLACE FUNCTION {_name(table)}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM synthesis_bump_generations(ARRAY({ids("new_rows")}));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM synthesis_bump_generations(ARRAY({ids("old_rows")}));
    ELSE
        PERFORM synthesis_bump_generations(ARRAY({ids("new_rows")} UNION ALL {ids("old_rows")}));
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


def _sqlite_sql(table, select):
    def bump(row):
        return (
            f"INSERT INTO synthesis_campaigngeneration (campaign_id, generation) "
            f"SELECT c, {NEW_GENERATION['sqlite']} FROM ({select.format(row=row)}) WHERE c IS NOT NULL "
            f"ON CONFLICT (campaign_id) DO UPDATE SET generation = excluded.generation;"
        )

    rows = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}
    return [
        f"CREATE TRIGGER {_name(table, '_' + event[:3].lower())} AFTER {event} ON {table} FOR EACH ROW "
        f"BEGIN {' '.join(bump(row) for row in rows[event])} END;"
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
        for table, select in WATCHED.items():
            for sql in _sqlite_sql(table, select):
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
        schema_editor.execute("DROP FUNCTION IF EXISTS synthesis_bump_generations(bigint[]);")
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
            ],
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
