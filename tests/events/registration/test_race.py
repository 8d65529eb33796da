"""Many people registering at once for the last places: no place is sold twice."""

import threading

import pytest
from django.db import connection, connections

from events.models import RSVP, RegistrationSettings
from events.registration import services
from tests.factories import NetworkMemberFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Row locks need PostgreSQL (SQLite runs one writer at a time anyway).",
    ),
]


def test_twenty_registrations_at_once_for_five_places(conference):
    RegistrationSettings.objects.filter(event=conference).update(capacity=5)
    people = [NetworkMemberFactory() for _ in range(20)]
    errors = []
    barrier = threading.Barrier(len(people))

    def register(user):
        try:
            barrier.wait(timeout=10)
            services.register_member(event=conference, user=user, details={})
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    answers = list(RSVP.objects.filter(event=conference).values_list("answer", flat=True))
    assert answers.count("attending") == 5
    assert answers.count("waiting") == 15
