"""The targets of issue 9, checked against a run's numbers, and the table the harness prints."""

from __future__ import annotations

P95_MS = 150  # every page, 4 concurrent users
FLOOR_SHARE = 0.30  # every page's requests/s at least this share of the floor view's
AUTOSAVE_P50_MS = 30
SEARCH_P50_MS = 100
COPY_RATIO = 3.0  # CSV export time at most this many times the psql \copy time
PEAK_MB = 200  # every export worker's peak memory
GENERATION_SECONDS = 180  # the large campaign


def check_targets(results: dict) -> list[dict]:
    """One row per target: what, the value, the limit, and pass (True/False; None = not measured)."""
    rows = []
    floor = results["pages"].get("floor", {})
    floor_rps = floor.get("requests_per_s") if floor.get("status") == "measured" else None
    for key, page in results["pages"].items():
        measured = page.get("status") == "measured"
        if not measured:
            rows.append({"target": f"{key}: page", "value": page.get("status"), "limit": "built", "pass": None})
            continue
        rows.append(
            {
                "target": f"{key}: p95 at 4 users",
                "value": page["p95_ms"],
                "limit": f"< {P95_MS} ms",
                "pass": page["p95_ms"] < P95_MS,
            }
        )
        large, tiny = page.get("queries_large"), page.get("queries_tiny")
        rows.append(
            {
                "target": f"{key}: SQL queries large = tiny",
                "value": f"{large} / {tiny}",
                "limit": "equal",
                "pass": None if large is None or tiny is None else large == tiny,
            }
        )
        cold_large, cold_tiny = page.get("queries_cold_large"), page.get("queries_cold_tiny")
        if cold_large is not None and cold_large != large:
            rows.append(
                {
                    "target": f"{key}: SQL queries large = tiny, empty cache",
                    "value": f"{cold_large} / {cold_tiny}",
                    "limit": "equal",
                    "pass": cold_large == cold_tiny,
                }
            )
        if key != "floor":
            share = round(page["requests_per_s"] / floor_rps, 3) if floor_rps else None
            page["share_of_floor"] = share
            rows.append(
                {
                    "target": f"{key}: req/s vs floor",
                    "value": None if share is None else f"{share:.0%}",
                    "limit": f">= {FLOOR_SHARE:.0%} of floor",
                    "pass": None if share is None else share >= FLOOR_SHARE,
                }
            )
        if page.get("errors"):
            rows.append({"target": f"{key}: errors", "value": page["errors"], "limit": "0", "pass": False})
    rows.append(
        _simple(
            "board while a teammate moves a card a second: p95 at 3 users",
            results.get("board_while_moving", {}),
            "p95_ms",
            P95_MS,
            "ms",
        )
    )
    search, autosave = results.get("search", {}), results.get("autosave", {})
    rows.append(_simple("search: p50 (1 user)", search, "p50_ms", SEARCH_P50_MS, "ms"))
    rows.append(_simple("autosave: p50 (1 user)", autosave, "p50_ms", AUTOSAVE_P50_MS, "ms"))
    for name, export in results.get("exports", {}).items():
        if export.get("status") != "measured":
            rows.append({"target": f"export {name}", "value": export.get("status"), "limit": "built", "pass": None})
            continue
        if name == "notes.csv":  # the psql \copy baseline has the notes' columns
            ratio = export.get("ratio_to_copy")
            rows.append(
                {
                    "target": f"export {name}: time vs psql \\copy",
                    "value": ratio,
                    "limit": f"<= {COPY_RATIO}x",
                    "pass": None if ratio is None else ratio <= COPY_RATIO,
                }
            )
        rows.append(
            {
                "target": f"export {name}: worker peak memory",
                "value": export.get("peak_mb"),
                "limit": f"< {PEAK_MB} MB",
                "pass": export.get("peak_mb") is not None and export["peak_mb"] < PEAK_MB,
            }
        )
    generation = results.get("generation", {}).get("large", {})
    if generation.get("seconds") is not None:
        rows.append(
            {
                "target": "generate the large campaign",
                "value": generation["seconds"],
                "limit": f"< {GENERATION_SECONDS} s",
                "pass": generation["seconds"] < GENERATION_SECONDS,
            }
        )
    return rows


def _simple(label, result, key, limit, unit):
    if result.get("status") != "measured":
        return {
            "target": label,
            "value": result.get("status", "not measured"),
            "limit": f"< {limit} {unit}",
            "pass": False if result.get("status") == "failed" else None,
        }
    return {"target": label, "value": result[key], "limit": f"< {limit} {unit}", "pass": result[key] < limit}


def _fmt(value, digits=1):
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def table(results: dict) -> str:
    machine, settings = results.get("machine", {}), results.get("settings", {})
    lines = [
        f"{machine.get('cores')} cores, Python {machine.get('python')}, Django {machine.get('django')}, "
        f"PostgreSQL {machine.get('postgres', '').split()[0]}, Redis {machine.get('redis')}, "
        f"commit {machine.get('git_commit', '')[:9]}{' (dirty)' if machine.get('git_dirty') else ''}",
        f"load average (1/5/15 min) at start {results.get('load_average_at_start')}, "
        f"at end {results.get('load_average_at_end')}",
        f"{settings.get('seconds_per_page')} s per page, {settings.get('connections')} connections, "
        f"{settings.get('gunicorn_workers')} gunicorn workers, niceness {settings.get('niceness')}; "
        "floor runs (req/s): "
        f"{results.get('pages', {}).get('floor', {}).get('floor_runs_requests_per_s')}",
        "",
    ]
    header = f"{'page':<14}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'floor':>7}{'SQL L/T':>10}"
    header += f"{'1 req (SQL) ms':>17}  notes"
    lines += [header, "-" * len(header)]
    for key, page in results["pages"].items():
        if page.get("status") != "measured":
            lines.append(f"{key:<14}{'':>60}  {page.get('status')}: {page.get('reason', '')}")
            continue
        queries = f"{_fmt(page.get('queries_large'))}/{_fmt(page.get('queries_tiny'))}"
        share = page.get("share_of_floor")
        one_request = f"{_fmt(page.get('request_ms_in_process'))} ({_fmt(page.get('sql_ms_in_process'))})"
        notes = []
        if page.get("queries_cold_large") not in (None, page.get("queries_large")):
            notes.append(
                f"after an unrelated write: {_after_write(page)} ms; empty cache: "
                f"{_fmt(page.get('request_ms_cold'))} ms, "
                f"{_fmt(page.get('queries_cold_large'))}/{_fmt(page.get('queries_cold_tiny'))} SQL"
            )
        if page.get("errors"):
            notes.append(f"{page['errors']} errors")
        lines.append(
            f"{key:<14}{_fmt(page['requests_per_s']):>8}{_fmt(page['p50_ms']):>9}{_fmt(page['p95_ms']):>9}"
            f"{(f'{share:.0%}' if share is not None else '—'):>7}{queries:>10}"
            f"{one_request:>17}  {'; '.join(notes)}"
        )
    lines.append("")
    moving = results.get("board_while_moving", {})
    if moving.get("status") == "measured":
        lines.append(
            f"board, 3 users, a card moved each second: {moving['requests_per_s']:.1f} req/s, "
            f"p50 {moving['p50_ms']:.1f} ms, p95 {moving['p95_ms']:.1f} ms ({moving['moves']} moves, "
            f"move p50 {moving['move_p50_ms']:.1f} ms)"
        )
    for name in ("search", "autosave", "copy"):
        result = results.get(name, {})
        if result.get("status") == "measured" and "p50_ms" in result:
            lines.append(f"{name:<14} p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms (1 user)")
        elif result.get("status") == "measured":
            lines.append(f"{name:<14} {result['seconds']:.2f} s for {result['rows']} rows ({result['mb']} MB)")
        else:
            lines.append(f"{name:<14} {result.get('status', 'not measured')}: {result.get('reason', '')}")
    for name, export in results.get("exports", {}).items():
        if export.get("status") == "measured":
            lines.append(
                f"export {name:<7} {export['seconds']:.2f} s, {_fmt(export.get('rows'))} rows, "
                f"peak {export['peak_mb']} MB, {_fmt(export.get('ratio_to_copy'), 2)}x copy"
            )
        else:
            lines.append(f"export {name:<7} {export.get('status')}: {export.get('reason', '')}")
    lines.append("")
    lines.append("targets:")
    for row in results["targets"]:
        verdict = {True: "PASS", False: "FAIL", None: "n/a "}[row["pass"]]
        lines.append(f"  {verdict}  {row['target']}: {_fmt(row['value'])} (target {row['limit']})")
    return "\n".join(lines)


def _after_write(page: dict) -> str:
    """A page cached under the synthesis generation computes again after any write to the
    campaign, reusing its rendered pieces when the write changed none of them (the harness's
    write is a new generation alone: this best case); others ("—") keep their own keys."""
    if page.get("queries_after_write") in (None, page.get("queries_large")):
        return "—"
    return _fmt(page.get("request_ms_after_write"))


def _cache_cell(page: dict) -> str:
    """For a page that keeps what it computed: its cost after a write and with an empty cache."""
    if page.get("queries_cold_large") in (None, page.get("queries_large")):
        return "—"
    return (
        f"{_after_write(page)} / {_fmt(page.get('request_ms_cold'))} "
        f"({_fmt(page.get('queries_cold_large'))} / {_fmt(page.get('queries_cold_tiny'))})"
    )


def markdown(results: dict) -> str:
    """The run as Markdown tables, for docs/benchmarks.md (`python -m bench.report`)."""
    machine, settings = results["machine"], results["settings"]
    out = [
        f"Run of {results['generated_at']} at commit `{machine['git_commit'][:9]}`"
        f"{' (with uncommitted work of other apps in the tree)' if machine.get('git_dirty') else ''}: "
        f"{machine['cores']} cores ({machine['cpu']}), {machine['memory_gb']} GB, Python {machine['python']}, "
        f"Django {machine['django']}, gunicorn {machine['gunicorn']} ({settings['gunicorn_workers']} workers), "
        f"PostgreSQL {machine['postgres'].split()[0]}, Redis {machine['redis']}, wrk {machine['wrk']}; "
        f"{settings['seconds_per_page']:g} s per page at {settings['connections']} connections, niceness "
        f"{settings.get('niceness', 0)}. Load average (1/5/15 min): {results['load_average_at_start']} at the "
        f"start, {results['load_average_at_end']} at the end; the floor's two runs: "
        f"{results['pages']['floor'].get('floor_runs_requests_per_s')} req/s.",
        "",
        "| page | req/s | p50 ms | p95 ms | of floor | SQL large / tiny | 1 request in-process (SQL) ms "
        "| after an unrelated write / empty cache, in-process ms (SQL large / tiny) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, page in results["pages"].items():
        if page.get("status") != "measured":
            out.append(f"| {key} | {page.get('status')}: {page.get('reason', '')} | | | | | | |")
            continue
        share = page.get("share_of_floor")
        out.append(
            f"| {key} | {page['requests_per_s']:.1f} | {page['p50_ms']:.0f} | {page['p95_ms']:.0f} | "
            f"{f'{share:.0%}' if share is not None else '—'} | {page.get('queries_large')} / "
            f"{page.get('queries_tiny')} | {_fmt(page.get('request_ms_in_process'))} "
            f"({_fmt(page.get('sql_ms_in_process'))}) | {_cache_cell(page)} |"
        )
    out += ["", "| measurement | result |", "|---|---|"]
    moving = results.get("board_while_moving", {})
    if moving.get("status") == "measured":
        out.append(
            f"| board, 3 users, a card moved each second | {moving['requests_per_s']:.1f} req/s, "
            f"p50 {moving['p50_ms']:.0f} ms, p95 {moving['p95_ms']:.0f} ms ({moving['moves']} moves) |"
        )
    for name in ("search", "autosave"):
        r = results.get(name, {})
        value = f"p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms (1 user)" if "p50_ms" in r else r.get("status")
        out.append(f"| {name} | {value} |")
    copy = results.get("copy", {})
    if copy.get("status") == "measured":
        out.append(f"| psql `\\copy` of the notes' columns | {copy['seconds']:.2f} s, {copy['rows']} rows |")
    for name, e in results.get("exports", {}).items():
        if e.get("status") == "measured":
            ratio = f", {e['ratio_to_copy']}× copy" if e.get("ratio_to_copy") else ""
            out.append(f"| export {name} | {e['seconds']:.2f} s, {e['rows']} rows, peak {e['peak_mb']} MB{ratio} |")
        else:
            out.append(f"| export {name} | {e.get('status')}: {e.get('reason', '')} |")
    large = results["generation"]["large"]
    reused = " (reused from an earlier run)" if results["generation"].get("reused") else ""
    out.append(f"| generating the large campaign | {large['seconds']} s{reused} |")
    out += ["", "| target | value | limit | |", "|---|---|---|---|"]
    for row in results["targets"]:
        verdict = {True: "pass", False: "**FAIL**", None: "n/a"}[row["pass"]]
        out.append(f"| {row['target']} | {_fmt(row['value'])} | {row['limit']} | {verdict} |")
    return "\n".join(out)


if __name__ == "__main__":
    import json
    from pathlib import Path

    last = json.loads(Path(__file__).with_name("results.json").read_text())
    last["targets"] = check_targets(last)
    print(markdown(last))
