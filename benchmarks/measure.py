"""Seed one bench database and measure every page in-process: queries and server time.

Run by benchmarks.run in a subprocess per size, with DATABASE_URL naming that size's database.
Writes JSON to the path given as the only argument.
"""

import json
import os
import statistics
import sys
import time

SIZES = {
    "small": {"agencies": 10, "members": 10, "events": 10, "pledges": 10, "issues": 10},
    "large": {"agencies": 1000, "members": 5000, "events": 3000, "pledges": 10000, "issues": 200},
}
TIMED_REQUESTS = 15


def page_urls(ctx):
    """Every page in DESIGN.md's URL table, with the demo objects of the bench network."""
    return [
        ("/", "home"),
        ("/accounts/login/", "log in"),
        ("/agencies/", "agency directory"),
        (f"/agencies/{ctx['member_agency_slug']}/", "agency profile"),
        (f"/agencies/{ctx['member_agency_slug']}/edit/", "agency edit"),
        ("/membership/", "my memberships"),
        ("/events/", "events"),
        ("/events/?when=past", "past events"),
        (f"/events/{ctx['event_slug']}/", "event"),
        (f"/events/{ctx['event_slug']}.ics", "event ICS"),
        ("/calendar/", "calendar help"),
        ("/calendar.ics", "public feed"),
        (f"/calendar/{ctx['token']}.ics", "personal feed"),
        ("/pledges/", "pledge wall"),
        ("/pledges/new/", "new pledge"),
        (f"/pledges/{ctx['pledge_id']}/", "pledge"),
        (f"/pledges/{ctx['pledge_id']}/edit/", "pledge edit"),
        ("/services/", "services and gaps"),
        ("/groups/", "working groups"),
        (f"/groups/{ctx['group_slug']}/", "working group"),
        ("/newsletters/", "newsletter archive"),
        (f"/newsletters/{ctx['issue_slug']}/", "newsletter issue"),
        ("/newsletters/feed/", "newsletter Atom feed"),
        ("/resources/", "resources"),
        ("/privacy/", "privacy"),
        ("/admin/", "admin"),
        ("/healthz/", "health check"),
    ]


def measure_pages(ctx, timed):
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from network.models import User

    member = User.objects.get(email=ctx["member_email"])
    clients = {"anonymous": Client(), "member": Client()}
    clients["member"].force_login(member)
    results = []
    for url, label in page_urls(ctx):
        for role, client in clients.items():
            cache.clear()
            client.get(url)  # warm: template loading, first-hit caches
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            row = {
                "url": url.replace(ctx["token"], "<token>"),
                "label": label,
                "role": role,
                "status": response.status_code,
                "queries": len(queries.captured_queries),
            }
            if timed:
                times = []
                for _ in range(TIMED_REQUESTS):
                    started = time.perf_counter()
                    client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                row["median_ms"] = round(statistics.median(times), 2)
            results.append(row)
    return results


def measure_feeds(ctx):
    """Cold (cache cleared: the feed is built), warm (cached) and 304 times for both feeds."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    feeds = {"public feed": "/calendar.ics", "personal feed": f"/calendar/{ctx['token']}.ics"}
    out = {}
    for name, url in feeds.items():
        cold, warm, not_modified = [], [], []
        size = 0
        etag = None
        queries = {}
        for _ in range(7):
            cache.clear()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            cold.append((time.perf_counter() - started) * 1000)
            queries["cold"] = len(captured.captured_queries)
            size = len(response.content)
            etag = response.headers.get("ETag")
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            warm.append((time.perf_counter() - started) * 1000)
            queries["warm"] = len(captured.captured_queries)
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, headers={"If-None-Match": etag or ""})
            not_modified.append((time.perf_counter() - started) * 1000)
            queries["304"] = len(captured.captured_queries)
            status_304 = response.status_code
        body = client.get(url).content
        vevents = body.count(b"BEGIN:VEVENT")
        if name == "public feed":
            # The load test compares the feed with a static file of the very same bytes.
            with open(os.environ["BENCH_FEED_COPY"], "wb") as fh:
                fh.write(body)
        out[name] = {
            "url": url.replace(ctx["token"], "<token>"),
            "bytes": size,
            "events": vevents,
            "build_ms": round(statistics.median(cold), 2),
            "cached_ms": round(statistics.median(warm), 2),
            "not_modified_ms": round(statistics.median(not_modified), 2),
            "not_modified_status": status_304,
            "queries": queries,
        }
    return out


def main(out_path, size):
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks.seed import seed

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    started = time.perf_counter()
    ctx = seed(**SIZES[size])
    seed_seconds = round(time.perf_counter() - started, 1)
    result = {
        "size": size,
        "counts": SIZES[size],
        "seed_seconds": seed_seconds,
        "context": {k: v for k, v in ctx.items() if k != "token"},
        "pages": measure_pages(ctx, timed=(size == "large")),
        "feeds": measure_feeds(ctx) if size == "large" else {},
    }
    with open(out_path, "w") as fh:
        json.dump(result, fh, indent=2)
    # The load test needs the personal link; it stays out of the report.
    with open(out_path + ".token", "w") as fh:
        fh.write(ctx["token"])


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wmasn.settings.prod")
    main(sys.argv[1], sys.argv[2])
