"""Two answers at once for the last place: the event row lock lets only one take it."""

import threading
import time

import pytest
from django.db import connection, connections

from events import services
from events.models import RSVP
from tests.factories import EventFactory, NetworkMemberFactory, VenueFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Row locks need PostgreSQL (SQLite runs one writer at a time anyway).",
    ),
]


def test_two_answers_at_once_cannot_both_take_the_last_place(monkeypatch):
    meeting = EventFactory(venue=VenueFactory(capacity=1))
    first, second = NetworkMemberFactory(), NetworkMemberFactory()
    counted = services._places_taken

    def slow_count(event):
        taken = counted(event)
        time.sleep(0.5)  # without the lock, the other answer would count the same free place
        return taken

    monkeypatch.setattr(services, "_places_taken", slow_count)
    errors = []

    def answer(user):
        try:
            services.answer_event(event=meeting, user=user, answer="attending")
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(user,)) for user in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    answers = sorted(RSVP.objects.filter(event=meeting).values_list("answer", flat=True))
    assert answers == ["attending", "waiting"]
