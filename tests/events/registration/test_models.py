"""Registration's data rules: a member's registration is their RSVP; the database refuses
what must never be."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from events.models import RSVP, RegistrationSettings
from tests.factories import EventFactory, NetworkMemberFactory, VenueFactory

pytestmark = pytest.mark.django_db


def guest(event, email="sam@example.org", confirmed=True, **fields):
    rsvp = RSVP(
        event=event,
        guest_name="Sam Guest",
        guest_email=email,
        answer="attending",
        confirmed_at=timezone.now() if confirmed else None,
        **fields,
    )
    rsvp.issue_ticket()
    rsvp.save()
    return rsvp


def test_a_new_registration_takes_the_venues_capacity():
    event = EventFactory(venue=VenueFactory(capacity=25))
    settings = RegistrationSettings.objects.create(event=event)
    assert settings.capacity == 25
    assert event.capacity == 25


def test_the_registrations_capacity_is_the_events_once_set():
    event = EventFactory(venue=VenueFactory(capacity=25))
    RegistrationSettings.objects.create(event=event, capacity=300)
    assert EventFactory._meta.model.objects.get(pk=event.pk).capacity == 300


def test_a_confirmed_guest_email_registers_once_per_event():
    event = EventFactory()
    guest(event)
    with pytest.raises(IntegrityError), transaction.atomic():
        guest(event)


def test_unconfirmed_guests_may_repeat_and_do_not_count(conference):
    guest(conference, confirmed=False)
    guest(conference, confirmed=False)
    assert RSVP.objects.filter(event=conference).count() == 2
    assert RSVP.objects.attending().filter(event=conference).count() == 0
    assert RSVP.objects.unconfirmed().filter(event=conference).count() == 2


def test_a_members_rsvp_cannot_carry_a_guest_email():
    member = NetworkMemberFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RSVP.objects.create(
            event=EventFactory(), user=member, answer="attending", guest_email="x@example.org"
        )


def test_ticket_codes_are_unique():
    event = EventFactory()
    first = guest(event, email="a@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        guest(event, email="b@example.org", ticket_code=first.ticket_code)


def test_a_ticket_code_has_no_look_alike_characters():
    rsvp = guest(EventFactory())
    assert len(rsvp.ticket_code) == 8
    assert not set(rsvp.ticket_code) & set("01ILO")
    assert rsvp.formatted_ticket_code == f"{rsvp.ticket_code[:4]}-{rsvp.ticket_code[4:]}"


def test_a_typed_code_is_found_whatever_its_case_and_dashes():
    rsvp = guest(EventFactory())
    typed = rsvp.formatted_ticket_code.lower()
    assert RSVP.objects.with_ticket_code(typed).get() == rsvp
