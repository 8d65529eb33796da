"""Fixtures for the site-wide sweeps: the demo data, and a client for every demo role."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from tests.sweep.urls import ROLE_EMAILS, ROLES

# The demo data has no phone numbers or online links; give them values, so that the leak
# checks look for something that could really leak.
SECRET_PHONES = {
    "pending@example.org": "0121 496 0777",
    "police@example.org": "0121 496 0888",
    "barnardos@example.org": "0121 496 0999",
    "chair@example.org": "0121 496 0666",
}
SECRET_ONLINE_URL = "https://meet.example.org/wmasn-join-7f3a9c"


def _add_secrets():
    from events.models import Event
    from network.models import User

    for email, phone in SECRET_PHONES.items():
        User.objects.filter(email=email).update(phone=phone)
    # update() leaves the sequence alone: this is data, not a calendar change.
    Event.objects.update(online_url=SECRET_ONLINE_URL)


def load_demo():
    """Load the demo network (the loader refuses to run unless DEBUG is on)."""
    with override_settings(DEBUG=True):
        call_command("load_demo_data", stdout=io.StringIO())
    _add_secrets()


def demo_users():
    """{role: User or None} for the demo accounts."""
    from network.models import User

    users = {"anonymous": None}
    for role, email in ROLE_EMAILS.items():
        users[role] = User.objects.get(email=email)
    return users


def client_for(user):
    """A client that shows a server error as a 500 response instead of raising it."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


class Demo:
    """The demo users and a logged-in client per role."""

    def __init__(self):
        self.users = demo_users()
        self.clients = {role: client_for(self.users[role]) for role in ROLES}

    def client(self, role):
        return self.clients[role]


@pytest.fixture
def demo(settings, db):
    """Demo data loaded for this test only (settings.DEBUG on while loading)."""
    settings.DEBUG = True
    call_command("load_demo_data", stdout=io.StringIO())
    settings.DEBUG = False
    _add_secrets()
    return Demo()


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """Demo data loaded once per module, in a transaction rolled back at the module's end.

    Each test still runs in its own savepoint (the `db` fixture), so whatever a test posts is
    undone before the next one; loading the demo data per test would cost ~0.6 s × hundreds.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def sweep(demo_data, db):
    """The module's demo data, with fresh logged-in clients for every role."""
    return Demo()
