"""Seed one bench database and measure it in-process: queries per page, feed builds.

Run by benchmarks.run in a subprocess per network, with DATABASE_URL naming its database.
Writes JSON to the path given as the first argument; the second names the network.
"""

import json
import os
import statistics
import subprocess
import sys
import time

from benchmarks.load import reports_pages

NETWORKS = {
    "100": {
        "agencies": 100,
        "members": 300,
        "events": 1000,
        "pledges": 1000,
        "issues": 40,
        "actions": 100,
    },
    "1000": {
        "agencies": 1000,
        "members": 3000,
        "events": 3000,
        "pledges": 3000,
        "issues": 120,
        "actions": 1000,
    },
    "10000": {
        "agencies": 10000,
        "members": 30000,
        "events": 10000,
        "pledges": 30000,
        "issues": 400,
        "actions": 10000,
    },
}
# BENCH_NETWORKS=100,10000 measures only those (for a quicker look; the report needs two).
if os.environ.get("BENCH_NETWORKS"):
    NETWORKS = {n: NETWORKS[n] for n in os.environ["BENCH_NETWORKS"].split(",")}
BUILD_ROUNDS = 3


def admin_url(*names):
    from django.urls import NoReverseMatch, reverse

    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    raise NoReverseMatch(names)


def page_urls(ctx):
    """Every page in DESIGN.md's URL table, and the admin lists, with the bench's objects:
    (url, label, roles)."""
    both = ("anonymous", "member")
    return [
        ("/", "home", both),
        ("/accounts/login/", "log in", both),
        ("/agencies/", "agency directory", both),
        (f"/agencies/{ctx['member_agency_slug']}/", "agency profile", both),
        (f"/agencies/{ctx['member_agency_slug']}/edit/", "agency edit", both),
        ("/membership/", "my memberships", both),
        ("/events/", "events", both),
        ("/events/?when=past", "past events", both),
        (f"/events/{ctx['event_slug']}/", "event", both),
        (f"/events/{ctx['event_slug']}.ics", "event ICS", both),
        ("/calendar/", "calendar help", both),
        ("/calendar.ics", "public feed", both),
        (f"/calendar/{ctx['token']}.ics", "personal feed", both),
        ("/pledges/", "pledge wall", both),
        ("/pledges/new/", "new pledge", both),
        (f"/pledges/{ctx['pledge_id']}/", "pledge", both),
        (f"/pledges/{ctx['pledge_id']}/edit/", "pledge edit", both),
        ("/services/", "services and gaps", both),
        ("/groups/", "working groups", both),
        (f"/groups/{ctx['group_slug']}/", "working group", both),
        ("/newsletters/", "newsletter archive", both),
        (f"/newsletters/{ctx['issue_slug']}/", "newsletter issue", both),
        ("/newsletters/feed/", "newsletter Atom feed", both),
        ("/resources/", "resources", both),
        ("/actions/", "actions", both),
        ("/decisions/", "decision register", both),
        ("/privacy/", "privacy", both),
        ("/admin/", "admin", ("anonymous", "member", "officer")),
        *[(url, label, (role,)) for url, label, role in reports_pages()[1:]],
        (ctx["admin_memberships"], "admin memberships list", ("officer",)),
        (ctx["admin_pledges"], "admin pledges list", ("officer",)),
        ("/healthz/", "health check", both),
    ]


def clear_feed_cache():
    """Forget this database's feeds, fragments and checks, and nothing else in the cache
    (other databases may share it)."""
    from django.core.cache import cache

    from events import feed_cache

    client = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client is None:
        cache.clear()  # the database cache: a table of this database alone
        return
    redis = client(write=True)
    pattern = f"*events:{feed_cache.database_identity()}:*"
    batch = []
    for key in redis.scan_iter(match=pattern, count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            redis.delete(*batch)
            batch = []
    if batch:
        redis.delete(*batch)


def measure_queries(ctx):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks.seed import User

    clients = {"anonymous": Client(), "member": Client(), "officer": Client()}
    clients["member"].force_login(User.objects.get(email=ctx["member_email"]))
    clients["officer"].force_login(User.objects.get(email=ctx["officer_email"]))
    rows = []
    for url, label, roles in page_urls(ctx):
        for role in roles:
            client = clients[role]
            client.get(url)  # warm: templates, first-hit caches
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            rows.append(
                {
                    "url": url.replace(ctx["token"], "<token>"),
                    "label": label,
                    "role": role,
                    "status": response.status_code,
                    "queries": len(queries.captured_queries),
                    "bytes": len(response.content),
                }
            )
    return rows


def _timed(function):
    started = time.perf_counter()
    result = function()
    return (time.perf_counter() - started) * 1000, result


def measure_feeds(ctx):
    """Per feed: a full build (no fragment cached), a rebuild after one event changed,
    a cached request and a 304, in-process; the bytes and events of the body."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks.seed import Event, User
    from events import feeds
    from events.models import hash_calendar_token

    member = User.objects.get(email=ctx["member_email"])
    token_hash = hash_calendar_token(ctx["token"])
    kinds = {
        "public feed": (feeds.public_kind(), "/calendar.ics"),
        "personal feed": (
            feeds.personal_kind(member.pk, token_hash),
            f"/calendar/{ctx['token']}.ics",
        ),
    }
    as_of = feeds.feed_as_of()
    client = Client()
    changed = list(Event.objects.order_by("-pk").values_list("pk", flat=True)[: BUILD_ROUNDS * 2])
    out = {}
    for name, (kind, url) in kinds.items():
        rebuild, cached, not_modified = [], [], []
        # The full build was timed by benchmarks.memory, which left the fragments cached.
        for _ in range(BUILD_ROUNDS):
            event = Event.objects.get(pk=changed.pop())
            event.title = f"{event.title} (moved)"
            event.save()
            ms, built = _timed(lambda kind=kind: kind.build(as_of))
            rebuild.append(ms)
        response = client.get(url, headers={"Accept-Encoding": "gzip"})  # built again
        etag = response["ETag"]
        for _ in range(15):
            ms, _ = _timed(lambda url=url: client.get(url, headers={"Accept-Encoding": "gzip"}))
            cached.append(ms)
            with CaptureQueriesContext(connection) as queries:
                ms, answer = _timed(
                    lambda url=url, etag=etag: client.get(
                        url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
                    )
                )
            not_modified.append(ms)
        body = client.get(url).content
        out[name] = {
            "url": url.replace(ctx["token"], "<token>"),
            "bytes": len(body),
            "gzipped_bytes": len(response.content),
            "events": body.count(b"BEGIN:VEVENT"),
            "rebuild_one_changed_ms": round(statistics.median(rebuild), 1),
            "cached_ms": round(statistics.median(cached), 2),
            "not_modified_ms": round(statistics.median(not_modified), 2),
            "not_modified_status": answer.status_code,
            "not_modified_queries": len(queries.captured_queries),
        }
        if name == "public feed":
            # The load test compares the feed with a static file of the very same bytes.
            with open(os.environ["BENCH_FEED_COPY"], "wb") as fh:
                fh.write(body)
    return out


def measure_memory():
    """Peak memory and time of a full build of each feed (no fragment cached), each in a
    fresh process (benchmarks.memory); the fragments they make stay cached."""
    clear_feed_cache()
    out = {}
    for which in ("public", "personal"):
        result = subprocess.run(
            [sys.executable, "-m", "benchmarks.memory", which],
            capture_output=True,
            text=True,
            check=True,
            env=os.environ,
        )
        out[which] = json.loads(result.stdout.strip().splitlines()[-1])
    return out


def main(out_path, network):
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks.seed import seed

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    clear_feed_cache()
    started = time.perf_counter()
    ctx = seed(**NETWORKS[network])
    from django.conf import settings

    ctx["session_cookie"] = settings.SESSION_COOKIE_NAME
    ctx["admin_memberships"] = admin_url("admin:network_membership_changelist")
    ctx["admin_pledges"] = admin_url(
        "admin:pledges_pledge_changelist", "admin:network_pledge_changelist"
    )
    seed_seconds = round(time.perf_counter() - started, 1)
    print(f"   seeded in {seed_seconds} s", flush=True)
    result = {
        "network": network,
        "counts": NETWORKS[network],
        "seed_seconds": seed_seconds,
        "context": ctx,
        "pages": measure_queries(ctx),
    }
    print("   queries counted", flush=True)
    result["memory"] = measure_memory()
    result["feeds"] = measure_feeds(ctx)
    # The feeds and fragments stay cached for the load phase, as on a live server.
    for name, which in (("public feed", "public"), ("personal feed", "personal")):
        result["feeds"][name]["full_build_ms"] = result["memory"][which]["build_ms"]
    print("   feeds measured", flush=True)
    with open(out_path, "w") as fh:
        json.dump(result, fh, indent=2)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wmasn.settings.prod")
    main(sys.argv[1], sys.argv[2])
