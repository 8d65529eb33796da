"""Updates and cancellations as calendar apps see them."""

import datetime as dt

import pytest
import time_machine

from events import ics
from events.models import Event
from network.models import WorkingGroup
from tests.events.conftest import NOW, london, vevents
from tests.factories import EventFactory, VenueFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db


def only_vevent(now=NOW):
    [event] = vevents(ics.public_feed(now=now))
    return event


def test_uid_never_changes_on_update(meeting):
    before = str(only_vevent()["UID"])
    meeting.title = "Network meeting (moved)"
    meeting.starts_at = london(2026, 3, 30, 10)
    meeting.ends_at = london(2026, 3, 30, 12)
    meeting.save()
    meeting.cancel("Room unavailable.")
    assert str(only_vevent()["UID"]) == before == meeting.uid


def test_moving_an_event_raises_sequence_and_last_modified(meeting):
    with time_machine.travel(dt.datetime(2026, 2, 1, 9, tzinfo=dt.UTC), tick=False):
        meeting.title = "Network meeting"
        meeting.save()
    before = only_vevent()
    with time_machine.travel(dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC), tick=False):
        meeting = Event.objects.get(pk=meeting.pk)
        meeting.starts_at = london(2026, 3, 29, 11)
        meeting.ends_at = london(2026, 3, 29, 13)
        meeting.save()
    after = only_vevent()
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after["LAST-MODIFIED"].dt > before["LAST-MODIFIED"].dt
    assert after["DTSTAMP"].dt == after["LAST-MODIFIED"].dt


@pytest.mark.parametrize("change", ["venue", "status", "all_day"])
def test_venue_status_and_all_day_changes_raise_sequence(meeting, change):
    meeting = Event.objects.get(pk=meeting.pk)
    if change == "venue":
        meeting.venue = VenueFactory()
    elif change == "status":
        meeting.status = Event.Status.CANCELLED
        meeting.cancellation_reason = "Snow."
    else:
        meeting.all_day = True
    meeting.save()
    assert only_vevent()["SEQUENCE"] == 1


def test_a_title_change_keeps_the_sequence(meeting):
    meeting = Event.objects.get(pk=meeting.pk)
    meeting.title = "Renamed"
    meeting.save()
    assert only_vevent()["SEQUENCE"] == 0


def test_cancelled_event_stays_until_30_days_after_then_leaves(meeting):
    meeting.cancel("The chair is unwell.")
    ends = meeting.ends_at
    on_the_day = only_vevent(now=ends - dt.timedelta(hours=1))
    assert str(on_the_day["STATUS"]) == "CANCELLED"
    day_29 = only_vevent(now=ends + dt.timedelta(days=29))
    assert str(day_29["STATUS"]) == "CANCELLED"
    assert vevents(ics.public_feed(now=ends + dt.timedelta(days=30, minutes=1))) == []


def test_scheduled_past_event_stays_in_the_window(meeting):
    later = meeting.ends_at + dt.timedelta(days=60)
    assert str(only_vevent(now=later)["STATUS"]) == "CONFIRMED"


def test_closed_groups_future_meetings_leave_the_feed(db):
    group = WorkingGroupFactory()
    past = EventFactory(
        title="Past",
        working_group=group,
        starts_at=london(2026, 2, 1, 10),
        ends_at=london(2026, 2, 1, 11),
    )
    EventFactory(
        title="Future",
        working_group=group,
        starts_at=london(2026, 4, 1, 10),
        ends_at=london(2026, 4, 1, 11),
    )
    group.status = WorkingGroup.Status.CLOSED
    group.save()
    titles = [str(e["SUMMARY"]) for e in vevents(ics.public_feed(now=NOW))]
    assert titles == [past.title]
