import datetime as dt
import io

import pytest
from django.utils import timezone

from events.models import Event, Venue
from tests.events.shared import iso, load_demo_events, node_instants

pytestmark = pytest.mark.django_db


def test_demo_events_are_idempotent_and_cover_the_seed():
    load_demo_events()
    counts = (Event.objects.count(), Venue.objects.count())
    sequences = dict(Event.objects.values_list("slug", "sequence"))
    load_demo_events()
    assert (Event.objects.count(), Venue.objects.count()) == counts
    assert dict(Event.objects.values_list("slug", "sequence")) == sequences

    meetings_2018 = Event.objects.filter(
        kind=Event.Kind.NETWORK_MEETING, starts_at__year=2018
    ).order_by("starts_at")
    assert [timezone.localtime(e.starts_at).strftime("%d %b %H:%M") for e in meetings_2018] == [
        "18 Jan 10:00",
        "22 Mar 10:00",
        "17 May 10:00",
        "12 Jul 10:00",
        "13 Sep 10:00",
        "15 Nov 10:00",
    ]
    sandwell = Event.objects.get(slug="national-human-trafficking-awareness-day-2018")
    assert sandwell.organiser.name == "Sandwell Council"
    assert sandwell.registration_deadline == dt.date(2018, 1, 5)
    assert "eventbrite" in sandwell.registration_url
    assert Event.objects.filter(slug="anti-slavery-day-conference-2017").exists()
    year = timezone.localdate().year
    assert Event.objects.filter(slug=f"anti-slavery-day-conference-{year + 1}").exists()
    assert Event.objects.upcoming().filter(kind=Event.Kind.NETWORK_MEETING).scheduled().exists()
    assert Event.objects.filter(status=Event.Status.CANCELLED).count() == 1
    lloyd = Venue.objects.get(name="Lloyd House")
    assert lloyd.postcode == "B4 6NQ" and lloyd.host_agency.slug == "west-midlands-police"


def test_demo_events_wait_for_no_announcement():
    """`make demo` must not email every demo member about every demo meeting."""
    from events.tasks import announce_waiting
    from wmasn.mail.models import OutgoingEmail

    load_demo_events()
    assert Event.objects.exists()
    assert not Event.objects.waiting_to_be_announced().exists()
    assert announce_waiting() == 0
    assert not OutgoingEmail.objects.exists()


def test_demo_public_feed_reads_the_same_in_vobject_and_ical_js():
    import vobject

    from events import ics

    load_demo_events()
    body = ics.public_feed()
    expected = {
        e.uid: iso(e.starts_at) for e in ics.feed_events(Event.objects.all()) if not e.all_day
    }
    assert len(expected) >= 6
    calendar = vobject.readOne(io.StringIO(body.decode()))
    assert {v.uid.value: iso(v.dtstart.value) for v in calendar.vevent_list} == expected
    assert {i["uid"]: i["start"] for i in node_instants(body)} == expected
