"""Helpers and data that several events test modules use (a test module never imports
another): who sees venues, the clock-change cases, the demo's events, and reading a feed's
instants back with icalendar and with ical.js."""

import datetime as dt
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from events.demo import load_events
from network.demo import load_accounts, load_agencies
from tests.events.conftest import LONDON, london, parse
from tests.factories import EventFactory

UTC = dt.UTC
JS_DIR = Path(__file__).resolve().parents[1] / "js"

SEES_VENUES = {
    "anonymous": False,
    "pending": False,
    "other_member": True,
    "member": True,
    "officer": True,
}
VENUE_BITS = ["Lloyd House", "Colmore Circus", "B4 6NQ", "meet.example.org"]

# (London wall-clock start, expected UTC start): each side of the 2026 and 2027 changes.
CASES = [
    (london(2026, 3, 28, 10, 0), dt.datetime(2026, 3, 28, 10, 0, tzinfo=UTC)),
    (london(2026, 3, 29, 10, 0), dt.datetime(2026, 3, 29, 9, 0, tzinfo=UTC)),
    (london(2026, 10, 24, 10, 0), dt.datetime(2026, 10, 24, 9, 0, tzinfo=UTC)),
    (london(2026, 10, 25, 10, 0), dt.datetime(2026, 10, 25, 10, 0, tzinfo=UTC)),
    (london(2027, 3, 27, 18, 30), dt.datetime(2027, 3, 27, 18, 30, tzinfo=UTC)),
    (london(2027, 3, 28, 10, 0), dt.datetime(2027, 3, 28, 9, 0, tzinfo=UTC)),
    (london(2027, 10, 30, 23, 30), dt.datetime(2027, 10, 30, 22, 30, tzinfo=UTC)),
    (london(2027, 10, 31, 10, 0), dt.datetime(2027, 10, 31, 10, 0, tzinfo=UTC)),
    # Just after each change, at an hour only a correct VTIMEZONE onset gets right.
    (london(2026, 3, 29, 2, 30), dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
    (london(2026, 10, 25, 2, 30), dt.datetime(2026, 10, 25, 2, 30, tzinfo=UTC)),
    # Ends in the hour the clocks repeat (01:30 GMT, the second 01:30): written in UTC.
    (london(2026, 10, 25, 0, 30), dt.datetime(2026, 10, 24, 23, 30, tzinfo=UTC)),
]


def load_demo_events():
    """The demo's accounts, agencies and events (no newsletters, pledges or survey)."""
    out = io.StringIO()
    load_accounts(out)
    load_agencies(out)
    load_events(out)


def clock_change_events():
    """Events on and around both change days of 2026 and 2027, timed and all-day."""
    made = []
    for day in (
        dt.date(2026, 3, 29),
        dt.date(2026, 10, 25),
        dt.date(2027, 3, 28),
        dt.date(2027, 10, 31),
    ):
        midnight_utc = dt.datetime.combine(day, dt.time(0), tzinfo=UTC)
        # Every quarter hour from 23:00 UTC the evening before to 04:00 UTC, 45 minutes long,
        # plus spans that cross the change, and the day as an all-day event.
        for quarter in range(-4, 17):
            starts = midnight_utc + dt.timedelta(minutes=15 * quarter)
            made.append(EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(minutes=45)))
        made.append(
            EventFactory(
                starts_at=midnight_utc - dt.timedelta(hours=2),
                ends_at=midnight_utc + dt.timedelta(hours=4),
            )
        )
        made.append(
            EventFactory(
                all_day=True,
                starts_at=dt.datetime.combine(day, dt.time(0), tzinfo=LONDON),
                ends_at=dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON),
            )
        )
    return made


def feed_instants(body):
    """{uid: (start, end)} as icalendar reads the feed, instants in UTC."""
    found = {}
    for vevent in parse(body).walk("VEVENT"):
        start, end = vevent["DTSTART"].dt, vevent["DTEND"].dt
        if isinstance(start, dt.datetime):
            start, end = start.astimezone(UTC), end.astimezone(UTC)
        found[str(vevent["UID"])] = (start, end)
    return found


def node_instants(body):
    """What ical.js (Thunderbird's parser) reads in the feed: a list of uid, start, end."""
    node = shutil.which("node")
    has_modules = (JS_DIR / "node_modules" / "ical.js").exists()
    if node is None or not has_modules:
        message = (
            "ical.js check needs node and `npm ci --prefix tests/js` "
            f"(node: {node or 'missing'}, tests/js/node_modules: "
            f"{'present' if has_modules else 'missing'})."
        )
        if os.environ.get("WMASN_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(
        [node, str(JS_DIR / "instants.mjs")],
        input=body,
        capture_output=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def iso(instant):
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
