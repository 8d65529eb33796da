"""Read an iCalendar stream with libical (GObject bindings); print what it found as JSON.

Run by Debian's /usr/bin/python3 (python3-gi, gir1.2-ical-3.0), never the virtualenv's:
    /usr/bin/python3 tests/libical/read_ics.py < feed.ics
    /usr/bin/python3 tests/libical/read_ics.py --many < bodies.json   (a JSON list of bodies)
Prints {"problems": [...], "events": [{"uid", "start", "end", "all_day"}, ...]}: problems are
libical's X-LIC-ERROR notes after parsing and after check_restrictions() (RFC 5546 for the
calendar's METHOD); start and end are UTC instants ("2026-03-29T09:00:00Z") or dates.
"""

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

KIND = ICalGLib.ComponentKind
UTC = ICalGLib.Timezone.get_utc_timezone()


def problems(component):
    text = component.as_ical_string().replace("\r\n ", "").replace("\n ", "")
    return [line for line in text.splitlines() if line.startswith("X-LIC-ERROR")]


def components(parent, kind):
    found = []
    child = parent.get_first_component(kind)
    while child is not None:
        found.append(child)
        child = parent.get_next_component(kind)
    return found


def restriction_problems(calendar):
    """check_restrictions() on the calendar alone, then on each VEVENT in a copy of it: libical
    stops at the first component that fails, and every event must pass."""
    found = []
    whole = calendar.clone()
    for child in components(whole, KIND.ANY_COMPONENT):
        whole.remove_component(child)
    whole.check_restrictions()
    found += problems(whole)
    zones = components(calendar, KIND.VTIMEZONE_COMPONENT)
    for vevent in components(calendar, KIND.VEVENT_COMPONENT):
        alone = calendar.clone()
        for child in components(alone, KIND.ANY_COMPONENT):
            alone.remove_component(child)
        for zone in zones:
            alone.add_component(zone.clone())
        alone.add_component(vevent.clone())
        alone.check_restrictions()
        found += [f"{vevent.get_uid()}: {line}" for line in problems(alone)]
    return found


def when(component, time):
    """A VEVENT's DTSTART/DTEND: a date, or the UTC instant (zones from the VTIMEZONE)."""
    if time.is_date():
        return f"{time.get_year():04d}-{time.get_month():02d}-{time.get_day():02d}"
    instant = time.convert_to_zone(UTC) if time.get_timezone() else time
    return (
        f"{instant.get_year():04d}-{instant.get_month():02d}-{instant.get_day():02d}T"
        f"{instant.get_hour():02d}:{instant.get_minute():02d}:{instant.get_second():02d}Z"
    )


def read(data):
    calendar = ICalGLib.Component.new_from_string(data)
    if calendar is None or calendar.isa() != KIND.VCALENDAR_COMPONENT:
        return {"problems": ["not a VCALENDAR"], "events": []}
    parse_problems = problems(calendar)
    events = []
    for vevent in components(calendar, KIND.VEVENT_COMPONENT):
        start = vevent.get_dtstart()
        end = vevent.get_dtend()
        events.append(
            {
                "uid": vevent.get_uid(),
                "start": when(vevent, start),
                "end": when(vevent, end),
                "all_day": bool(start.is_date()),
            }
        )
    found = parse_problems + restriction_problems(calendar)
    return {"problems": found, "events": events}


def main():
    data = sys.stdin.buffer.read().decode("utf-8")
    if "--many" in sys.argv:
        print(json.dumps([read(body) for body in json.loads(data)]))
    else:
        print(json.dumps(read(data)))


if __name__ == "__main__":
    main()
