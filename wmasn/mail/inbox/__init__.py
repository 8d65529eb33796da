"""The inbound mailbox: what comes back to the portal's addresses, read by the worker.

Invitation answers (iMIP REPLY) go to INBOUND_ADDRESS as the invitations' ORGANIZER;
bounces come back to the VERP return path on the same mailbox (`delivery.return_path`);
auto-replies and people pressing Reply arrive there too. The worker's minute job
(`mail.read-inbox`, when INBOUND_IMAP_HOST is set) and `python manage.py read_inbox` read
it over IMAP (`reader`), and each message is handled once (`handling`):

1. delivery status notifications and the common non-standard bounces (`bounces`) fail the
   outgoing email they belong to, and suppress a hard-bounced address;
2. then each registered handler is asked in turn: the events app registers the one that
   turns a calendar REPLY into an RSVP (`events.replies`); the mail layer knows no events;
3. auto-replies are recorded and otherwise ignored;
4. anything else was written by a person: forwarded to NETWORK_CONTACT_EMAIL (or kept for
   officers in the admin when that is unset), never answered automatically.

Each message becomes an `InboundMessage` (what it was, what it changed, or why it changed
nothing) that officers see under *Mail › Inbound messages*.
"""

from dataclasses import dataclass
from typing import Any

from wmasn.mail.models import InboundMessage

Kind = InboundMessage.Kind
Outcome = InboundMessage.Outcome

_handlers = []


@dataclass
class Result:
    """What a handler did with a message; becomes the message's InboundMessage."""

    kind: str
    outcome: str
    reason: str = ""
    user: Any = None
    about: Any = None
    outgoing_email: Any = None
    text: str = ""


def register(handler):
    """Ask `handler(incoming)` about each message that is not a bounce; it returns a Result
    when the message is its own (even to refuse it), None to pass it on. Usable as a
    decorator; registering the same function twice keeps one."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def registered_handlers():
    return list(_handlers)
