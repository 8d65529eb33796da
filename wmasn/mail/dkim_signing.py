"""DKIM signatures on the portal's emails (dkimpy), when DKIM_PRIVATE_KEY is set.

The worker wraps the configured Django email backend in `DKIMBackend`: each message is
rendered once, signed (relaxed/relaxed, RSA-SHA256) and handed to the real backend, which
sends exactly those bytes (Django's backends call `message()` once per send). The public key
to publish is printed by `python manage.py email_dns`.
"""

import functools
from email.utils import parseaddr
from pathlib import Path

import dkim
from django.conf import settings

SIGNED_HEADERS = [
    b"From",
    b"To",
    b"Subject",
    b"Date",
    b"Message-ID",
    b"Reply-To",
    b"MIME-Version",
    b"Content-Type",
    b"List-Id",
    b"List-Unsubscribe",
    b"List-Unsubscribe-Post",
    b"Auto-Submitted",
]


def is_enabled():
    return bool(settings.DKIM_PRIVATE_KEY)


@functools.cache
def _key(value):
    if "-----BEGIN" in value:
        return value.encode("ascii")
    return Path(value).read_bytes()


def private_key():
    return _key(settings.DKIM_PRIVATE_KEY.strip())


def domain():
    return settings.DKIM_DOMAIN or parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]


def sign(message):
    """Sign a Django EmailMessage in place: its `message()` returns the signed MIME message."""
    mime = message.message()
    raw = mime.as_bytes(linesep="\r\n")
    present = {name.lower() for name in mime}
    headers = [name for name in SIGNED_HEADERS if name.decode().lower() in present]
    signature = dkim.sign(
        raw,
        settings.DKIM_SELECTOR.encode(),
        domain().encode(),
        private_key(),
        include_headers=headers,
        canonicalize=(b"relaxed", b"relaxed"),
    )
    value = signature.decode("ascii").partition(":")[2]
    # Unfolded: the relaxed canonicalization ignores how the header is folded again.
    value = " ".join(value.split())
    mime._headers.insert(0, ("DKIM-Signature", value))
    message.message = lambda: mime
    return message


class DKIMBackend:
    """A Django email backend that signs each message, then sends it through `backend`."""

    def __init__(self, backend):
        self.backend = backend

    def open(self):
        return self.backend.open()

    def close(self):
        return self.backend.close()

    def send_messages(self, messages):
        return self.backend.send_messages([sign(message) for message in messages])
