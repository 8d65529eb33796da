"""Helpers for the events tests: fixed London instants and feed parsing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from tests.factories import EventFactory, GroupMembershipFactory, VenueFactory  # noqa: F401

LONDON = ZoneInfo("Europe/London")
# A fixed "now" for builds that depend on the date: 1 March 2026, 12:00 UK time.
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=LONDON)


def london(*args):
    return dt.datetime(*args, tzinfo=LONDON)


# The meeting notices and announcements tests run at this instant: Monday 1 March 2027,
# 09:00 UK time (pytest.mark.usefixtures("at_notice_time")).
NOTICE_TIME = london(2027, 3, 1, 9, 0)


@pytest.fixture
def at_notice_time():
    with time_machine.travel(NOTICE_TIME, tick=False):
        yield NOTICE_TIME


def new_event_data(**changes):
    """The admin's add form for a network meeting on Thursday 18 March 2027, 10:00 to 12:00."""
    return {
        "kind": "meeting",
        "title": "Network meeting, Oldbury",
        "slug": "extra-meeting",
        "starts_at_0": "18/03/2027",
        "starts_at_1": "10:00:00",
        "ends_at_0": "18/03/2027",
        "ends_at_1": "12:00:00",
        "venue": "",
        "status": "scheduled",
        "rsvps-TOTAL_FORMS": "0",
        "rsvps-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
        **changes,
    }


def admin_change_data(event, **changes):
    """The admin change form's POST for this event as it is, with `changes` applied."""
    start, end = event.starts_at.astimezone(LONDON), event.ends_at.astimezone(LONDON)
    return {
        "kind": event.kind,
        "title": event.title,
        "slug": event.slug,
        "description": event.description,
        "starts_at_0": f"{start:%d/%m/%Y}",
        "starts_at_1": f"{start:%H:%M:%S}",
        "ends_at_0": f"{end:%d/%m/%Y}",
        "ends_at_1": f"{end:%H:%M:%S}",
        "venue": event.venue_id or "",
        "status": event.status,
        "cancellation_reason": event.cancellation_reason,
        "rsvps-TOTAL_FORMS": "0",
        "rsvps-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
        **changes,
    }


def parse(body):
    return Calendar.from_ical(body)


def vevents(body):
    return list(parse(body).walk("VEVENT"))


@pytest.fixture
def venue(db):
    return VenueFactory(
        name="Lloyd House",
        address="Colmore Circus Queensway\nBirmingham",
        postcode="B4 6NQ",
        access_notes="Sign in at reception.",
    )


@pytest.fixture
def meeting(venue):
    """A network meeting after the March 2026 clock change."""
    return EventFactory(
        title="Network meeting",
        slug="network-meeting-2026-03-29",
        starts_at=london(2026, 3, 29, 10, 0),
        ends_at=london(2026, 3, 29, 12, 30),
        venue=venue,
        online_url="https://meet.example.org/wmasn-secret-room",
    )


def two_workers_at_once(monkeypatch, module, name, work):
    """Run `work()` in two threads while `module.name` is slowed down by half a second, so
    without a row lock the second worker would claim what the first is sending. Returns what
    each worker's `work()` returned, sorted."""
    import threading
    import time

    from django.db import connections

    slow = getattr(module, name)

    def slowed(*args, **kwargs):
        result = slow(*args, **kwargs)
        time.sleep(0.5)
        return result

    monkeypatch.setattr(module, name, slowed)
    results, errors = [], []

    def worker():
        try:
            results.append(work())
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return sorted(results)


def worker_dies_on_the_second_email(monkeypatch):
    """Make events.notices.send_email raise on its second call, as a worker killed after
    writing one email; returns the list of what it wrote. `monkeypatch.undo()` revives it."""
    from events import notices

    send_email = notices.send_email
    written = []

    def fails_on_the_second(*args, **kwargs):
        if written:
            raise ConnectionError("the worker died")
        written.append(send_email(*args, **kwargs))

    monkeypatch.setattr(notices, "send_email", fails_on_the_second)
    return written
