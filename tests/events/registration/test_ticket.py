"""The ticket page: its secret link, QR code and typed code, add to calendar, cancel."""

import pytest
from django.urls import reverse

from events.registration import services, tickets
from tests.factories import NetworkMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(conference):
    return services.register_member(event=conference, user=NetworkMemberFactory(), details={})


def ticket_url(rsvp):
    return reverse("events:ticket", args=[rsvp.event.slug, rsvp.ticket_secret])


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member", "officer"])
def test_the_ticket_link_is_the_key_whoever_opens_it(client_for_role, registered, role):
    response = client_for_role(role).get(ticket_url(registered))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and 'role="img"' in page
    assert registered.formatted_ticket_code in page
    assert "Cancel my place" in page
    assert "calendar.google.com" in page
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_a_wrong_secret_or_event_is_not_found(client, registered, conference):
    assert client.get(reverse("events:ticket", args=[conference.slug, "nope"])).status_code == 404
    other = reverse("events:ticket", args=["another-event", registered.ticket_secret])
    assert client.get(other).status_code == 404


def test_an_unconfirmed_guests_ticket_is_not_found(client, conference):
    rsvp = services.register_guest(event=conference, name="U", email="u@example.org", details={})
    assert client.get(ticket_url(rsvp)).status_code == 404


def test_the_qr_code_carries_the_typed_code(registered):
    assert tickets.qr_payload(registered) == f"WMASN-TICKET:{registered.ticket_code}"
    assert tickets.code_from_scan(tickets.qr_payload(registered)) == registered.ticket_code


def test_cancel_my_place(client, registered, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ticket_url(registered), {"action": "cancel"})
    assert response.status_code == 302
    registered.refresh_from_db()
    assert registered.answer == "apologies"
    page = client.get(ticket_url(registered)).content.decode()
    assert "Cancelled." in page and "<svg" not in page


def test_an_unknown_action_is_a_bad_request(client, registered):
    assert client.post(ticket_url(registered), {"action": "steal"}).status_code == 400


@pytest.mark.parametrize("method", ["put", "delete"])
def test_the_ticket_refuses_other_methods(client, registered, method):
    assert getattr(client, method)(ticket_url(registered)).status_code == 405
