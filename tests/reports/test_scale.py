"""The desk, the charts and the report at 10,000 agencies: the number of queries stays
the same as for a small network (every figure is counted in the database)."""

import time

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Attendance, Event
from network.models import Agency, Area, Membership, User
from pledges.models import Pledge
from survey.models import AgencyService
from tests.factories import EventFactory, ServiceFactory
from tests.reports.factories import at

# Slow (ten thousand agencies): run once in CI, on PostgreSQL, the production database.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="The 10,000-agency run is slow: it runs on PostgreSQL (DATABASE_URL=postgres://…).",
    ),
]

SECTORS = ["public", "private", "third"]


def grow(start, count, *, year, meetings, areas, services):
    """Add `count` agencies, each with a member, a pledge, a survey answer, and (one in
    five) an attendance, in a handful of bulk inserts."""
    agencies = Agency.objects.bulk_create(
        Agency(name=f"Scale agency {i}", slug=f"scale-agency-{i}", sector=SECTORS[i % 3])
        for i in range(start, start + count)
    )
    users = User.objects.bulk_create(
        User(email=f"scale{i}@example.org", password="!") for i in range(start, start + count)
    )
    decided = at(year, 3, 1)
    Membership.objects.bulk_create(
        Membership(user=u, agency=a, status="approved", decided_at=decided)
        for u, a in zip(users, agencies, strict=True)
    )
    Pledge.objects.bulk_create(
        Pledge(agency=a, year=year, text="Train staff", status=("made", "achieved")[i % 2])
        for i, a in enumerate(agencies)
    )
    answers = AgencyService.objects.bulk_create(
        AgencyService(agency=a, service=services[i % len(services)]) for i, a in enumerate(agencies)
    )
    AgencyService.areas.through.objects.bulk_create(
        AgencyService.areas.through(agencyservice=s, area=areas[i % len(areas)])
        for i, s in enumerate(answers)
    )
    Attendance.objects.bulk_create(
        Attendance(event=meetings[i % len(meetings)], user=u, agency=a)
        for i, (u, a) in enumerate(zip(users, agencies, strict=True))
        if i % 5 == 0
    )


def measure(client, url):
    client.get(url)  # warm: templates and first-request caches
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, url
    return len(queries), elapsed


def test_query_counts_do_not_grow_with_the_network(officer_client):
    year = timezone.localdate().year
    areas = [Area.objects.create(name=f"Area {i}", slug=f"area-{i}", order=i) for i in range(7)] + [
        Area.objects.create(name="Region-wide", slug="region", is_region_wide=True, order=9)
    ]
    services = [ServiceFactory() for _ in range(12)]
    meetings = [
        EventFactory(kind=Event.Kind.NETWORK_MEETING, starts_at=at(year, month, 10))
        for month in (1, 3, 5, 7, 9, 11)
    ]

    urls = ["/admin/", f"/reports/?year={year}", f"/reports/{year}/", f"/reports/{year}/public/"]
    grow(0, 10, year=year, meetings=meetings, areas=areas, services=services)
    small = {url: measure(officer_client, url) for url in urls}
    grow(10, 9_990, year=year, meetings=meetings, areas=areas, services=services)
    with connection.cursor() as cursor:
        # What autovacuum does in production after a bulk load; without it the planner
        # takes the new tables for empty and loops over them.
        cursor.execute("ANALYZE")
    assert Agency.objects.count() == 10_000
    large = {url: measure(officer_client, url) for url in urls}
    for url in urls:
        assert large[url][0] == small[url][0], (url, small[url][0], large[url][0])
    print(
        "\n".join(
            f"{url}: {large[url][0]} queries; {small[url][1] * 1000:.0f} ms at 10 agencies, "
            f"{large[url][1] * 1000:.0f} ms at 10,000"
            for url in urls
        )
    )
