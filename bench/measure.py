"""Step 3 of the harness: autosave, a note search, and exports next to a raw `psql \\copy`.

Each measurement checks that what it needs exists (a URL, a model, a service) and otherwise
returns {"status": "not built yet", "reason": ...}; it lights up when the app lands. What each
one looks for is listed in docs/benchmarks.md ("Plugging in").
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from django.db import connection
from django.urls import NoReverseMatch, reverse

from . import load
from .generate import fk_to, get_model
from .pages import SEARCH_TERM, campaign_lookup

ROOT = Path(__file__).resolve().parent.parent

# The autosave endpoint: the first of these URL names that reverses with (slug, interview id).
AUTOSAVE_URL_NAMES = (
    "interviews:note_autosave",
    "interviews:autosave",
    "interviews:note_save",
    "interviews:notes_save",
    "interviews:note_sync",
    "interviews:notes_sync",
    "interviews:sync",
    "interviews:note_create",
)
AUTOSAVE_ID_KWARGS = ("interview_id", "pk", "id")
AUTOSAVE_MARK = "[bench autosave]"

EXPORTS = (("notes", "csv"), ("notes", "xlsx"))  # when the exports app does not list its own


def export_kinds() -> list[tuple[str, str]]:
    """Every (kind, format) the exports app offers (ExportJob.FORMATS), notes first."""
    ExportJob = get_model("exports.ExportJob")
    formats = getattr(ExportJob, "FORMATS", None) if ExportJob is not None else None
    if not formats:
        return list(EXPORTS)
    pairs = [(str(kind), str(fmt)) for kind, fmts in formats.items() for fmt in fmts]
    return sorted(pairs, key=lambda pair: pair[0] != "notes")


def not_built(reason: str) -> dict:
    return {"status": "not built yet", "reason": reason}


# --- Search --------------------------------------------------------------------------------------


SEARCH_WORDS = 100
SEARCH_MATCHES = (3000, 20000)  # notes each searched word matches ("bus": about 10,600)


def search_words(campaign_id, limit: int = SEARCH_WORDS) -> list[tuple[str, int]]:
    """Distinct words of the campaign's notes that each match as many notes as "bus" does
    (SEARCH_MATCHES), with how many: a word that search stems to itself, most frequent first."""
    low, high = SEARCH_MATCHES
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, ndoc FROM ts_stat(%s) WHERE ndoc BETWEEN %s AND %s "
            "AND websearch_to_tsquery('english', word)::text = quote_literal(word) "
            "ORDER BY ndoc DESC, word LIMIT %s",
            [
                f"SELECT synthesis_search FROM interviews_note WHERE campaign_id = {int(campaign_id)} "
                "AND NOT is_deleted",
                low,
                high,
                limit,
            ],
        )
        return cursor.fetchall()


def measure_search(base: str, cookie: str, objects: dict, seconds: float) -> dict:
    """One user searching (one request at a time), each search a different word that matches
    3,000–20,000 notes and asked once: what a search costs when the page is not in the cache
    (a repeated search is served from it, like any page between two writes; that is in the
    page table as "search"). The cache is cleared first, so an earlier run answers nothing."""
    from django.core.cache import cache

    from .pages import PAGES, page_path

    page = next(p for p in PAGES if p.key == "search")
    path, why = page_path(page, objects)
    if path is None:
        return not_built(why)
    words = search_words(get_model("campaigns.Campaign").objects.get(slug=objects["slug"]).pk)
    if not words:
        return not_built("no words in the notes match 3,000–20,000 notes")
    cache.clear()
    times, statuses = [], set()
    started = time.perf_counter()
    for word, _matches in words:
        one = path.replace(f"q={SEARCH_TERM}", "q=" + urllib.parse.quote(word))
        before = time.perf_counter()
        statuses.add(load.get_status(base, one, cookie))
        times.append((time.perf_counter() - before) * 1000)
        if time.perf_counter() - started > seconds * 3:
            break
    if statuses != {200}:
        return not_built(f"GET {path} with other words answered {sorted(statuses)}")
    times.sort()

    def pct(p):
        return round(times[min(len(times) - 1, int(p / 100 * len(times)))], 2)

    matched = [m for _w, m in words[: len(times)]]
    return {
        "status": "measured",
        "path": path,
        "term": f"{len(times)} different words, each asked once (not cached)",
        "words": [w for w, _m in words[: len(times)]],
        "notes_matched": {"min": min(matched), "max": max(matched)},
        "connections": 1,
        "requests": len(times),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "max_ms": round(times[-1], 2),
    }


MOVES_PER_SECOND = 1.0
MOVE_CONNECTIONS_BOARD = 3


def measure_board_while_moving(base: str, cookie: str, csrf_token: str, objects: dict, seconds: float) -> dict:
    """The board at 3 connections while a teammate moves a card a second (one more
    connection): each move writes, so the board's cached pieces are built again after it —
    what a team sorting cards together sees, next to the page table's unchanged campaign.
    The moved cards are put back where they were afterwards."""
    import threading

    from django.urls import reverse

    Highlight, Theme = get_model("synthesis.Highlight"), get_model("synthesis.Theme")
    campaign = get_model("campaigns.Campaign").objects.get(slug=objects["slug"])
    # Cards the board shows (not a withdrawn participant's, not on a deleted note: those 404).
    unthemed = Highlight.objects.visible(campaign).filter(theme__isnull=True).order_by("-id")
    cards = list(unthemed.values_list("pk", flat=True)[:20])
    theme = Theme.objects.filter(campaign=campaign).order_by("pk").values_list("pk", flat=True).first()
    if not cards or theme is None:
        return not_built("no unthemed cards or no theme in the campaign")
    headers = {"X-CSRFToken": csrf_token, "Referer": f"{base}/", "HX-Request": "true"}
    moves, stop = [], threading.Event()

    def move_cards():
        n = 0
        while not stop.is_set():
            card = cards[(n // 2) % len(cards)]
            target = theme if n % 2 == 0 else ""  # onto the theme, then back to the pool
            path = reverse("synthesis:highlight_move", args=[objects["slug"], card])
            started = time.perf_counter()
            try:
                status, _answer = load.post(base, path, cookie, headers, urllib.parse.urlencode({"theme": target}))
            except OSError as error:  # a refused or timed-out connection is a failed move, not a dead thread
                status = f"{type(error).__name__}"
            moves.append((status, (time.perf_counter() - started) * 1000))
            n += 1
            stop.wait(max(0.0, 1 / MOVES_PER_SECOND - (time.perf_counter() - started)))

    mover = threading.Thread(target=move_cards, daemon=True)
    mover.start()
    try:
        result = load.wrk(f"{base}/c/{objects['slug']}/synthesis/", cookie, seconds, MOVE_CONNECTIONS_BOARD)
    finally:
        stop.set()
        mover.join()  # a move still in flight must commit before the cards are put back
        Highlight.objects.filter(pk__in=cards).update(theme=None)
    failed = [status for status, _ms in moves if not (isinstance(status, int) and 200 <= status < 300)]
    expected = int(0.8 * seconds * MOVES_PER_SECOND)
    errors = result["socket_errors"] + result["non2xx"]
    if failed or len(moves) < expected or errors:
        return {
            "status": "failed",
            "reason": f"{len(failed)} of {len(moves)} moves failed ({sorted(set(map(str, failed)))}), "
            f"{expected} expected; the board answered {errors} errors or non-2xx",
        }
    move_ms = sorted(ms for _status, ms in moves)
    return {
        "status": "measured",
        "connections": MOVE_CONNECTIONS_BOARD,
        "moves": len(moves),
        "move_p50_ms": round(move_ms[len(move_ms) // 2], 2),
        "errors": errors,
        **result,
    }


# --- Autosave ------------------------------------------------------------------------------------


def _autosave_url(slug: str, interview_id) -> tuple[str | None, str | None]:
    for name in AUTOSAVE_URL_NAMES:
        for kwarg in AUTOSAVE_ID_KWARGS:
            try:
                return reverse(name, kwargs={"slug": slug, kwarg: interview_id}), name
            except NoReverseMatch:
                continue
    return None, None


def _autosave_body(interview_id) -> str | None:
    """A form-encoded new note; `{n}` becomes a fresh client id per request (see wrk_report.lua)."""
    Note, Prompt = get_model("interviews.Note"), get_model("interviews.Prompt")
    prompt = None
    if Prompt is not None and (fk := fk_to(Note, get_model("interviews.Interview"))) is not None:
        prompt = Note.objects.filter(**{fk.name: interview_id}).values_list("prompt", flat=True).first()
    fields = {
        "kind": "quote",
        "body": f"{AUTOSAVE_MARK} The bus came late again, so I walked my brother to school.",
        # A UUID per request: this run's random prefix, then wrk_report.lua's counter for {n}.
        "client_id": f"{secrets.token_hex(4)}-0000-4000-8000-{{n}}",
        "prompt": prompt or "",
        "version": "0",
    }
    return urllib.parse.urlencode(fields).replace("%7Bn%7D", "{n}")


def measure_autosave(base: str, cookie: str, csrf_token: str, objects: dict, seconds: float) -> dict:
    """POST a new note to the autosave endpoint at 1 connection: the server time of one save."""
    interview_id = objects.get("interview")
    if interview_id is None:
        return not_built("no interviews.Interview in the campaign")
    path, name = _autosave_url(objects["slug"], interview_id)
    if path is None:
        return not_built(f"none of the URL names {', '.join(AUTOSAVE_URL_NAMES)} exists")
    body = _autosave_body(interview_id)
    env = {"BENCH_METHOD": "POST", "BENCH_BODY": body, "BENCH_CONTENT_TYPE": "application/x-www-form-urlencoded"}
    extra = {"X-CSRFToken": csrf_token, "Referer": f"{base}/", "HX-Request": "true"}
    headers = [f"{k}: {v}" for k, v in extra.items()]
    status, answer = load.post(base, path, cookie, extra, body.replace("{n}", "ffffffffffff"))
    if not 200 <= status < 300:
        return {
            "status": "failed",
            "path": path,
            "url_name": name,
            "reason": f"a new note answered {status} ({answer.strip()[:200]}): see _autosave_body in bench/measure.py",
        }
    result = load.wrk(base + path, cookie, seconds, connections=1, extra_env=env, headers=headers)
    return {"status": "measured", "path": path, "url_name": name, "connections": 1, **result}


def remove_autosaved_notes():
    """Keep the generated campaign as generated: drop the notes the measurement added.

    Called once gunicorn has stopped: a request in flight when wrk stops still commits its note.
    """
    Note = get_model("interviews.Note")
    if Note is None:
        return
    text = "body" if any(f.name == "body" for f in Note._meta.fields) else "text"
    Note.objects.filter(**{f"{text}__startswith": AUTOSAVE_MARK}).delete()


# --- psql \copy baseline and exports ----------------------------------------------------------------


def notes_export_queryset(campaign):
    """The notes of `campaign` with the columns a notes export writes, as one ORM query."""
    Note, Interview, Prompt = (get_model(x) for x in ("interviews.Note", "interviews.Interview", "interviews.Prompt"))
    Participant = get_model("participants.Participant")
    where = campaign_lookup(Note, campaign)
    names = {f.name for f in Note._meta.concrete_fields}
    columns, order = ["pk"], []
    interview = fk_to(Note, Interview) if Interview else None
    if interview is not None:
        columns.append(interview.name)
        order.append(interview.name)
    participant = fk_to(Note, Participant)
    if participant is not None:
        columns.append(f"{participant.name}__code")
    elif interview is not None and (via := fk_to(Interview, Participant)) is not None:
        columns.append(f"{interview.name}__{via.name}__code")
    prompt = fk_to(Note, Prompt) if Prompt else None
    if prompt is not None:
        columns.append(f"{prompt.name}__text")
    columns += [n for n in ("kind", "body", "text", "created_at") if n in names]
    order += [n for n in ("created_at",) if n in names] + ["pk"]
    return Note.objects.filter(**where).order_by(*order).values_list(*columns)


def copy_baseline(campaign, database_url: str, runs: int = 3) -> dict:
    """Time `psql \\copy (<the notes export query>) TO file CSV`; the best of `runs`."""
    if get_model("interviews.Note") is None:
        return not_built("no interviews.Note model")
    from psycopg import ClientCursor

    qs = notes_export_queryset(campaign)
    sql, params = qs.query.sql_with_params()
    connection.ensure_connection()
    query = ClientCursor(connection.connection).mogrify(sql, params).replace("\n", " ")
    out = Path("/tmp") / f"bench-notes-copy-{os.getpid()}.csv"
    command = f"\\copy ({query}) TO '{out}' WITH (FORMAT csv, HEADER)"
    best, rows = None, None
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(["psql", database_url, "-X", "-v", "ON_ERROR_STOP=1", "-c", command], capture_output=True)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            return {"status": "failed", "reason": done.stderr.decode()[-500:]}
        match = re.search(rb"COPY (\d+)", done.stdout)
        rows = int(match.group(1)) if match else None
        best = elapsed if best is None else min(best, elapsed)
    size = out.stat().st_size
    out.unlink(missing_ok=True)
    return {
        "status": "measured",
        "seconds": round(best, 3),
        "rows": rows,
        "mb": round(size / 2**20, 1),
        "columns": list(qs.query.values_select) or ["pk"],
    }


def run_export(slug: str, user_email: str, kind: str, fmt: str) -> dict:
    """Run one export in a fresh process (bench/export_worker.py) and report its peak memory.

    The peak is the worker's own VmHWM, which it prints. wait4's ru_maxrss is kept beside it
    for reference only: a fork+exec child inherits its parent's high-water mark, so it is
    never below the harness's own peak (the generator's objects).
    """
    command = [sys.executable, "-m", "bench.export_worker", slug, user_email, kind, fmt]
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "True"}
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors)
        stdout = process.stdout.read()
        process.stdout.close()
        # wait4, not wait: it returns this child's own resource usage.
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read()
    rusage_mb = round(usage.ru_maxrss / 1024, 1)  # Linux reports kilobytes
    for line in stdout.decode().splitlines():
        if line.startswith("BENCH_JSON "):
            result = json.loads(line.removeprefix("BENCH_JSON "))
            result["peak_mb"] = result.pop("own_peak_mb", None)
            return {**result, "rusage_maxrss_mb": rusage_mb}
    return {"status": "failed", "reason": (stderr.decode() or stdout.decode())[-800:], "rusage_maxrss_mb": rusage_mb}


def measure_exports(campaign, user_email: str, copy: dict) -> dict:
    results = {}
    for kind, fmt in export_kinds():
        result = run_export(campaign.slug, user_email, kind, fmt)
        same_columns = kind == "notes" and fmt == "csv"  # the psql \copy baseline has these columns
        if same_columns and result.get("status") == "measured" and copy.get("status") == "measured":
            result["ratio_to_copy"] = round(result["seconds"] / copy["seconds"], 2)
        results[f"{kind}.{fmt}"] = result
    return results
