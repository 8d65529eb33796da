"""Erasing a person from the outbox when their account is deleted (network.privacy calls it).

The delete page promises that their name and email address are removed. So what was written
to them alone (a reminder that greets them and names their agency) loses its subject and
bodies; any other stored email that names them (a newsletter, an officer's notice of their
request) keeps its words but not their full name or address; and their own rows keep only
what counts them (kind, state, dates), addressed to the account's tombstone. What they sent
to the inbound mailbox keeps what it was and what it changed, and nothing that names them.
"""

import hashlib
import re
from html import escape

from django.db import transaction
from django.db.models import Q

from .models import EmailContent, InboundMessage, OutgoingEmail

ERASED_SUBJECT = "(erased: the recipient's account was deleted)"
REPLACEMENT = "[deleted account]"


@transaction.atomic
def erase_recipient(emails, *, tombstone_email, full_name="", addresses=()):
    """Erase a deleted account from the outbox: `emails` are theirs (an OutgoingEmail
    QuerySet); `full_name` and `addresses` are what named them."""
    State = OutgoingEmail.State
    mine = list(emails.values_list("pk", "content_id"))
    ids = [pk for pk, _ in mine]
    OutgoingEmail.objects.filter(pk__in=ids, state__in=[State.PENDING, State.SENDING]).update(
        state=State.FAILED,
        claim="",
        lease_until=None,
        last_reply="Not sent: the account was deleted.",
    )
    OutgoingEmail.objects.filter(pk__in=ids).update(recipient=tombstone_email, substitutions={})

    contents = {content_id for _, content_id in mine}
    shared = set(
        OutgoingEmail.objects.filter(content_id__in=contents)
        .exclude(pk__in=ids)
        .values_list("content_id", flat=True)
    )
    EmailContent.objects.filter(pk__in=contents - shared).update(
        subject=ERASED_SUBJECT, text="", html="", headers={}, parts=[], reply_to=""
    )
    # A full name of one word alone ("Sam") would match too much of what others wrote.
    _scrub_everywhere([full_name, *addresses] if " " in full_name.strip() else list(addresses))
    for address in addresses:
        EmailContent.objects.filter(reply_to__iexact=address).update(reply_to="")


def _scrub_everywhere(names):
    """Replace each of `names` (as written, or HTML-escaped) in every stored email."""
    names = [name.strip() for name in names if name and name.strip()]
    if not names:
        return
    variants = sorted({form for name in names for form in (name, escape(name))}, key=len)
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(v) for v in reversed(variants)) + r")(?!\w)", re.I
    )
    fields = ("subject", "text", "html")
    naming = Q()
    for variant in variants:
        for field in fields:
            naming |= Q(**{f"{field}__icontains": variant})
    for content in EmailContent.objects.filter(naming):
        for field in fields:
            setattr(content, field, pattern.sub(REPLACEMENT, getattr(content, field)))
        content.save(update_fields=fields)


@transaction.atomic
def erase_inbound(*, user, tombstone_email, full_name="", addresses=()):
    """Forget what a deleted account sent to the inbound mailbox: each record keeps what it
    was and what it changed, without their address, name, subject or words."""
    addresses = [address.lower() for address in addresses if address]
    theirs = InboundMessage.objects.filter(Q(user=user) | Q(sender__in=addresses))
    names = [name for name in [full_name.strip(), *addresses] if name]
    pattern = (
        re.compile("|".join(re.escape(name) for name in sorted(names, key=len, reverse=True)), re.I)
        if names
        else None
    )
    for message in theirs:
        message.key = "erased:" + hashlib.sha256(message.key.encode()).hexdigest()
        message.message_id = ""
        message.sender = tombstone_email
        message.subject = ERASED_SUBJECT
        message.text = ""
        message.user = None
        if pattern is not None:
            message.reason = pattern.sub(REPLACEMENT, message.reason)
        message.save()
