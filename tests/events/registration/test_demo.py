"""The demo's conference: registration open to everyone, a capacity, two questions and a
few registrations; loading twice changes nothing."""

import io

import pytest

from events.demo import load_events
from events.models import RSVP
from events.registration.demo import load_registration, next_conference
from network.demo import load_accounts, load_agencies

pytestmark = pytest.mark.django_db


def load():
    out = io.StringIO()
    load_accounts(out)
    load_agencies(out)
    load_events(out)
    load_registration(out)


def test_the_next_conference_is_open_for_registration_with_a_few_registered():
    load()
    load()
    event = next_conference()
    settings = event.registration
    assert settings.is_open and settings.audience == "everyone" and settings.capacity == 120
    assert settings.questions.count() == 2
    assert event.registration_deadline is not None
    assert RSVP.objects.attending().filter(event=event).count() == 4
    assert RSVP.objects.unconfirmed().filter(event=event).count() == 1
    assert RSVP.objects.filter(event=event, user__email="police@example.org").get().ticket_code
