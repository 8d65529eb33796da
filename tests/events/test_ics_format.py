"""RFC 5545 shape of the feeds: lines, folding, escaping, required properties, privacy."""

import datetime as dt

import pytest

from events import ics
from events.models import Event
from tests.events.conftest import NOW, london, parse, vevents
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

LONG_TITLE = "Réunion du réseau – “Sûreté” ärger 🙂 " * 5  # 185 characters, 230+ octets


def unfolded_lines(body):
    return body.decode("utf-8").replace("\r\n ", "").split("\r\n")


def test_every_line_ends_with_crlf(meeting):
    body = ics.public_feed(now=NOW)
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert b"\r" not in body.replace(b"\r\n", b"")


def test_long_lines_fold_at_75_octets_without_splitting_a_character(meeting):
    meeting.title = LONG_TITLE
    meeting.save()
    body = ics.public_feed(now=NOW)
    physical = body.split(b"\r\n")
    assert any(line.startswith(b" ") for line in physical), "the long title must fold"
    for line in physical:
        assert len(line) <= 75
        line.decode("utf-8")  # raises if a fold split a multibyte character
    assert f"SUMMARY:{LONG_TITLE}" in unfolded_lines(body)


def test_text_is_escaped(meeting):
    meeting.title = "Pay, rest; and \\ rights"
    meeting.description = "Line one\nLine two, with a comma; and a semicolon"
    meeting.save()
    lines = unfolded_lines(ics.public_feed(now=NOW))
    assert "SUMMARY:Pay\\, rest\\; and \\\\ rights" in lines
    description = next(line for line in lines if line.startswith("DESCRIPTION:Line one"))
    assert "Line one\\nLine two\\, with a comma\\; and a semicolon" in description
    event = vevents(ics.public_feed(now=NOW))[0]
    assert str(event["SUMMARY"]) == "Pay, rest; and \\ rights"


def test_calendar_has_prodid_version_and_method(meeting):
    lines = unfolded_lines(ics.public_feed(now=NOW))
    assert lines[0] == "BEGIN:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:-//West Midlands Anti Slavery Network") for line in lines)
    assert "METHOD:PUBLISH" in lines


def test_calendar_level_name_description_and_refresh(meeting):
    cal = parse(ics.public_feed(now=NOW))
    assert str(cal["NAME"]) == str(cal["X-WR-CALNAME"]) == "WMASN meetings and events"
    assert str(cal["DESCRIPTION"]) == str(cal["X-WR-CALDESC"])
    lines = unfolded_lines(ics.public_feed(now=NOW))
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in lines
    assert "X-PUBLISHED-TTL:PT6H" in lines


def test_every_vevent_has_uid_dtstamp_and_sequence(venue):
    for day in (1, 2, 3):
        EventFactory(starts_at=london(2026, 4, day, 10), ends_at=london(2026, 4, day, 12))
    events = vevents(ics.public_feed(now=NOW))
    assert len(events) == 3
    for event in events:
        assert event["UID"]
        assert event["DTSTAMP"].dt.tzinfo is not None
        assert "SEQUENCE" in event
        assert event["LAST-MODIFIED"]
    assert len({str(e["UID"]) for e in events}) == 3


def test_a_vtimezone_for_every_tzid_used(meeting):
    EventFactory(starts_at=london(2027, 10, 31, 10), ends_at=london(2027, 10, 31, 12))
    cal = parse(ics.public_feed(now=NOW))
    used = cal.get_used_tzids()
    assert used == {"Europe/London"}
    assert {tz.tz_name for tz in cal.timezones} == used
    assert cal.get_missing_tzids() == set()
    assert "2026-01-01 to 2028-01-01" in str(cal.timezones[0]["COMMENT"])


def test_vtimezone_onsets_are_in_the_offset_before_the_change(meeting):
    """RFC 5545 3.6.5: 29 March 2026 01:00 GMT, 25 October 2026 02:00 BST (01:00 UTC both)."""
    tz = parse(ics.public_feed(now=NOW)).timezones[0]
    onsets = {(str(sub.name), sub.DTSTART) for sub in tz.subcomponents if sub.DTSTART.month != 1}
    assert ("DAYLIGHT", dt.datetime(2026, 3, 29, 1, 0)) in onsets
    assert ("STANDARD", dt.datetime(2026, 10, 25, 2, 0)) in onsets


def test_dtend_is_after_dtstart(meeting):
    for event in vevents(ics.public_feed(now=NOW)):
        assert event["DTEND"].dt > event["DTSTART"].dt


def test_all_day_event_is_dates_with_exclusive_end(db):
    EventFactory(
        title="Awareness day",
        all_day=True,
        starts_at=london(2026, 10, 18, 0, 0),
        ends_at=london(2026, 10, 18, 23, 59),
    )
    EventFactory(
        title="Two-day conference",
        all_day=True,
        starts_at=london(2026, 11, 2, 9, 0),
        ends_at=london(2026, 11, 4, 0, 0),
    )
    body = ics.public_feed(now=NOW)
    lines = unfolded_lines(body)
    assert "DTSTART;VALUE=DATE:20261018" in lines
    assert "DTEND;VALUE=DATE:20261019" in lines
    assert "DTSTART;VALUE=DATE:20261102" in lines
    assert "DTEND;VALUE=DATE:20261104" in lines
    for event in vevents(body):
        assert type(event["DTSTART"].dt) is dt.date
        assert event["DTEND"].dt > event["DTSTART"].dt
    # Only all-day events: no TZID, so no VTIMEZONE is needed.
    assert parse(body).timezones == []


def test_public_feed_has_no_location_venue_address_postcode_or_joining_link(meeting, venue):
    meeting.description = "Meet at Lloyd House, Colmore Circus Queensway, B4 6NQ."
    meeting.save()
    meeting.cancel("Lloyd House is closed; see https://meet.example.org/wmasn-secret-room")
    body = ics.public_feed(now=NOW).decode()
    unfolded = body.replace("\r\n ", "")
    assert "LOCATION" not in unfolded
    for secret in ["Lloyd House", "Colmore Circus", "B4 6NQ", "meet.example.org", "Sign in at"]:
        assert secret.lower() not in unfolded.lower(), secret


def test_member_feed_has_location_joining_link_and_deadline(meeting, member):
    meeting.registration_deadline = dt.date(2026, 3, 20)
    meeting.save()
    event = vevents(ics.personal_feed(member, now=NOW))[0]
    assert str(event["LOCATION"]) == "Lloyd House, Colmore Circus Queensway, Birmingham, B4 6NQ"
    assert "meet.example.org/wmasn-secret-room" in str(event["DESCRIPTION"])
    assert "Register by Friday 20 March 2026" in str(event["DESCRIPTION"])
    assert "Sign in at reception." in str(event["DESCRIPTION"])


def test_status_confirmed_and_cancelled(meeting):
    assert str(vevents(ics.public_feed(now=NOW))[0]["STATUS"]) == "CONFIRMED"
    meeting.cancel("The chair is unwell.")
    event = vevents(ics.public_feed(now=NOW))[0]
    assert str(event["STATUS"]) == "CANCELLED"
    assert "CANCELLED: The chair is unwell." in str(event["DESCRIPTION"])


def test_body_is_byte_identical_across_builds(meeting):
    assert ics.public_feed(now=NOW) == ics.public_feed(now=NOW + dt.timedelta(hours=3))


def test_dtstamp_is_the_last_change_not_the_build_time(meeting):
    event = vevents(ics.public_feed(now=NOW))[0]
    assert event["DTSTAMP"].dt == meeting.updated_at.replace(microsecond=0)


def test_personal_feed_includes_chosen_working_groups_only(member, venue):
    from tests.factories import GroupMembershipFactory, WorkingGroupFactory

    chosen = WorkingGroupFactory()
    hidden = WorkingGroupFactory()
    elsewhere = WorkingGroupFactory()
    GroupMembershipFactory(group=chosen, user=member, show_in_calendar=True)
    GroupMembershipFactory(group=hidden, user=member, show_in_calendar=False)
    for group, title in [
        (None, "Everyone"),
        (chosen, "Chosen"),
        (hidden, "Hidden"),
        (elsewhere, "Elsewhere"),
    ]:
        EventFactory(
            title=title,
            working_group=group,
            starts_at=london(2026, 4, 1, 10),
            ends_at=london(2026, 4, 1, 11),
        )
    titles = {str(e["SUMMARY"]) for e in vevents(ics.personal_feed(member, now=NOW))}
    assert titles == {"Everyone", "Chosen"}
    assert set(Event.objects.in_personal_feed(member).values_list("title", flat=True)) == titles


def test_feed_window_is_past_year_and_all_future(db):
    EventFactory(title="Too old", starts_at=london(2025, 2, 1, 10), ends_at=london(2025, 2, 1, 11))
    EventFactory(
        title="Last spring", starts_at=london(2025, 4, 1, 10), ends_at=london(2025, 4, 1, 11)
    )
    EventFactory(
        title="Far future", starts_at=london(2030, 4, 1, 10), ends_at=london(2030, 4, 1, 11)
    )
    titles = {str(e["SUMMARY"]) for e in vevents(ics.public_feed(now=NOW))}
    assert titles == {"Last spring", "Far future"}
