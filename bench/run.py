"""The benchmark harness: `make bench` (python -m bench.run). How to read it: docs/benchmarks.md.

Runs against PostgreSQL and Redis (never SQLite). Steps: migrate; generate (or reuse) the bench
campaigns; collectstatic; count SQL queries per page at both sizes; serve with gunicorn
(2 workers, DEBUG off); sign in as the bench lead; drive every page with wrk for BENCH_SECONDS
at 4 connections; measure search, autosave, a psql \\copy and the exports; write
bench/results.json and print a table with each target's pass/fail.

Environment (all optional):
  DATABASE_URL    postgres://… whose database name contains "bench" (it may be dropped and
                  re-created); default postgres://postgres@127.0.0.1:5432/empathy_bench
  REDIS_URL       default redis://127.0.0.1:6379/2
  BENCH_SECONDS   seconds per page under load (default 8)
  BENCH_SEED      the generator's seed (default 2026)
  BENCH_REGENERATE=1   regenerate the data even when the stored fingerprint matches
  BENCH_PORT      gunicorn's port (default: a free one on 127.0.0.1)
  BENCH_WORKERS   gunicorn workers (default 2)
  DB_CONN_MAX_AGE as in production: 0 (a connection per request) unless set
  BENCH_STRICT=1  exit 1 when a target is missed (by default the table says so and the exit is 0)
  BENCH_NICE      e.g. -10: run the harness, gunicorn, wrk and the export workers at this
                  niceness, so other work on a shared machine disturbs the figures less
                  (lowering it needs root; PostgreSQL keeps its own priority)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import secrets
import subprocess
import sys
import time
import urllib.parse
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).with_name("results.json")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/empathy_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/2"
LARGE_SLUG, TINY_SLUG = "bench-large", "bench-tiny"
LEAD_EMAIL, TINY_LEAD_EMAIL = "bench-lead@example.org", "bench-tiny-lead@example.org"
LEAD_PASSWORD = "bench-password-not-a-secret"  # noqa: S105 - a throwaway user in the bench database
CONNECTIONS = 4
FINGERPRINT_PREFIX = "bench-fingerprint: "


class BenchConfigError(Exception):
    pass


def bench_environment(environ) -> dict:
    """The environment the harness and its gunicorn run with; refuses SQLite and foreign databases."""
    database_url = environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    scheme = database_url.split(":", 1)[0].lower()
    if scheme.startswith("sqlite"):
        raise BenchConfigError(
            "the benchmark runs on PostgreSQL and Redis, not SQLite: DATABASE_URL is "
            f"{database_url!r}. Unset DATABASE_URL to use {DEFAULT_DATABASE_URL} (created if missing), "
            "or set DATABASE_URL=postgres://user@host:5432/<a database named *bench*> and REDIS_URL=redis://…"
        )
    if scheme not in ("postgres", "postgresql", "pgsql"):
        raise BenchConfigError(f"DATABASE_URL must be a postgres:// URL, not {scheme}://.")
    name = urllib.parse.urlparse(database_url).path.lstrip("/")
    if "bench" not in name:
        raise BenchConfigError(
            f"the database {name!r} is not a bench database: the harness may drop and re-create its database, "
            "so its name must contain 'bench' (e.g. postgres://postgres@127.0.0.1:5432/empathy_bench)."
        )
    redis_url = environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    if not redis_url.startswith(("redis://", "rediss://")):
        raise BenchConfigError(f"REDIS_URL must be a redis:// URL, not {redis_url!r}.")
    return {
        "DJANGO_SETTINGS_MODULE": "empathy.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        # Production settings, except TLS: plain http on loopback needs no redirect and no secure cookies.
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "SECURE_COOKIES": "False",
        # As deployed (docs/deploy.md): a connection per request unless DB_CONN_MAX_AGE says otherwise.
        "DB_CONN_MAX_AGE": environ.get("DB_CONN_MAX_AGE", "0"),
        "CACHE_KEY_PREFIX": "empathy-bench",
        "LOG_LEVEL": "WARNING",
        "BENCH_FLOOR": "1",
    }


def _server_connection(database_url: str, dbname: str = "postgres"):
    import psycopg

    parts = urllib.parse.urlparse(database_url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or "postgres"),
        password=urllib.parse.unquote(parts.password) if parts.password else None,
        dbname=dbname,
        autocommit=True,
    )


def ensure_database(database_url: str, *, reset: bool = False) -> bool:
    """Create the bench database if missing (or drop and re-create it); True if it was created."""
    from psycopg import sql

    name = urllib.parse.urlparse(database_url).path.lstrip("/")
    with _server_connection(database_url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    return False


class Steps:
    """Prints each step with the time since the start, so a slow step is obvious."""

    def __init__(self):
        self.started = time.perf_counter()

    def __call__(self, text):
        print(f"[{time.perf_counter() - self.started:6.1f}s] {text}", flush=True)

    @property
    def elapsed(self):
        return round(time.perf_counter() - self.started, 1)


# --- Data -------------------------------------------------------------------------------------------


def bench_user(email: str):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user, _created = get_user_model().objects.get_or_create(email=email, defaults={"full_name": "Bench Lead"})
    user.set_password(LEAD_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def digest(paths) -> str:
    """A digest of these files: a changed migration or generator means regenerating."""
    sha = hashlib.sha256()
    for path in sorted(paths):
        sha.update(str(path.relative_to(ROOT)).encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()[:16]


def fingerprint(seed: int) -> dict:
    from .generate import SIZES, available_parts

    return {
        "generator": digest([ROOT / "bench" / "generate.py", ROOT / "bench" / "textbank.py"]),
        "seed": seed,
        "parts": available_parts(),
        "sizes": {name: asdict(size) for name, size in SIZES.items()},
        "migrations": digest(ROOT.glob("*/migrations/*.py")),
    }


def stored(campaign) -> dict | None:
    for line in campaign.policy_context.splitlines():
        if line.startswith(FINGERPRINT_PREFIX):
            return json.loads(line.removeprefix(FINGERPRINT_PREFIX))
    return None


def prepare_data(seed: int, regenerate: bool, step) -> dict | None:
    """Reuse the bench campaigns if their fingerprint matches; generate them in an empty database.

    Returns the generation report, or None when stale campaigns exist (the caller resets the
    database: deleting 50,000 notes row by row would take longer than generating them).
    """
    from campaigns.models import Campaign

    from .generate import SIZES, generate_campaign

    wanted = fingerprint(seed)
    existing = list(Campaign.objects.filter(slug__in=[LARGE_SLUG, TINY_SLUG]))
    marks = [stored(c) or {} for c in existing]
    complete = all(
        mark.get("fingerprint") == wanted
        and all(part["status"] != "failed" for part in mark["generation"]["parts"].values())
        for mark in marks
    )
    if not regenerate and len(existing) == 2 and complete:
        step("reusing the bench campaigns (same seed, sizes and parts; BENCH_REGENERATE=1 to rebuild)")
        report = {c.slug: stored(c)["generation"] for c in existing}
        return {"reused": True, "large": report[LARGE_SLUG], "tiny": report[TINY_SLUG]}
    if existing:
        return None
    report = {"reused": False}
    for slug, size_name, email in ((LARGE_SLUG, "large", LEAD_EMAIL), (TINY_SLUG, "tiny", TINY_LEAD_EMAIL)):
        step(f"generating {slug} ({size_name})…")
        result = generate_campaign(slug=slug, size=SIZES[size_name], seed=seed, lead=bench_user(email))
        campaign = result.pop("campaign")
        report[size_name] = result
        for part, info in result["parts"].items():
            detail = info.get("counts") or info.get("reason")
            step(f"  {part:<13} {info['status']:<9} {info.get('seconds', '')!s:>6}  {detail}")
        step(f"  {slug} took {result['seconds']} s")
        mark = {"fingerprint": wanted, "generation": result}
        campaign.policy_context += f"\n\n{FINGERPRINT_PREFIX}{json.dumps(mark)}"
        campaign.save(update_fields=["policy_context"])
    return report


def vacuum_analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- Machine ----------------------------------------------------------------------------------------


def machine() -> dict:
    from importlib.metadata import version

    import django
    from django.conf import settings
    from django.db import connection

    from . import load

    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    try:
        import redis

        redis_version = redis.Redis.from_url(settings.REDIS_URL).info()["redis_version"]
    except Exception as error:
        redis_version = f"unknown ({error})"

    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": version("gunicorn"),
        "postgres": postgres,
        "redis": redis_version,
        "wrk": load.wrk_version(),
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
    }


# --- Load -------------------------------------------------------------------------------------------


def drive_page(base: str, cookie: str, page, queries: dict, seconds: float, step) -> dict:
    from . import load

    large, tiny = queries[page.key]["large"], queries[page.key]["tiny"]
    row = {
        "label": page.label,
        "path": large.get("path"),
        "queries_large": large.get("queries"),
        "queries_tiny": tiny.get("queries"),
        "request_ms_in_process": large.get("request_ms"),
        "sql_ms_in_process": large.get("sql_ms"),
        "request_ms_cold": large.get("request_ms_cold"),
        "request_ms_after_write": large.get("request_ms_after_write"),
        "queries_after_write": large.get("queries_after_write"),
        "queries_cold_large": large.get("queries_cold"),
        "queries_cold_tiny": tiny.get("queries_cold"),
        "slowest_query_ms": large.get("slowest_query_ms"),
        "slowest_query": large.get("slowest_query"),
        "slowest_query_plan": large.get("slowest_query_plan"),
    }
    if large.get("path") is None or large.get("status") == 404:
        row.update(status="not built yet", reason=large.get("reason") or "answers 404")
        step(f"  {page.key:<13} not built yet: {row['reason']}")
        return row
    if large.get("status") != 200:
        row.update(status="failed", reason=large.get("reason") or f"answered {large.get('status')}")
        step(f"  {page.key:<13} failed: {row['reason']}")
        return row
    status = load.get_status(base, large["path"], cookie)
    if status != 200:
        row.update(status="failed", reason=f"GET answered {status} over HTTP")
        step(f"  {page.key:<13} failed: {row['reason']}")
        return row
    for _ in range(4):  # both workers compile the templates before the clock starts
        load.get_status(base, large["path"], cookie)
    result = load.wrk(base + large["path"], cookie, seconds, CONNECTIONS)
    row.update(status="measured", errors=result["socket_errors"] + result["non2xx"], **result)
    step(
        f"  {page.key:<13} {result['requests_per_s']:7.1f} req/s  p50 {result['p50_ms']:6.1f} ms  "
        f"p95 {result['p95_ms']:6.1f} ms  queries {row['queries_large']}/{row['queries_tiny']}"
    )
    return row


def drive_pages(base: str, cookie: str, queries: dict, seconds: float, step) -> dict:
    """Every page in turn; the floor first and last, and the faster of the two counts as the floor.

    On a shared machine the load drifts during a run; taking the higher floor keeps the
    "30% of the floor" check conservative, and two floors far apart say the machine was busy.
    """
    from .pages import PAGES

    floor_page = next(p for p in PAGES if p.key == "floor")
    first_floor = drive_page(base, cookie, floor_page, queries, seconds, step)
    pages = {p.key: drive_page(base, cookie, p, queries, seconds, step) for p in PAGES if p.key != "floor"}
    floor = drive_page(base, cookie, floor_page, queries, seconds, step)
    if first_floor.get("status") == "measured" and floor.get("status") == "measured":
        runs = [first_floor["requests_per_s"], floor["requests_per_s"]]
        if first_floor["requests_per_s"] > floor["requests_per_s"]:
            floor = first_floor
        floor["floor_runs_requests_per_s"] = runs
    pages["floor"] = floor
    return pages


def main() -> int:
    try:
        env = bench_environment(os.environ)
    except BenchConfigError as error:
        print(f"bench: refusing to run: {error}", file=sys.stderr)
        return 2
    os.environ.update(env)
    seconds = float(os.environ.get("BENCH_SECONDS", "8"))
    seed = int(os.environ.get("BENCH_SEED", "2026"))
    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    regenerate = os.environ.get("BENCH_REGENERATE") == "1"
    niceness = int(os.environ.get("BENCH_NICE") or 0)
    if niceness:
        os.nice(niceness)  # inherited by every process the harness starts
    step = Steps()
    database_url = env["DATABASE_URL"]
    print(f"bench: {database_url} and {env['REDIS_URL']}, {seconds:g} s per page, seed {seed}", flush=True)

    from . import load

    load.ensure_wrk()
    if ensure_database(database_url):
        step("created the bench database")

    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connections

    step("migrate")
    try:
        call_command("migrate", interactive=False, verbosity=0)
    except Exception as error:  # a migration rewritten since the last run: start from an empty database
        step(f"migrate failed ({type(error).__name__}: {error}); re-creating the bench database")
        connections.close_all()
        ensure_database(database_url, reset=True)
        call_command("migrate", interactive=False, verbosity=0)
    generation = prepare_data(seed, regenerate, step)
    if generation is None:
        step("the bench campaigns are stale: dropping and re-creating the bench database")
        connections.close_all()
        ensure_database(database_url, reset=True)
        call_command("migrate", interactive=False, verbosity=0)
        generation = prepare_data(seed, False, step)
    vacuum_analyze()
    step("collectstatic")
    call_command("collectstatic", interactive=False, verbosity=0)

    from campaigns.models import Campaign

    from . import measure
    from .pages import measure_queries, objects_for

    large = Campaign.objects.get(slug=LARGE_SLUG)
    tiny = Campaign.objects.get(slug=TINY_SLUG)
    lead, tiny_lead = bench_user(LEAD_EMAIL), bench_user(TINY_LEAD_EMAIL)
    step("counting SQL queries per page (large and tiny)")
    queries = measure_queries({"large": (large, lead), "tiny": (tiny, tiny_lead)})
    connections.close_all()  # gunicorn's workers fork from a clean slate

    results = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "settings": {
            "seconds_per_page": seconds,
            "connections": CONNECTIONS,
            "gunicorn_workers": workers,
            "seed": seed,
            "db_conn_max_age": int(env["DB_CONN_MAX_AGE"]),
            "niceness": os.nice(0),
            "debug": False,
        },
        "machine": machine(),
        "generation": generation,
    }
    port = int(os.environ.get("BENCH_PORT") or load.free_port())
    step(f"gunicorn: {workers} workers on 127.0.0.1:{port}")
    with load.gunicorn(dict(os.environ), port, workers) as base:
        cookies = load.sign_in(base, LEAD_EMAIL, LEAD_PASSWORD)
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        step(f"signed in as {LEAD_EMAIL}; driving each page for {seconds:g} s at {CONNECTIONS} connections")
        results["pages"] = drive_pages(base, cookie, queries, seconds, step)
        objects = objects_for(large)
        step("search, 1 user")
        results["search"] = measure.measure_search(base, cookie, objects, seconds)
        step("board at 3 users while a teammate moves a card a second")
        results["board_while_moving"] = measure.measure_board_while_moving(
            base, cookie, cookies.get("csrftoken", ""), objects, seconds
        )
        step("autosave, 1 user")
        results["autosave"] = measure.measure_autosave(base, cookie, cookies.get("csrftoken", ""), objects, seconds)
    measure.remove_autosaved_notes()
    step("psql \\copy of the notes export's columns")
    results["copy"] = measure.copy_baseline(large, database_url)
    step("exports, each in its own worker process")
    results["exports"] = measure.measure_exports(large, LEAD_EMAIL, results["copy"])

    from .report import check_targets, table

    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["targets"] = check_targets(results)
    results["total_seconds"] = step.elapsed
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print()
    print(table(results))
    print(f"\nwrote {RESULTS.relative_to(ROOT)} in {step.elapsed} s", flush=True)
    missed = [row for row in results["targets"] if row["pass"] is False]
    return 1 if missed and os.environ.get("BENCH_STRICT") == "1" else 0


if __name__ == "__main__":
    sys.exit(main())
