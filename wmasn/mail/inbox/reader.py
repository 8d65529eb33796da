"""Reading the inbound mailbox over IMAP (imaplib, the standard library's client).

Each new message is fetched without marking it (BODY.PEEK), handled (`handling.handle`,
once: its record is the guard), then flagged \\Seen and moved to the `Processed` folder
(created if missing), so that the server never offers it again. A worker that dies between
the two leaves it in the folder: the next read finds its record and only moves it.
"""

import imaplib
import re
from contextlib import contextmanager, suppress

from django.conf import settings

from .handling import handle

PROCESSED_FOLDER = "Processed"
FETCH_BATCH = 100
TIMEOUT = 30


class InboxNotConfigured(Exception):
    pass


def is_configured():
    return bool(settings.INBOUND_IMAP_HOST)


@contextmanager
def connect():
    if not is_configured():
        raise InboxNotConfigured("INBOUND_IMAP_HOST is not set: replies are not read.")
    host = settings.INBOUND_IMAP_HOST
    if settings.INBOUND_IMAP_TLS:
        imap = imaplib.IMAP4_SSL(host, settings.INBOUND_IMAP_PORT or 993, timeout=TIMEOUT)
    else:
        imap = imaplib.IMAP4(host, settings.INBOUND_IMAP_PORT or 143, timeout=TIMEOUT)
    try:
        imap.login(settings.INBOUND_IMAP_USER, settings.INBOUND_IMAP_PASSWORD)
        yield imap
    finally:
        with suppress(imaplib.IMAP4.error, OSError):
            imap.logout()


def read_inbox(*, on_message=None):
    """Handle every message in the folder; returns [(InboundMessage, was_new)]. Calls
    `on_message(record, was_new)` after each one (the command prints it)."""
    done = []
    with connect() as imap:
        can_move = _capable(imap, "MOVE")
        _ensure_folder(imap, PROCESSED_FOLDER)
        _check(imap.select(_quoted(settings.INBOUND_IMAP_FOLDER)))
        _, data = _check(imap.uid("SEARCH", None, "UNDELETED"))
        uids = data[0].split() if data and data[0] else []
        for start in range(0, len(uids), FETCH_BATCH):
            batch = uids[start : start + FETCH_BATCH]
            handled = []
            for uid, raw in _fetch(imap, batch):
                record, was_new = handle(raw)
                done.append((record, was_new))
                handled.append(uid)
                if on_message is not None:
                    on_message(record, was_new)
            _move(imap, handled, can_move)
        if not can_move:
            imap.expunge()
    return done


def _fetch(imap, uids):
    _, data = _check(imap.uid("FETCH", b",".join(uids), "(UID BODY.PEEK[])"))
    for item in data:
        if isinstance(item, tuple):
            match = re.search(rb"UID (\d+)", item[0])
            if match:
                yield match.group(1), item[1]


def _move(imap, uids, can_move):
    if not uids:
        return
    uid_set = b",".join(uids)
    _check(imap.uid("STORE", uid_set, "+FLAGS", r"(\Seen)"))
    if can_move:
        _check(imap.uid("MOVE", uid_set, PROCESSED_FOLDER))
    else:
        _check(imap.uid("COPY", uid_set, PROCESSED_FOLDER))
        _check(imap.uid("STORE", uid_set, "+FLAGS", r"(\Deleted)"))


def _capable(imap, name):
    _, data = imap.capability()
    return name.encode() in (data[0] or b"").upper().split()


def _ensure_folder(imap, name):
    status, _ = imap.select(_quoted(name), readonly=True)
    if status != "OK":
        _check(imap.create(_quoted(name)))


def _quoted(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(response):
    status, data = response
    if status != "OK":
        raise imaplib.IMAP4.error(f"IMAP: {status} {data!r}")
    return response
