"""The pages the harness drives, where they live in a campaign, and their SQL queries per request.

Paths follow DESIGN.md's URL map (those paths are kept stable), so a page is found the day its
app lands: until `resolve()` knows the path, or the page answers 404, it is "not built yet".
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

from .generate import fk_to, get_model

SEARCH_TERM = "bus"


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    path: str  # with {slug} and the object placeholders below


PAGES = (
    Page("home", "/ (my campaigns)", "/"),
    Page("overview", "campaign overview", "/c/{slug}/"),
    Page("participants", "participants list", "/c/{slug}/participants/"),
    Page("coverage", "coverage", "/c/{slug}/coverage/"),
    Page("guide", "interview guide", "/c/{slug}/guides/{guide}/"),
    Page("notes", "note-taking page", "/c/{slug}/interviews/{interview}/"),
    Page("board", "synthesis board", "/c/{slug}/synthesis/"),
    Page("theme", "a theme page", "/c/{slug}/themes/{theme}/"),
    Page("search", "search", "/c/{slug}/search/?q={q}"),
    Page("exports", "exports list", "/c/{slug}/exports/"),
    Page("floor", "floor (session check only)", "/_bench/floor"),
)


def campaign_lookup(model, campaign) -> dict | None:
    """A filter reaching `campaign` from `model` through at most three foreign keys."""
    Campaign, User = type(campaign), get_user_model()
    frontier = [(model, "")]
    for _depth in range(3):
        following = []
        for current, prefix in frontier:
            direct = fk_to(current, Campaign)
            if direct is not None:
                return {f"{prefix}{direct.name}": campaign}
            following += [
                (f.related_model, f"{prefix}{f.name}__")
                for f in current._meta.concrete_fields
                if f.is_relation and f.related_model not in (current, User)
            ]
        frontier = following
    return None


def _largest(model, child, campaign):
    """The pk of `model`'s row in `campaign` with the most `child` rows (or the first row)."""
    where = campaign_lookup(model, campaign)
    if where is None:
        return None
    qs = model.objects.filter(**where)
    if child is not None and (fk := fk_to(child, model)) is not None:
        best = (
            child.objects.filter(**{f"{fk.name}__{k}": v for k, v in where.items()})
            .values(fk.name)
            .annotate(n=Count("pk"))
            .order_by("-n", fk.name)
            .first()
        )
        if best:
            return best[fk.name]
    return qs.order_by("pk").values_list("pk", flat=True).first()


def objects_for(campaign) -> dict:
    """The objects the pages show: the guide, the interview with most notes, the theme with most highlights."""
    found = {"slug": campaign.slug, "q": SEARCH_TERM}
    for key, label, child in (
        ("guide", "interviews.InterviewGuide", "interviews.Prompt"),
        ("interview", "interviews.Interview", "interviews.Note"),
        ("theme", "synthesis.Theme", "synthesis.Highlight"),
    ):
        model = get_model(label)
        if model is not None:
            found[key] = _largest(model, get_model(child), campaign)
    return found


def page_path(page: Page, objects: dict) -> tuple[str | None, str]:
    """(path, "") when the page exists in the URL map, else (None, why not)."""
    try:
        path = page.path.format(**objects)
    except KeyError as missing:
        return None, f"no {missing.args[0]} model yet"
    if "/None/" in path:
        return None, "no object of that kind in the campaign"
    try:
        resolve(path.split("?")[0])
    except Resolver404:
        return None, "no such URL yet"
    return path, ""


def count_queries(client: Client, path: str, repeat: int = 5, campaign_id=None) -> dict:
    """Queries of one request, after a warm-up request (caches, templates) to the same page.

    One request first runs with an empty cache (`request_ms_cold`, `queries_cold`), one more
    right after an unrelated write to the campaign (`request_ms_after_write`: a new generation
    set directly, as any write's trigger would; pages cached under it compute again, and every
    rendered piece is still reusable — a write that changed a card or a column re-renders
    those too, up to the empty-cache figure). The request
    is then made `repeat` times; the median in-process time (and its SQL time) says how
    long the page takes to build with no concurrency, which wrk's figures do not separate.
    """
    client.get(path)
    # Cold: the same request with an empty cache (pages that keep what they computed under the
    # campaign's generation, as after a write, compute everything again).
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        started = time.perf_counter()
        client.get(path)
        cold_ms = (time.perf_counter() - started) * 1000
    after_write_ms = after_write_queries = None
    if campaign_id is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE synthesis_campaigngeneration SET generation = generation + 1 WHERE campaign_id = %s",
                [campaign_id],
            )
        with CaptureQueriesContext(connection) as after_write:
            started = time.perf_counter()
            client.get(path)
            after_write_ms = round((time.perf_counter() - started) * 1000, 1)
        after_write_queries = len(after_write.captured_queries)
    runs = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
        runs.append((elapsed, [float(q["time"] or 0) for q in captured.captured_queries]))
    queries = captured.captured_queries
    median = statistics.median
    # Per statement, its median time over the runs: one unlucky run does not name the slowest query.
    per_query = [median(times) for times in zip(*(t for _e, t in runs), strict=False)] if queries else []
    slowest = max(range(len(per_query)), key=per_query.__getitem__, default=None)
    slowest_sql = queries[slowest]["sql"] if slowest is not None else ""
    slowest_ms = per_query[slowest] * 1000 if slowest is not None else 0
    return {
        "status": response.status_code,
        "queries": len(queries),
        "queries_cold": len(cold.captured_queries),
        "request_ms_cold": round(cold_ms, 1),
        "request_ms_after_write": after_write_ms,
        "queries_after_write": after_write_queries,
        # One request in-process (median of `repeat`): how its time splits between SQL and Python.
        "request_ms": round(median(e for e, _t in runs) * 1000, 1),
        "sql_ms": round(median(sum(t) for _e, t in runs) * 1000, 1),
        "bytes": len(response.content) if hasattr(response, "content") else None,
        "slowest_query_ms": round(slowest_ms, 1) if slowest is not None else None,
        "slowest_query": slowest_sql[:300] or None,
        "slowest_query_plan": explain(slowest_sql) if slowest_ms >= EXPLAIN_FROM_MS else None,
    }


EXPLAIN_FROM_MS = 10


def explain(sql: str) -> list[str] | None:
    """EXPLAIN ANALYZE of a slow SELECT (PostgreSQL), its first lines: where the time goes."""
    if connection.vendor != "postgresql" or not sql.lstrip().upper().startswith("SELECT"):
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}")
            return [row[0] for row in cursor.fetchall()][:25]
    except Exception as error:  # a statement that cannot be re-run alone; the SQL is still reported
        return [f"EXPLAIN failed: {error}"]


def measure_queries(sizes: dict) -> dict:
    """{page key: {size name: count_queries(...) | {"status": ...}}} for every page and size.

    `sizes` maps a size name to (campaign, lead user).
    """
    results = {}
    clients = {}
    for name, (campaign, lead) in sizes.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(lead)
        clients[name] = (client, objects_for(campaign), campaign.pk)
    for page in PAGES:
        row = {}
        for name, (client, objects, campaign_id) in clients.items():
            path, why = page_path(page, objects)
            if path is None:
                row[name] = {"path": None, "reason": why}
                continue
            try:
                row[name] = {"path": path, **count_queries(client, path, campaign_id=campaign_id)}
            except Exception as error:  # a page that crashes is reported, and the run goes on
                row[name] = {"path": path, "status": "error", "reason": f"{type(error).__name__}: {error}"[:300]}
        results[page.key] = row
    return results
