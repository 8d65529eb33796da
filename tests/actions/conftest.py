"""Factories and fixtures for the actions app's tests."""

import datetime as dt

import factory
import pytest
from django.utils import timezone

from actions.models import Action, Decision
from tests.factories import AgencyFactory, EventFactory

TODAY = dt.date(2018, 1, 10)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    title = factory.Sequence(lambda n: f"Action {n}")
    meeting = factory.SubFactory(EventFactory)
    owner_agency = factory.SubFactory(AgencyFactory)
    agreed_on = factory.LazyAttribute(lambda o: timezone.localdate(o.meeting.starts_at))
    due_on = factory.LazyAttribute(lambda o: o.agreed_on + dt.timedelta(days=60))


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    text = factory.Sequence(lambda n: f"The network agreed decision {n}.")
    meeting = factory.SubFactory(EventFactory)


def at(day, hour=10):
    """An aware datetime in London on `day`."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def meeting(db):
    """The December 2017 network meeting (past, so its actions are agreed)."""
    return EventFactory(
        title="Network meeting", slug="network-meeting-2017-12", starts_at=at(dt.date(2017, 12, 7))
    )


@pytest.fixture
def next_meeting(db):
    return EventFactory(
        title="Network meeting", slug="network-meeting-2018-01", starts_at=at(dt.date(2018, 1, 18))
    )


@pytest.fixture
def own_action(agency, meeting):
    """An open action owned by `agency` (the `member` fixture's agency)."""
    return ActionFactory(
        title="Agree lead agencies at the point of rescue",
        meeting=meeting,
        owner_agency=agency,
        due_on=dt.date(2018, 2, 1),
    )


@pytest.fixture
def others_action(other_agency, meeting):
    return ActionFactory(
        title="Map the NRM and care pathway",
        meeting=meeting,
        owner_agency=other_agency,
        due_on=dt.date(2018, 1, 5),
    )


@pytest.fixture
def on_today():
    """Today is TODAY (10 January 2018), between the December and January meetings."""
    import time_machine

    with time_machine.travel(at(TODAY, 9), tick=False):
        yield TODAY
