"""One raw message from the mailbox, with what the handlers ask of it."""

import email
import hashlib
from email import policy
from email.utils import getaddresses, parseaddr

from icalendar import Calendar

CALENDAR_TYPES = {"text/calendar", "application/ics", "text/x-vcalendar"}


class Incoming:
    def __init__(self, raw):
        self.raw = raw
        self.message = email.message_from_bytes(raw, policy=policy.default)
        self.content_hash = hashlib.sha256(raw).hexdigest()
        self.message_id = _header(self.message, "Message-ID").strip()
        self.sender_name, address = parseaddr(_header(self.message, "From"))
        self.sender = address.strip().lower()
        self.subject = " ".join(_header(self.message, "Subject").split())

    @property
    def key(self):
        """What makes this message itself: its Message-ID, else its bytes."""
        if self.message_id:
            return self.message_id[:255]
        return f"sha256:{self.content_hash}"

    def header(self, name):
        return _header(self.message, name)

    def recipients(self):
        """Every address the message was delivered to, as the headers say."""
        names = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
        values = [_header(self.message, name) for name in names]
        return [address.lower() for _, address in getaddresses(values) if address]

    def calendars(self):
        """The iCalendar objects it carries (an alternative part or an .ics attachment)."""
        found = []
        for part in self.message.walk():
            if part.is_multipart():
                continue
            filename = (part.get_filename() or "").lower()
            if part.get_content_type() not in CALENDAR_TYPES and not filename.endswith(".ics"):
                continue
            data = part.get_payload(decode=True) or b""
            try:
                found.append(Calendar.from_ical(data))
            except ValueError:
                continue
        return found

    def text(self, limit=20_000):
        """The first plain-text part, decoded."""
        for part in self.message.walk():
            if part.get_content_type() == "text/plain" and not part.get_filename():
                try:
                    return part.get_content()[:limit]
                except (LookupError, UnicodeError):
                    data = part.get_payload(decode=True) or b""
                    return data.decode("utf-8", "replace")[:limit]
        return ""


def _header(message, name):
    try:
        value = message.get(name)
    except (IndexError, ValueError, TypeError):  # A header the parser cannot make sense of.
        value = None
    return str(value) if value is not None else ""
