"""One rule for what a visitor sees of an event: the page, the feeds, the single-event file
and the calendar links never show venue details written into public text; members see
everything; the admin warns the officer who wrote them."""

import urllib.parse

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from events import visibility
from tests.events.conftest import admin_change_data
from tests.events.shared import SEES_VENUES, VENUE_BITS
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def indiscreet_meeting(venue):
    """An upcoming meeting whose public text names its venue, as the issue found."""
    event = EventFactory(
        title="Network meeting",
        slug="indiscreet-meeting",
        venue=venue,
        online_url="https://meet.example.org/wmasn-secret-room",
        description="We meet at lloyd house,  colmore circus queensway (b46nq). Tea first.",
    )
    event.cancel("Lloyd House is closed; join at https://meet.example.org/wmasn-secret-room")
    return event


def everything_shown(client, event):
    """The page (with its Google and Outlook links decoded), the event file and the feed."""
    page = client.get(event.get_absolute_url())
    assert page.status_code == 200
    html = urllib.parse.unquote_plus(page.content.decode())
    ics = client.get(f"/events/{event.slug}.ics").content.decode().replace("\r\n ", "")
    feed = client.get("/calendar.ics").content.decode().replace("\r\n ", "")
    return {"page": html, "event file": ics, "public feed": feed}


@pytest.mark.parametrize("role", list(SEES_VENUES))
def test_visitors_never_see_venue_details_in_public_text(client_for_role, role, indiscreet_meeting):
    for rendering, text in everything_shown(client_for_role(role), indiscreet_meeting).items():
        if rendering == "public feed" or not SEES_VENUES[role]:
            for detail in VENUE_BITS:
                assert detail.lower() not in text.lower(), (role, rendering, detail)
            assert "b46nq" not in text.lower()
            assert "Tea first." in text
        else:
            assert "colmore circus queensway (b46nq)" in text, (role, rendering)
            assert "Lloyd House is closed" in text


def test_the_page_shows_what_was_scrubbed_in_its_place(anon_client, indiscreet_meeting):
    html = anon_client.get(indiscreet_meeting.get_absolute_url()).content.decode()
    assert "We meet at [venue details for members]" in html
    assert "[venue details for members] is closed" in html


def test_a_postcode_is_scrubbed_even_when_the_venue_is_to_be_confirmed(anon_client):
    event = EventFactory(venue=None, description="Probably at the Council House, B1 1BB.")
    html = anon_client.get(event.get_absolute_url()).content.decode()
    assert "B1 1BB" not in html
    assert "Probably at the Council House, [venue details for members]." in html


def test_text_without_venue_details_is_left_alone(venue):
    event = EventFactory(venue=venue, description="Agenda: the NRM pathway, 2018 pledges.")
    assert visibility.description_for(event, members=False) == event.description
    assert visibility.venue_details_in(event) == []


def test_venue_details_in_names_each_field_and_what_it_names(indiscreet_meeting):
    found = dict(visibility.venue_details_in(indiscreet_meeting))
    assert set(found) == {"description", "cancellation reason"}
    assert "Lloyd House" in found["description"] and "B4 6NQ" in found["description"]
    assert "https://meet.example.org/wmasn-secret-room" in found["cancellation reason"]


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_admin_warns_when_a_description_names_the_venue(officer_client, meeting):
    url = f"/admin/events/event/{meeting.pk}/change/"
    data = admin_change_data(meeting, description="Meet at Lloyd House, B4 6NQ.")
    response = officer_client.post(url, data, follow=True)
    assert response.status_code == 200
    warnings = [m for m in messages_of(response) if "venue details" in m]
    assert len(warnings) == 1
    assert "the description names venue details (Lloyd House; B4 6NQ)" in warnings[0]

    data["description"] = "Agenda to follow."
    response = officer_client.post(url, data, follow=True)
    assert not [m for m in messages_of(response) if "venue details" in m]


def test_admin_warns_when_a_cancellation_reason_names_the_venue(officer_client, meeting):
    selection = {"action": "cancel_selected", ACTION_CHECKBOX_NAME: [meeting.pk]}
    response = officer_client.post(
        "/admin/events/event/",
        {**selection, "apply": "1", "reason": "Lloyd House is flooded."},
        follow=True,
    )
    warnings = [m for m in messages_of(response) if "venue details" in m]
    assert len(warnings) == 1
    assert "the cancellation reason names venue details (Lloyd House)" in warnings[0]
