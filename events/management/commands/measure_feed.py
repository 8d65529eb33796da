"""Measure the feeds for N events: size, build time, queries per request (cold and warm).

Everything it creates is rolled back. Run it against a scratch database, e.g.
    DATABASE_URL=sqlite:////tmp/wmasn-measure.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/wmasn-measure.sqlite3 .venv/bin/python manage.py measure_feed
"""

import datetime as dt
import gzip
import statistics
import time

from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events import ics
from events.models import CalendarToken, Event, Venue
from network.models import Agency, Membership, User


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Measure feed size, build time and queries for N events (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=1000)
        parser.add_argument("--builds", type=int, default=7)

    def handle(self, *args, events, builds, **options):
        try:
            with transaction.atomic():
                self.measure(events, builds)
                raise Rollback
        except Rollback:
            pass

    def measure(self, count, builds):
        agency = Agency.objects.create(
            name="Measure agency", slug="measure-agency", sector=Agency.Sector.PUBLIC
        )
        user = User.objects.create_user("measure@example.org", "measure-only")
        Membership.objects.create(
            user=user, agency=agency, status=Membership.Status.APPROVED, decided_at=timezone.now()
        )
        venues = [
            Venue.objects.create(
                name=f"Venue {i}",
                address="Colmore Circus Queensway\nBirmingham",
                postcode="B4 6NQ",
                host_agency=agency,
            )
            for i in range(10)
        ]
        now = timezone.now()
        start = now - dt.timedelta(days=300)
        Event.objects.bulk_create(
            Event(
                title=f"Network meeting {i}: modern slavery, the NRM and victim care",
                slug=f"measure-{i}",
                description="The network's regular meeting; updates from member agencies.",
                starts_at=start + dt.timedelta(days=i, hours=10),
                ends_at=start + dt.timedelta(days=i, hours=12, minutes=30),
                venue=venues[i % 10],
                organiser=agency,
                registration_deadline=(start + dt.timedelta(days=i - 7)).date(),
            )
            for i in range(count)
        )
        in_feed = ics.feed_events(Event.objects.all(), now=now).count()
        token = CalendarToken.regenerate_for(user)

        for name, build in [
            ("public", lambda: ics.public_feed(now=now)),
            ("personal", lambda: ics.personal_feed(user, now=now)),
        ]:
            ics.london_vtimezone.cache_clear()
            timings = []
            for _ in range(builds):
                began = time.perf_counter()
                body = build()
                timings.append(time.perf_counter() - began)
            gzipped = len(gzip.compress(body))
            self.stdout.write(
                f"{name} feed, {in_feed} events: {len(body):,} bytes ({gzipped:,} gzipped); "
                "build median "
                f"{statistics.median(timings) * 1000:.0f} ms over {builds} builds "
                f"(min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f})"
            )

        client = Client(HTTP_HOST="127.0.0.1")
        for name, url in [
            ("public", reverse("events:public-feed")),
            ("personal", reverse("events:personal-feed", args=[token.raw_token])),
        ]:
            cache.clear()
            for state in ("cold", "warm"):
                with CaptureQueriesContext(connection) as queries:
                    began = time.perf_counter()
                    response = client.get(url)
                    took = time.perf_counter() - began
                self.stdout.write(
                    f"{name} feed request, {state} cache: HTTP {response.status_code}, "
                    f"{len(queries)} queries, {took * 1000:.0f} ms"
                )
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, headers={"If-None-Match": response["ETag"]})
            self.stdout.write(
                f"{name} feed conditional request: HTTP {response.status_code}, "
                f"{len(queries)} queries"
            )
