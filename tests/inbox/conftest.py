"""A real IMAP server (Debian's Dovecot) for the inbound mailbox's tests, and the messages
real mail clients and servers send, kept as fixtures in tests/inbox/fixtures/."""

import datetime as dt
import imaplib
import itertools
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import time_machine

from tests.factories import EventFactory, MembershipFactory
from tests.servers import DovecotServer

FIXTURES = Path(__file__).parent / "fixtures"
_mailboxes = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot():
    if DovecotServer.binary() is None:
        if os.environ.get("WMASN_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail("The inbox tests must run in CI, but Dovecot is not installed.")
        pytest.skip("Dovecot is not installed: apt-get install dovecot-imapd")
    # Not under pytest's own folder: as root, Dovecot's user could not reach into it.
    root = tempfile.mkdtemp(prefix="wmasn-dovecot-")
    server = DovecotServer(root)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


class Mailbox:
    """One test's own mailbox on the shared server, as the portal's settings see it."""

    def __init__(self, server, user):
        self.server = server
        self.user = user

    def connect(self):
        imap = imaplib.IMAP4("127.0.0.1", self.server.port)
        imap.login(self.user, self.server.PASSWORD)
        return imap

    def append(self, *messages, folder="INBOX"):
        imap = self.connect()
        try:
            for raw in messages:
                status, data = imap.append(folder, None, None, raw)
                assert status == "OK", data
        finally:
            imap.logout()

    def count(self, folder):
        imap = self.connect()
        try:
            status, data = imap.select(f'"{folder}"', readonly=True)
            return int(data[0]) if status == "OK" else 0
        finally:
            imap.logout()

    def flags(self, folder):
        imap = self.connect()
        try:
            imap.select(f'"{folder}"', readonly=True)
            _, data = imap.fetch("1:*", "(FLAGS)")
            return [item.decode() for item in data if item]
        finally:
            imap.logout()


@pytest.fixture
def mailbox(dovecot, settings):
    box = Mailbox(dovecot, f"portal{next(_mailboxes)}")
    settings.INBOUND_IMAP_HOST = "127.0.0.1"
    settings.INBOUND_IMAP_PORT = dovecot.port
    settings.INBOUND_IMAP_USER = box.user
    settings.INBOUND_IMAP_PASSWORD = dovecot.PASSWORD
    settings.INBOUND_IMAP_TLS = False
    settings.INBOUND_IMAP_FOLDER = "INBOX"
    settings.INBOUND_ADDRESS = "replies@example.org"
    return box


def load_message(name, **replacements):
    """A stored message, with {placeholders} replaced and CRLF line ends."""
    text = (FIXTURES / name).read_text()
    for key, value in replacements.items():
        text = text.replace("{" + key + "}", str(value))
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


@pytest.fixture
def eml():
    """`eml(name, **placeholders)`: a message from tests/inbox/fixtures/ as bytes."""
    return load_message


# The fixtures' meeting and member: real clients' answers name them.
REPLY_UID = "8a0f5a2c-3b1e-4d5e-9f60-7c1d2e3f4a5b@wmasn-portal"
ATTENDEE = "jean.turner@agency.example"
# After the fixtures' DTSTAMPs (1 December 2026, 09:14 to 10:02 UTC).
REPLY_TIME = dt.datetime(2026, 12, 1, 10, 30, tzinfo=dt.UTC)


@pytest.fixture
def at_reply_time():
    with time_machine.travel(REPLY_TIME, tick=True):
        yield REPLY_TIME


@pytest.fixture
def invited_member(agency):
    """Jean Turner, an approved member: network meetings invite her."""
    return MembershipFactory(
        agency=agency, user__email=ATTENDEE, user__first_name="Jean", user__last_name="Turner"
    ).user


@pytest.fixture
def meeting(at_reply_time):
    """The network meeting the fixtures answer, ten days after they were sent."""
    return EventFactory(
        uid=REPLY_UID,
        title="Network meeting",
        starts_at=REPLY_TIME + dt.timedelta(days=9),
        ends_at=REPLY_TIME + dt.timedelta(days=9, hours=2),
    )
