"""Helpers for the registration tests: a conference open to everyone, and sent emails."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from events.models import Question, RegistrationSettings
from tests.factories import EventFactory, VenueFactory


@pytest.fixture
def conference(db):
    """The Anti-Slavery Day conference in three weeks, registration open to everyone, with
    40 places from its venue and two questions of its own."""
    venue = VenueFactory(name="Council House", town="Birmingham", capacity=40)
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=21)
    event = EventFactory(
        kind="conference",
        title="Anti-Slavery Day conference",
        slug="anti-slavery-day-conference",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=6),
        venue=venue,
        registration_deadline=timezone.localdate() + dt.timedelta(days=14),
    )
    settings = RegistrationSettings.objects.create(
        event=event, audience=RegistrationSettings.Audience.EVERYONE, is_open=True
    )
    Question.objects.create(
        registration=settings,
        kind=Question.Kind.ONE,
        text="Which workshop?",
        choices="Supply chains\nVictim care",
        required=True,
        position=1,
    )
    Question.objects.create(
        registration=settings,
        kind=Question.Kind.SEVERAL,
        text="Which topics interest you?",
        choices="Labour exploitation\nCounty lines\nHousing",
        position=2,
    )
    return event


def form_data(event, **changes):
    """A complete registration form for `event`."""
    questions = {q.text: q for q in event.registration.questions.all()}
    data = {
        "organisation": "Sandwell Council",
        "job_role": "Safeguarding lead",
        "dietary_needs": "Vegetarian",
        "access_needs": "",
        "photo_consent": "no",
        questions["Which workshop?"].field_name: "Victim care",
        questions["Which topics interest you?"].field_name: ["County lines", "Housing"],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a callable; returns (its result, the emails sent once its transactions commit)."""

    def run(function, *args, **kwargs):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = function(*args, **kwargs)
        return result, list(mail.outbox)

    return run


def link_in(message, pattern):
    found = re.search(pattern, message.body)
    assert found, message.body
    return found.group(0)
