"""Places and the waiting list: a cancellation offers the place to the next person, who has
a while to accept it before it goes to the one after."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services as event_services
from events.models import RSVP, Event, RegistrationSettings
from events.registration import services
from tests.factories import NetworkMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_conference(conference, sent):
    """One place, taken by a member; a guest and a member waiting, in that order (their
    emails sent before the test begins)."""
    RegistrationSettings.objects.filter(event=conference).update(capacity=1, offer_hours=24)
    holder, _ = sent(
        services.register_member, event=conference, user=NetworkMemberFactory(), details={}
    )
    guest, _ = sent(
        services.register_guest,
        event=conference,
        name="Gail Guest",
        email="gail@example.org",
        details={},
    )
    guest, _ = sent(services.confirm_guest, rsvp=guest)
    second, _ = sent(
        services.register_member, event=conference, user=NetworkMemberFactory(), details={}
    )
    return Event.objects.get(pk=conference.pk), holder, guest, second


def test_the_waiting_list_is_in_order(full_conference):
    _, holder, guest, second = full_conference
    assert holder.answer == "attending"
    assert (guest.answer, second.answer) == ("waiting", "waiting")
    assert (guest.waiting_position(), second.waiting_position()) == (1, 2)


def test_a_cancellation_offers_the_place_to_the_next_by_email(full_conference, sent):
    event, holder, guest, second = full_conference
    _, emails = sent(services.cancel_place, rsvp=holder)
    guest.refresh_from_db()
    assert guest.answer == "waiting" and guest.offer_expires_at is not None
    subjects = {m.to[0]: m.subject for m in emails}
    assert subjects["gail@example.org"] == "[WMASN] A place for you: Anti-Slavery Day conference"
    # The place is kept for the guest: the next member is not offered it too.
    assert second.email not in subjects
    assert services.is_full(event)


def test_accepting_an_offer_in_time_gives_the_place(full_conference, client):
    event, holder, guest, _ = full_conference
    services.cancel_place(rsvp=holder)
    url = reverse("events:ticket", args=[event.slug, guest.ticket_secret])
    assert "Accept the place" in client.get(url).content.decode()
    response = client.post(url, {"action": "accept"})
    assert response.status_code == 302
    guest.refresh_from_db()
    assert guest.answer == "attending" and guest.offer_expires_at is None


def test_an_offer_not_accepted_in_time_goes_to_the_next(full_conference, sent):
    event, holder, guest, second = full_conference
    sent(services.cancel_place, rsvp=holder)
    later = timezone.now() + dt.timedelta(hours=25)
    lapsed, emails = sent(services.expire_offers, now=later)
    assert lapsed == 1
    guest.refresh_from_db()
    second.refresh_from_db()
    assert guest.answer == "apologies"
    assert second.offer_expires_at == later + dt.timedelta(hours=24)
    assert {m.to[0] for m in emails} == {"gail@example.org", second.email}
    assert services.accept_offer(rsvp=guest) is False
    assert services.accept_offer(rsvp=second, now=later) is True


def test_expiring_offers_twice_does_nothing_twice(full_conference):
    _, holder, _, _ = full_conference
    services.cancel_place(rsvp=holder)
    later = timezone.now() + dt.timedelta(hours=25)
    assert services.expire_offers(now=later) == 1
    assert services.expire_offers(now=later) == 0


def test_a_members_apologies_on_the_event_page_also_offer_the_place(full_conference):
    event, holder, guest, _ = full_conference
    event_services.answer_event(event=event, user=holder.user, answer="apologies")
    guest.refresh_from_db()
    assert guest.offer_expires_at is not None


def test_an_unconfirmed_guest_holds_no_place(conference):
    RegistrationSettings.objects.filter(event=conference).update(capacity=1)
    services.register_guest(event=conference, name="Una", email="una@example.org", details={})
    member = services.register_member(event=conference, user=NetworkMemberFactory(), details={})
    assert member.answer == "attending"


def test_a_guest_confirming_a_full_event_waits(conference):
    RegistrationSettings.objects.filter(event=conference).update(capacity=1)
    guest = services.register_guest(event=conference, name="G", email="g@example.org", details={})
    services.register_member(event=conference, user=NetworkMemberFactory(), details={})
    assert services.confirm_guest(rsvp=guest).answer == "waiting"


def test_counts_for_officers(full_conference):
    event, *_ = full_conference
    figures = services.counts(event)
    assert figures == {
        "capacity": 1,
        "attending": 1,
        "offered": 0,
        "waiting": 2,
        "unconfirmed": 0,
        "checked_in": 0,
    }


def test_nobody_holds_a_place_twice(conference):
    """However the answers go, places held never exceed the capacity."""
    RegistrationSettings.objects.filter(event=conference).update(capacity=3)
    people = [
        services.register_member(event=conference, user=NetworkMemberFactory(), details={})
        for _ in range(6)
    ]
    for rsvp in people[:4]:
        services.cancel_place(rsvp=rsvp)
        assert RSVP.objects.holding_places().filter(event=conference).count() <= 3
