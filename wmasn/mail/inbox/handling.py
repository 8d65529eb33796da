"""Handling one message, once: its record is written before anything is acted on."""

import logging
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from wmasn.mail import send_email
from wmasn.mail.models import InboundMessage

from . import Kind, Outcome, Result, registered_handlers
from .bounces import handle_auto_reply, handle_bounce
from .parsing import Incoming

logger = logging.getLogger(__name__)

TEXT_KEPT = 20_000


def handle(raw):
    """Handle one raw message; returns (its InboundMessage, whether it was new). A message
    already handled (by this worker before a restart, or by another) changes nothing."""
    incoming = Incoming(raw)
    existing = InboundMessage.objects.filter(key=incoming.key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = _new_record(incoming)
            except IntegrityError:  # Another worker took it a moment ago.
                return InboundMessage.objects.get(key=incoming.key), False
            _apply(record, decide(incoming), incoming)
            return record, True
    except Exception as error:  # noqa: BLE001 - kept for officers rather than read again forever
        logger.exception("Inbound message %s could not be handled", incoming.key)
        return _record_failure(incoming, error)


def decide(incoming):
    """What to do with a message: the first of bounce, a registered handler (invitation
    answers), auto-reply, or a person's words to pass on."""
    if _is_from_ourselves(incoming):
        return Result(
            kind=Kind.AUTO_REPLY,
            outcome=Outcome.IGNORED,
            reason="Sent by the portal itself: ignored, so that nothing loops.",
        )
    for handler in (handle_bounce, *registered_handlers(), handle_auto_reply):
        result = handler(incoming)
        if result is not None:
            return result
    return _pass_on(incoming)


def _is_from_ourselves(incoming):
    ours = {
        parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(),
        parseaddr(settings.INBOUND_ADDRESS)[1].lower(),
    } - {""}
    return incoming.sender in ours


def _pass_on(incoming):
    """A person wrote: to the network's people, never answered by the portal."""
    contact = settings.NETWORK_CONTACT_EMAIL
    if not contact:
        return Result(
            kind=Kind.PERSONAL,
            outcome=Outcome.FOR_OFFICERS,
            reason="Written by a person; NETWORK_CONTACT_EMAIL is not set, so it is kept here.",
            text=incoming.text(TEXT_KEPT),
        )
    send_email(
        "mail/email/forwarded",
        to=contact,
        kind="inbox-forward",
        reply_to=incoming.sender or None,
        context={
            "sender": incoming.sender,
            "sender_name": incoming.sender_name,
            "original_subject": incoming.subject,
            "date": incoming.header("Date"),
            "text": incoming.text(TEXT_KEPT),
        },
    )
    return Result(
        kind=Kind.PERSONAL,
        outcome=Outcome.FORWARDED,
        reason=f"Forwarded to {contact}.",
    )


def _new_record(incoming):
    return InboundMessage.objects.create(
        key=incoming.key,
        message_id=incoming.message_id[:998],
        content_hash=incoming.content_hash,
        sender=incoming.sender[:254],
        subject=incoming.subject[:998],
        kind=Kind.PERSONAL,
        outcome=Outcome.IGNORED,
    )


def _apply(record, result, incoming):
    record.kind = result.kind
    record.outcome = result.outcome
    record.reason = result.reason
    record.text = result.text
    record.user = result.user or _user_by_address(incoming.sender)
    record.outgoing_email = result.outgoing_email
    if result.about is not None:
        record.about_type = ContentType.objects.get_for_model(result.about)
        record.about_id = result.about.pk
    record.save()


def _user_by_address(address):
    if not address:
        return None
    return get_user_model().objects.filter(email__iexact=address).first()


def _record_failure(incoming, error):
    record, created = InboundMessage.objects.get_or_create(
        key=incoming.key,
        defaults={
            "message_id": incoming.message_id[:998],
            "content_hash": incoming.content_hash,
            "sender": incoming.sender[:254],
            "subject": incoming.subject[:998],
            "kind": Kind.PERSONAL,
            "outcome": Outcome.FOR_OFFICERS,
            "reason": f"Could not be handled ({type(error).__name__}: {error}); please read it.",
            "text": incoming.text(TEXT_KEPT),
        },
    )
    return record, created
