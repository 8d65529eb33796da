"""EXPLAIN ANALYZE the queries the pages make on the large bench network.

Usage (after `make bench` has seeded wmasn_bench_large):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wmasn_bench_large \
    python -m benchmarks.explain
Prints the slowest queries with their plans' scan nodes, for choosing indexes.
"""

import json
import os


def scans(plan, found=None):
    found = [] if found is None else found
    node = plan.get("Node Type", "")
    if "Scan" in node and plan.get("Relation Name"):
        found.append(
            f"{node} on {plan['Relation Name']}"
            + (f" using {plan['Index Name']}" if plan.get("Index Name") else "")
            + (
                f" (rows removed by filter: {plan['Rows Removed by Filter']})"
                if plan.get("Rows Removed by Filter")
                else ""
            )
        )
    for child in plan.get("Plans", []):
        scans(child, found)
    return found


def main():
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks.measure import admin_url, page_urls
    from events.models import CalendarToken, Event
    from network.models import Agency, User, WorkingGroup
    from newsletters.models import Issue
    from pledges.models import Pledge

    member = User.objects.get(email="officer@bench.example.org")
    ctx = {
        "member_agency_slug": Agency.objects.order_by("pk").first().slug,
        "event_slug": Event.objects.order_by("-pk").first().slug,
        "pledge_id": Pledge.objects.order_by("pk").first().pk,
        "group_slug": WorkingGroup.objects.first().slug,
        "issue_slug": Issue.objects.order_by("pk").first().slug,
        "token": CalendarToken.regenerate_for(member).raw_token,
        "admin_memberships": admin_url("admin:network_membership_changelist"),
        "admin_pledges": admin_url(
            "admin:pledges_pledge_changelist", "admin:network_pledge_changelist"
        ),
    }
    client = Client()
    client.force_login(member)
    seen = {}
    for url, label, _ in page_urls(ctx):
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or sql in seen:
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
            seen[sql] = (label, plan["Execution Time"], scans(plan["Plan"]))
    slowest = sorted(seen.items(), key=lambda item: -item[1][1])[: int(os.environ.get("TOP", 12))]
    for sql, (label, ms, found) in slowest:
        print(f"{ms:8.2f} ms  [{label}] {sql[:260]}")
        for line in found:
            print(f"            {line}")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wmasn.settings.prod")
    main()
