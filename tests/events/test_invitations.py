"""Meeting invitations (iMIP, RFC 6047): REQUEST, a moved REQUEST, then CANCEL, read by
icalendar, vobject, ical.js (Thunderbird) and libical with the instants of the feeds."""

import datetime as dt
import email
import io

import pytest
import time_machine
import vobject
from django.core import mail
from icalendar import Calendar

from events import ics, invitations
from events.models import RSVP
from events.services import cancel_events, change_event
from network.models import NotificationPreferences
from tests.events.conftest import NOW, london
from tests.events.shared import CASES, iso, node_instants
from tests.factories import EventFactory, RSVPFactory
from tests.libical import assert_libical_clean

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def meeting(venue):
    return EventFactory(
        title="Network meeting, Birmingham",
        starts_at=london(2026, 3, 26, 10, 0),  # GMT, the Thursday before the clocks change
        ends_at=london(2026, 3, 26, 12, 30),
        venue=venue,
    )


def vevent_of(body):
    calendar = Calendar.from_ical(body)
    [vevent] = calendar.walk("VEVENT")
    return calendar, vevent


def test_request_has_method_organizer_attendee_and_the_feeds_uid(meeting, member):
    calendar, vevent = vevent_of(invitations.invitation(meeting, member))
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(vevent["UID"]) == meeting.uid
    [feed_event] = Calendar.from_ical(ics.personal_feed(member, now=NOW)).walk("VEVENT")
    assert str(feed_event["UID"]) == meeting.uid
    assert vevent["DTSTART"].dt == feed_event["DTSTART"].dt
    assert str(vevent["LOCATION"]) == str(feed_event["LOCATION"])
    assert str(vevent["ORGANIZER"]) == "mailto:portal@example.org"
    # The same ORGANIZER as the feed's, name and all: one event, one organiser.
    assert vevent["ORGANIZER"].params["CN"] == feed_event["ORGANIZER"].params["CN"]
    attendee = vevent["ATTENDEE"]
    assert str(attendee) == f"mailto:{member.email}"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "TRUE"
    assert int(vevent["SEQUENCE"]) == 0


@pytest.mark.parametrize(
    "answer,partstat",
    [("attending", "ACCEPTED"), ("apologies", "DECLINED"), ("waiting", "TENTATIVE")],
)
def test_the_attendees_answer_is_their_partstat(meeting, member, answer, partstat):
    _, vevent = vevent_of(invitations.invitation(meeting, member, answer=answer))
    assert vevent["ATTENDEE"].params["PARTSTAT"] == partstat


@pytest.fixture
def fixed_now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_request_then_moved_request_then_cancel_for_one_meeting(
    meeting, member, venue, fixed_now, django_capture_on_commit_callbacks
):
    """What a member who chose invitations receives over a meeting's life, as parsed mail."""
    from events import notices

    NotificationPreferences.objects.create(user=member, calendar_invitations=True)
    RSVPFactory(event=meeting, user=member, answer=RSVP.Answer.ATTENDING)

    def parts():
        found = []
        for message in mail.outbox:
            parsed = email.message_from_bytes(message.message().as_bytes())
            for part in parsed.walk():
                if part.get_content_type() == "text/calendar":
                    found.append((part.get_param("method"), part.get_payload(decode=True)))
        mail.outbox.clear()
        return found

    with django_capture_on_commit_callbacks(execute=True):
        meeting.starts_at, meeting.ends_at = london(2026, 4, 30, 10, 0), london(2026, 4, 30, 12, 0)
        meeting.save()  # a meeting still to come, in summer time
        notices.announce([meeting])
    [(method, first)] = parts()
    with django_capture_on_commit_callbacks(execute=True):
        meeting.starts_at, meeting.ends_at = london(2026, 5, 7, 14, 0), london(2026, 5, 7, 16, 0)
        change_event(event=meeting)
    [(moved_method, moved)] = parts()
    with django_capture_on_commit_callbacks(execute=True):
        cancel_events(events=[meeting], reason="The venue flooded.")
    [(cancel_method, cancel)] = parts()

    assert (method, moved_method, cancel_method) == ("REQUEST", "REQUEST", "CANCEL")
    bodies = [first, moved, cancel]
    read = [vevent_of(body) for body in bodies]
    assert [str(calendar["METHOD"]) for calendar, _ in read] == ["REQUEST", "REQUEST", "CANCEL"]
    assert {str(vevent["UID"]) for _, vevent in read} == {meeting.uid}
    sequences = [int(vevent["SEQUENCE"]) for _, vevent in read]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    assert read[1][1]["DTSTART"].dt.astimezone(UTC) == dt.datetime(2026, 5, 7, 13, 0, tzinfo=UTC)
    assert str(read[2][1]["STATUS"]) == "CANCELLED"
    assert [vevent["ATTENDEE"].params["PARTSTAT"] for _, vevent in read] == ["ACCEPTED"] * 3
    # libical checks each against RFC 5546's rules for its METHOD, and reads the same instants.
    found = assert_libical_clean(*bodies)
    assert [item["events"][0]["start"] for item in found] == [
        "2026-04-30T09:00:00Z",
        "2026-05-07T13:00:00Z",
        "2026-05-07T13:00:00Z",
    ]


@pytest.fixture
def clock_change_invitations(member):
    """One invitation per case of the feed tests, with the instants the feeds must have."""
    bodies, expected = [], {}
    for index, (start, utc_start) in enumerate(CASES):
        event = EventFactory(
            title=f"Meeting {index}", starts_at=start, ends_at=utc_start + dt.timedelta(hours=2)
        )
        expected[event.uid] = (utc_start, utc_start + dt.timedelta(hours=2))
        bodies.append(invitations.invitation(event, member))
    return bodies, expected


def test_vobject_reads_the_invitations_instants_across_the_clock_changes(
    clock_change_invitations,
):
    bodies, expected = clock_change_invitations
    seen = {}
    for body in bodies:
        calendar = vobject.readOne(io.StringIO(body.decode("utf-8")))
        assert calendar.method.value == "REQUEST"
        vevent = calendar.vevent
        seen[vevent.uid.value] = (
            vevent.dtstart.value.astimezone(UTC),
            vevent.dtend.value.astimezone(UTC),
        )
    assert seen == expected


def test_ical_js_reads_the_invitations_instants_across_the_clock_changes(
    clock_change_invitations,
):
    bodies, expected = clock_change_invitations
    seen = {}
    for body in bodies:
        [item] = node_instants(body)
        seen[item["uid"]] = (item["start"], item["end"])
    assert seen == {uid: (iso(start), iso(end)) for uid, (start, end) in expected.items()}


def test_libical_reads_the_invitations_instants_across_the_clock_changes(
    clock_change_invitations,
):
    bodies, expected = clock_change_invitations
    found = assert_libical_clean(*bodies)
    seen = {
        item["events"][0]["uid"]: (item["events"][0]["start"], item["events"][0]["end"])
        for item in found
    }
    utc = "%Y-%m-%dT%H:%M:%SZ"
    assert seen == {
        uid: (start.strftime(utc), end.strftime(utc)) for uid, (start, end) in expected.items()
    }


def test_the_calendar_part_is_an_alternative_with_its_method(meeting, member):
    content, mimetype = invitations.invitation_part(meeting, member)
    assert mimetype == "text/calendar; method=REQUEST"
    assert content.startswith("BEGIN:VCALENDAR\r\n")
    meeting.cancel("Snow.")
    assert invitations.invitation_part(meeting, member)[1] == "text/calendar; method=CANCEL"
