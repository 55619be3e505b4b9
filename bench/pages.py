"""The pages the harness drives, where they live in a campaign, and their SQL queries per request.

Paths follow DESIGN.md's URL map (those paths are kept stable), so a page is found the day its
app lands: until `resolve()` knows the path, or the page answers 404, it is "not built yet".
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
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


def count_queries(client: Client, path: str, repeat: int = 5) -> dict:
    """Queries of one request, after a warm-up request (caches, templates) to the same page.

    The request is made `repeat` times; the median in-process time (and its SQL time) says how
    long the page takes to build with no concurrency, which wrk's figures do not separate.
    """
    client.get(path)
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
        sql = sum(float(q["time"] or 0) for q in captured.captured_queries)
        timings.append((elapsed, sql))
    elapsed, sql = sorted(timings)[len(timings) // 2]
    queries = captured.captured_queries
    slowest = max(queries, key=lambda q: float(q["time"] or 0), default=None)
    return {
        "status": response.status_code,
        "queries": len(queries),
        # One request in-process (median of `repeat`): how its time splits between SQL and Python.
        "request_ms": round(elapsed * 1000, 1),
        "sql_ms": round(sql * 1000, 1),
        "bytes": len(response.content) if hasattr(response, "content") else None,
        "slowest_query_ms": round(float(slowest["time"]) * 1000, 1) if slowest else None,
        "slowest_query": slowest["sql"][:300] if slowest else None,
    }


def measure_queries(sizes: dict) -> dict:
    """{page key: {size name: count_queries(...) | {"status": ...}}} for every page and size.

    `sizes` maps a size name to (campaign, lead user).
    """
    results = {}
    clients = {}
    for name, (campaign, lead) in sizes.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(lead)
        clients[name] = (client, objects_for(campaign))
    for page in PAGES:
        row = {}
        for name, (client, objects) in clients.items():
            path, why = page_path(page, objects)
            if path is None:
                row[name] = {"path": None, "reason": why}
                continue
            row[name] = {"path": path, **count_queries(client, path)}
        results[page.key] = row
    return results
