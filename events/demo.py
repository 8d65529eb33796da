"""Demo venues and events from the December 2017 newsletter, plus a schedule for this year
and next so the demo site always has upcoming meetings. Idempotent: keyed on slugs."""

import datetime as dt

from django.utils import timezone

from events.models import Event, Venue, meeting_title
from network.models import Agency

SANDWELL_REGISTRATION_URL = (
    "https://www.eventbrite.co.uk/e/sandwell-anti-slavery-conference-tickets-41080785736"
)

# name, address lines, town, postcode, host agency slug, access notes, capacity. The town
# is public (meeting titles name it: "Network meeting, Oldbury"); the rest is for members.
VENUES = [
    (
        "Lloyd House",
        "Colmore Circus Queensway",
        "Birmingham",
        "B4 6NQ",
        "west-midlands-police",
        "Sign in at reception with photo ID; the meeting room is on the ground floor.",
        None,
    ),
    (
        "Sandwell Council House",
        "Freeth Street",
        "Oldbury",
        "B69 3DE",
        "sandwell-council",
        "Step-free entrance on Freeth Street. Pay and display parking opposite.",
        40,
    ),
]

MEETING_DATES_2018 = [
    dt.date(2018, 1, 18),
    dt.date(2018, 3, 22),
    dt.date(2018, 5, 17),
    dt.date(2018, 7, 12),
    dt.date(2018, 9, 13),
    dt.date(2018, 11, 15),
]
MEETING_START, MEETING_END = dt.time(10, 0), dt.time(12, 30)
MEETING_DESCRIPTION = (
    "The network's regular meeting: updates from member agencies, the task and finish "
    "group's progress, and what each sector is seeing."
)


def at(day, time):
    return dt.datetime.combine(day, time).replace(tzinfo=timezone.get_default_timezone())


def upsert_event(slug, **fields):
    """Create the event, or update it through save() so the sequence rules still apply."""
    event = Event.objects.filter(slug=slug).first() or Event(slug=slug)
    changed = event.pk is None
    for name, value in fields.items():
        if getattr(event, name) != value:
            setattr(event, name, value)
            changed = True
    if changed:
        event.save()
    return event


def third_thursdays(year, months):
    """The third Thursday of each month given: a plausible meeting schedule."""
    days = []
    for month in months:
        first = dt.date(year, month, 1)
        days.append(first + dt.timedelta(days=(3 - first.weekday()) % 7 + 14))
    return days


def upsert_network_meeting(day, *, venue, organiser):
    """A 10:00-12:30 network meeting on this day, keyed by its date."""
    return upsert_event(
        f"network-meeting-{day:%Y-%m-%d}",
        kind=Event.Kind.NETWORK_MEETING,
        title=meeting_title("Network meeting", venue),
        description=MEETING_DESCRIPTION,
        starts_at=at(day, MEETING_START),
        ends_at=at(day, MEETING_END),
        venue=venue,
        organiser=organiser,
    )


def load_events(stdout):
    agencies = {agency.slug: agency for agency in Agency.objects.all()}
    venues = []
    for name, address, town, postcode, host, notes, capacity in VENUES:
        venue, _ = Venue.objects.update_or_create(
            name=name,
            defaults={
                "address": address,
                "town": town,
                "postcode": postcode,
                "host_agency": agencies.get(host),
                "access_notes": notes,
                "capacity": capacity,
            },
        )
        venues.append(venue)
    police = agencies.get("west-midlands-police")
    sandwell = agencies.get("sandwell-council")

    for index, day in enumerate(MEETING_DATES_2018):
        upsert_network_meeting(day, venue=venues[index % 2], organiser=police)

    upsert_event(
        "national-human-trafficking-awareness-day-2018",
        kind=Event.Kind.AWARENESS_DAY,
        title="National Human Trafficking Awareness Day: How well do we know our communities?",
        description=(
            "Run by Sandwell Council to raise awareness of modern slavery and human "
            "trafficking and how we can tackle it: the NRM, the victim care pathway and a "
            "victim's journey. Attendees contribute to workshop sessions and meet a "
            "cross-representation of agencies and practitioners."
        ),
        starts_at=at(dt.date(2018, 1, 11), dt.time(9, 30)),
        ends_at=at(dt.date(2018, 1, 11), dt.time(16, 0)),
        venue=venues[1],
        organiser=sandwell,
        registration_url=SANDWELL_REGISTRATION_URL,
        registration_deadline=dt.date(2018, 1, 5),
    )
    upsert_event(
        "table-top-exercise-2017",
        kind=Event.Kind.EXERCISE,
        title="Modern slavery table top exercise",
        description=(
            "A multi-agency exercise that highlighted key areas to address: lead agencies at "
            "the point of victim rescue, and the NRM process and victim care pathway."
        ),
        starts_at=at(dt.date(2017, 9, 21), dt.time(9, 30)),
        ends_at=at(dt.date(2017, 9, 21), dt.time(15, 30)),
        venue=venues[0],
        organiser=police,
    )
    this_year = timezone.localdate().year
    for year in (2017, this_year, this_year + 1):
        day = dt.date(year, 10, 18)
        upsert_event(
            f"anti-slavery-day-conference-{year}",
            kind=Event.Kind.CONFERENCE,
            title=f"Anti-Slavery Day Conference {year}",
            description=(
                "The network's annual conference on Anti-Slavery Day, with speakers from "
                "across the sectors. Member agencies make their pledge for the coming year."
            ),
            starts_at=at(day, dt.time(9, 0)),
            ends_at=at(day, dt.time(16, 30)),
            venue=venues[0],
            organiser=police,
        )

    scheduled = 0
    for year in (this_year, this_year + 1):
        for index, day in enumerate(third_thursdays(year, [1, 3, 5, 7, 9, 11])):
            upsert_network_meeting(day, venue=venues[index % 2], organiser=police)
            scheduled += 1

    # One cancelled meeting: an extra session in the coming months, called off.
    # Its date is set once, relative to the first load, so reloading never moves it.
    extra = Event.objects.filter(slug="extra-network-meeting-cancelled").first()
    if extra is None:
        extra_day = timezone.localdate() + dt.timedelta(days=45)
        extra = upsert_event(
            "extra-network-meeting-cancelled",
            kind=Event.Kind.NETWORK_MEETING,
            title="Extra network meeting: NRM reform briefing",
            description="A short extra meeting to discuss the changes to the NRM.",
            starts_at=at(extra_day, dt.time(14, 0)),
            ends_at=at(extra_day, dt.time(15, 30)),
            venue=venues[0],
            organiser=police,
        )
    if not extra.is_cancelled:
        extra.cancel("The briefing will be part of the next regular network meeting instead.")

    stdout.write(
        f"Demo events: {len(VENUES)} venues, {len(MEETING_DATES_2018)} meetings in 2018, "
        f"{scheduled} scheduled meetings for {this_year} and {this_year + 1}, conferences, "
        "the Sandwell awareness day and one cancelled meeting."
    )


def load(stdout):
    """The events app's demo step."""
    from events.registration.demo import load_registration

    load_events(stdout=stdout)
    load_registration(stdout=stdout)
