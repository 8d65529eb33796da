"""Event spans in words: each shape, and read back to the very instants the feed carries."""

import datetime as dt
import re

import pytest
import time_machine
from django.template import Context, Template

from events import ics, times
from events.models import Event
from tests.events.conftest import LONDON, london
from tests.events.shared import clock_change_events, feed_instants, load_demo_events
from tests.factories import EventFactory

UTC = dt.UTC
MONTHS = {name: number for number, name in enumerate(times.MONTHS, start=1)}
DAY = r"(?P<{0}wd>[A-Z][a-z]+) (?P<{0}d>\d{{1,2}}) (?P<{0}m>[A-Z][a-z]+)(?: (?P<{0}y>\d{{4}}))?"
TIME = r"(?P<{0}t>\d\d:\d\d)(?: (?P<{0}z>BST|GMT))?"
TIMED = re.compile(
    "^" + DAY.format("a") + ", " + TIME.format("a") + "(?:–| to " + DAY.format("b") + ", )"
    "" + TIME.format("b") + "$"
)
ALL_DAY = re.compile("^" + DAY.format("a") + "(?: to " + DAY.format("b") + ")? \\(all day\\)$")


def _day(match, prefix, year=None):
    year = int(match[f"{prefix}y"] or year)
    day = dt.date(year, MONTHS[match[f"{prefix}m"]], int(match[f"{prefix}d"]))
    assert match[f"{prefix}wd"] == times.WEEKDAYS[day.weekday()], "weekday matches the date"
    return day


def _instant(day, clock, zone):
    """The instant a reader takes from a UK date, a time and (in the repeated hour) a zone."""
    hour, minute = map(int, clock.split(":"))
    # A list: datetimes differing only in fold compare equal, so a set would keep one.
    candidates = [
        dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON, fold=fold)
        for fold in (0, 1)
    ]
    # Round-trip through UTC: a time that does not exist (March) never reads back the same.
    real = [c for c in candidates if c.astimezone(UTC).astimezone(LONDON).hour == hour]
    if zone:
        real = [c for c in real if c.tzname() == zone]
    instants = {c.astimezone(UTC) for c in real}
    assert len(instants) == 1, f"{day} {clock} {zone or ''} names exactly one instant"
    return instants.pop()


def read_back(text):
    """What a person reading the span understands: (start, end) instants in UTC, or for an
    all-day event (first day, the day after the last), as the feed writes it."""
    if match := TIMED.match(text):
        first = _day(match, "a")
        last = _day(match, "b", year=first.year) if match["bd"] else first
        return _instant(first, match["at"], match["az"]), _instant(last, match["bt"], match["bz"])
    if match := ALL_DAY.match(text):
        first = _day(match, "a")
        last = _day(match, "b", year=first.year) if match["bd"] else first
        return first, last + dt.timedelta(days=1)
    raise AssertionError(f"not a span: {text!r}")


def render_span(event):
    return Template("{% load events_tags %}{{ event|event_span }}").render(
        Context({"event": event})
    )


@pytest.mark.parametrize(
    ("starts", "ends", "all_day", "expected"),
    [
        (
            london(2018, 1, 18, 10, 0),
            london(2018, 1, 18, 12, 30),
            False,
            "Thursday 18 January 2018, 10:00–12:30",
        ),
        (
            london(2027, 9, 10, 9, 0),
            london(2027, 9, 12, 17, 0),
            False,
            "Friday 10 September 2027, 09:00 to Sunday 12 September, 17:00",
        ),
        (
            london(2026, 12, 31, 22, 0),
            london(2027, 1, 1, 1, 0),
            False,
            "Thursday 31 December 2026, 22:00 to Friday 1 January 2027, 01:00",
        ),
        (
            london(2026, 6, 5, 19, 0),
            london(2026, 6, 6, 2, 0),
            False,
            "Friday 5 June 2026, 19:00 to Saturday 6 June, 02:00",
        ),
        (
            london(2026, 2, 10, 0, 0),
            london(2026, 2, 11, 0, 0),
            True,
            "Tuesday 10 February 2026 (all day)",
        ),
        (
            london(2027, 9, 10, 0, 0),
            london(2027, 9, 13, 0, 0),
            True,
            "Friday 10 September 2027 to Sunday 12 September (all day)",
        ),
        # An all-day event stored as ending late on its last day: still that day only.
        (
            london(2026, 2, 10, 0, 0),
            london(2026, 2, 10, 23, 59),
            True,
            "Tuesday 10 February 2026 (all day)",
        ),
        # Around the October change: 00:30 BST is before it, 02:30 GMT after it.
        (
            london(2026, 10, 25, 0, 30),
            london(2026, 10, 25, 2, 30),
            False,
            "Sunday 25 October 2026, 00:30–02:30",
        ),
    ],
)
def test_event_span_shapes(starts, ends, all_day, expected):
    event = Event(starts_at=starts, ends_at=ends, all_day=all_day)
    assert render_span(event) == expected


def test_span_inside_the_repeated_hour_names_bst_and_gmt():
    first_0115 = dt.datetime(2026, 10, 25, 0, 15, tzinfo=UTC)  # 01:15 BST
    event = Event(starts_at=first_0115, ends_at=first_0115 + dt.timedelta(hours=1))
    assert render_span(event) == "Sunday 25 October 2026, 01:15 BST–01:15 GMT"


def test_time_in_the_repeated_hour_says_which_one():
    starts = dt.datetime(2027, 10, 31, 1, 40, tzinfo=UTC)  # 01:40 GMT, the second one
    event = Event(starts_at=starts, ends_at=starts + dt.timedelta(minutes=50))
    assert render_span(event) == "Sunday 31 October 2027, 01:40 GMT–02:30"


def test_span_is_escaped_in_html_and_plain_in_text():
    event = Event(starts_at=london(2026, 5, 1, 10), ends_at=london(2026, 5, 1, 11))
    assert "&ndash;" not in render_span(event) and "–" in render_span(event)


def assert_spans_match_feed(events):
    body = ics.build_calendar(events, members=True, name="test", description="test")
    instants = feed_instants(body)
    assert len(instants) == len(events)
    for event in events:
        text = render_span(event)
        assert read_back(text) == instants[event.uid], text
        assert re.search(r"(\d\d:\d\d)–\1$", text) is None, text


@pytest.mark.django_db
def test_spans_on_the_clock_change_days_read_as_the_feed(db):
    assert_spans_match_feed(clock_change_events())


@pytest.mark.django_db
def test_spans_of_every_demo_event_read_as_the_feed():
    load_demo_events()
    events = list(Event.objects.select_related("venue", "organiser", "working_group"))
    assert len(events) >= 10
    assert_spans_match_feed(events)


@pytest.mark.django_db
def test_event_pages_lists_home_and_email_use_the_span(client, django_capture_on_commit_callbacks):
    from django.core import mail

    from events.services import cancel_events
    from tests.factories import RSVPFactory

    starts = dt.datetime(2026, 10, 25, 0, 15, tzinfo=UTC)
    event = EventFactory(
        kind=Event.Kind.NETWORK_MEETING,
        slug="night-watch",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
    )
    expected = "Sunday 25 October 2026, 01:15 BST–01:15 GMT"
    from django.utils import timezone

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: london(2026, 10, 1, 9, 0))
        for url in ("/events/night-watch/", "/events/", "/"):
            assert expected in client.get(url).content.decode(), url
    rsvp = RSVPFactory(event=event)
    # Before the event: a cancellation after it has happened emails nobody.
    with (
        time_machine.travel(london(2026, 10, 1, 9, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        cancel_events(events=[event], reason="Clocks")
    [message] = [m for m in mail.outbox if rsvp.user.email in m.to]
    assert expected in message.subject
    assert expected in message.body


@pytest.mark.django_db
def test_add_to_calendar_links_say_the_span_and_carry_the_feed_instants(client):
    from urllib.parse import parse_qs, urlsplit

    starts = dt.datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # 01:30 BST
    EventFactory(slug="late", starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    context = client.get("/events/late/").context
    google = parse_qs(urlsplit(context["google_url"]).query)
    outlook = parse_qs(urlsplit(context["outlook_url"]).query)
    when = "When: Sunday 31 October 2027, 01:30 BST–01:30 GMT (UK time)"
    assert google["details"][0].startswith(when)
    assert outlook["body"][0].startswith(when)
    assert google["dates"] == ["20271031T003000Z/20271031T013000Z"]
    assert (outlook["startdt"], outlook["enddt"]) == (
        ["2027-10-31T00:30:00Z"],
        ["2027-10-31T01:30:00Z"],
    )
