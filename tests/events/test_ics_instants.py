"""The right instant across the clock changes, read by parsers other than icalendar.

vobject (Python, its own VTIMEZONE handling) and ical.js (Thunderbird's parser, run with
node) must both read the instant that the event page shows.
"""

import datetime as dt
import io

import pytest
import vobject

from events import ics
from tests.events.conftest import NOW, london
from tests.events.shared import CASES, iso, node_instants
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def clock_change_feed(db):
    expected = {}
    for index, (start, utc_start) in enumerate(CASES):
        # Two real hours (aware arithmetic in one tzinfo would add wall-clock hours).
        event = EventFactory(
            title=f"Meeting {index}", starts_at=start, ends_at=utc_start + dt.timedelta(hours=2)
        )
        assert event.starts_at == utc_start  # the test data itself is right
        expected[event.uid] = (utc_start, utc_start + dt.timedelta(hours=2))
    return ics.public_feed(now=NOW), expected


def test_vobject_reads_the_same_instants(clock_change_feed):
    body, expected = clock_change_feed
    calendar = vobject.readOne(io.StringIO(body.decode("utf-8")))
    seen = {}
    for vevent in calendar.vevent_list:
        start = vevent.dtstart.value.astimezone(UTC)
        end = vevent.dtend.value.astimezone(UTC)
        seen[vevent.uid.value] = (start, end)
    assert seen == expected


def test_ical_js_reads_the_same_instants(clock_change_feed):
    body, expected = clock_change_feed
    seen = {item["uid"]: (item["start"], item["end"]) for item in node_instants(body)}
    assert seen == {uid: (iso(start), iso(end)) for uid, (start, end) in expected.items()}


def test_ical_js_reads_all_day_events_as_dates(db):
    EventFactory(
        title="Awareness day",
        all_day=True,
        starts_at=london(2026, 10, 25, 0, 0),
        ends_at=london(2026, 10, 26, 0, 0),
    )
    [item] = node_instants(ics.public_feed(now=NOW))
    assert item["allDay"] is True
    assert (item["start"], item["end"]) == ("2026-10-25", "2026-10-26")


def test_demo_style_member_feed_parses_in_ical_js_with_identical_instants(member, venue):
    """The personal feed (LOCATION, long descriptions) reads the same in ical.js and icalendar."""
    for month in (1, 3, 5, 7, 9, 11):
        EventFactory(
            venue=venue,
            starts_at=london(2026, month, 15, 10, 0),
            ends_at=london(2026, month, 15, 12, 30),
        )
    body = ics.personal_feed(member, now=NOW)
    from icalendar import Calendar

    ours = {str(e["UID"]): iso(e["DTSTART"].dt) for e in Calendar.from_ical(body).walk("VEVENT")}
    theirs = {item["uid"]: item["start"] for item in node_instants(body)}
    assert theirs == ours
    assert len(theirs) == 6
