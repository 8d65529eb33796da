"""A real SMTP server (aiosmtpd) on a free port, that can refuse, defer, drop and go down."""

import socket
import threading
from collections import Counter

import pytest
from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Handler:
    """Accepts mail, except where a test says otherwise."""

    def __init__(self):
        self.received = []  # (recipient, message bytes), in order
        self.connections = 0
        self.rcpt_replies = {}  # address -> list of replies to give, one per try
        self.always_refuse = {}  # address -> reply, every time
        self.drop_data_for = Counter()  # address -> how many DATA to drop the connection on
        self.before_accepting = None  # called with the recipient before a 250 to DATA
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if address in self.always_refuse:
                return self.always_refuse[address]
            replies = self.rcpt_replies.get(address)
            if replies:
                return replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        [recipient] = envelope.rcpt_tos
        with self.lock:
            if self.drop_data_for[recipient]:
                self.drop_data_for[recipient] -= 1
                server.transport.close()
                return "421 4.4.2 connection dropped"
            self.received.append((recipient, envelope.content))
        if self.before_accepting is not None:
            self.before_accepting(recipient)
        return "250 2.0.0 Message accepted"

    def recipients(self):
        return [recipient for recipient, _ in self.received]


class SMTPServer:
    def __init__(self):
        self.handler = Handler()
        self.port = free_port()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server(settings):
    """The portal's SMTP settings pointed at a running aiosmtpd; stopped after the test."""
    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
