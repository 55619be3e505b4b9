"""Measure one or more pages in-process against the bench data, while working on them.

    python -m bench.page board theme            # queries, in-process ms and SQL ms, large and tiny
    python -m bench.page board --profile        # plus the 25 costliest functions (cProfile)

It needs the bench database a `make bench` run generated; it does not generate, serve or load.
The figures are one request with no concurrency (the `request_ms_in_process` of the harness),
so they move with the machine's load: compare runs made in the same conditions.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.page")
    parser.add_argument("keys", nargs="+", help="page keys from bench/pages.py PAGES")
    parser.add_argument("--profile", action="store_true", help="print the costliest functions (large size)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from .run import LARGE_SLUG, LEAD_EMAIL, TINY_LEAD_EMAIL, TINY_SLUG, BenchConfigError, bench_environment

    try:
        os.environ.update(bench_environment(os.environ))
    except BenchConfigError as error:
        print(f"bench.page: {error}", file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from campaigns.models import Campaign

    from .pages import PAGES, count_queries, objects_for, page_path

    User = get_user_model()
    sizes = {
        "large": (Campaign.objects.get(slug=LARGE_SLUG), User.objects.get(email=LEAD_EMAIL)),
        "tiny": (Campaign.objects.get(slug=TINY_SLUG), User.objects.get(email=TINY_LEAD_EMAIL)),
    }
    pages = {page.key: page for page in PAGES}
    for key in args.keys:
        if key not in pages:
            print(f"bench.page: no page {key!r}; choose from {', '.join(pages)}", file=sys.stderr)
            return 2
        for size, (campaign, lead) in sizes.items():
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(lead)
            path, why = page_path(pages[key], objects_for(campaign))
            if path is None:
                print(f"{key:12} {size:5} not built: {why}")
                continue
            row = count_queries(client, path, repeat=args.repeat, campaign_id=campaign.pk)
            print(
                f"{key:12} {size:5} {row['status']} {row['queries']:3} queries "
                f"{row['request_ms']:7.1f} ms ({row['sql_ms']:.1f} SQL) {row['bytes']} bytes; "
                f"after an unrelated write {row['request_ms_after_write']} ms, empty cache {row['request_ms_cold']} ms "
                f"({row['queries_cold']} queries); "
                f"slowest {row['slowest_query_ms']} ms: {(row['slowest_query'] or '')[:160]}"
            )
            for line in row.get("slowest_query_plan") or []:
                print(f"    {line}")
            if args.profile and size == "large":
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.repeat):
                    client.get(path)
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
