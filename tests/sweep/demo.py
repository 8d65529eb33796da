"""The demo network for the site-wide sweeps (and the browser sweep): loading it with
values worth leaking, and a logged-in client per demo role."""

import io

from django.core.management import call_command
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


def add_secrets():
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
    add_secrets()


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
