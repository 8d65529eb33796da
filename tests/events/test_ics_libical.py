"""libical's strict check on every feed and single-event file, and its reading of instants."""

import datetime as dt

import pytest
from django.test import Client

from events import ics
from events.models import Event
from network.models import User
from tests.events.conftest import parse
from tests.events.shared import clock_change_events, feed_instants, load_demo_events
from tests.libical import assert_libical_clean, libical_read

pytestmark = pytest.mark.django_db


def iso(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def test_the_check_catches_an_event_without_organizer():
    """The oracle can fail: RFC 5546 PUBLISH needs an ORGANIZER in each VEVENT."""
    body = (
        "BEGIN:VCALENDAR\r\nPRODID:-//x//y//EN\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\n"
        "BEGIN:VEVENT\r\nUID:a@x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260301T100000Z\r\n"
        "SUMMARY:x\r\nORGANIZER:mailto:a@example.org\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:b@x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260301T100000Z\r\n"
        "SUMMARY:y\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    problems = libical_read(body)["problems"]
    assert len(problems) == 1
    assert problems[0].startswith("b@x: ") and "ORGANIZER" in problems[0]


def test_libical_reads_the_feed_instants_across_the_clock_changes():
    events = clock_change_events()
    body = ics.public_feed(now=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    found = assert_libical_clean(body)
    ours = {uid: (iso(start), iso(end)) for uid, (start, end) in feed_instants(body).items()}
    theirs = {item["uid"]: (item["start"], item["end"]) for item in found["events"]}
    assert len(theirs) == len(events)
    assert theirs == ours
    # And both are the instants stored, not merely the same mistake twice.
    for event in events:
        if not event.all_day:
            assert theirs[event.uid] == (iso(event.starts_at), iso(event.ends_at))


@pytest.fixture
def demo():
    load_demo_events()
    return Event.objects.order_by("starts_at")


def test_every_demo_feed_and_event_file_passes_libical(demo):
    member = User.objects.get(email="police@example.org")
    bodies = {
        "public feed": ics.public_feed(),
        "personal feed": ics.personal_feed(member),
    }
    for event in demo.select_related("venue", "organiser", "working_group"):
        for members in (False, True):
            bodies[f"{event.slug} members={members}"] = ics.single_event(event, members=members)
    read = dict(zip(bodies, assert_libical_clean(*bodies.values()), strict=True))
    assert len(read["public feed"]["events"]) >= 5
    for name in ("public feed", "personal feed"):
        ours = {
            uid: (iso(start), iso(end)) for uid, (start, end) in feed_instants(bodies[name]).items()
        }
        theirs = {e["uid"]: (e["start"], e["end"]) for e in read[name]["events"]}
        assert theirs == ours, name
    assert all(len(read[f"{e.slug} members=True"]["events"]) == 1 for e in demo)


def test_served_feeds_and_files_pass_libical(demo):
    event = demo.filter(status=Event.Status.CANCELLED).first() or demo.first()
    anonymous, member_client = Client(), Client()
    member_client.force_login(User.objects.get(email="police@example.org"))
    responses = [
        anonymous.get("/calendar.ics"),
        anonymous.get(f"/events/{event.slug}.ics"),
        member_client.get(f"/events/{event.slug}.ics"),
    ]
    assert [response.status_code for response in responses] == [200, 200, 200]
    for found in assert_libical_clean(*(response.content for response in responses)):
        assert found["events"]


def test_every_event_has_the_network_as_organizer_and_a_stable_dtstamp(demo):
    body = ics.public_feed()
    vevents = list(parse(body).walk("VEVENT"))
    assert {str(v["ORGANIZER"]) for v in vevents} == {"mailto:portal@example.org"}
    assert {v["ORGANIZER"].params["CN"] for v in vevents} == {ics.ORGANIZER_NAME}
    assert all(v["DTSTAMP"].dt == v["LAST-MODIFIED"].dt for v in vevents)
    assert ics.public_feed() == body  # byte-stable for unchanged data
