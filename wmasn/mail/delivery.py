"""Sending the outbox through Django's email backend: batches over one connection, retries
that outlast an outage.

A worker claims a batch of due emails (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, then
a conditional UPDATE that marks them with its claim), opens the configured backend
(`EMAIL_BACKEND`: SMTP, or any other such as django-anymail) once, hands it the messages one
by one with `send_messages()`, and records each outcome as soon as the backend has returned.
So sending is at-least-once: a worker killed after the server took a message and before the
row was updated sends that one message again; never the batch.

- A claim is a short lease (LEASE) that the worker renews while it sends. A worker killed
  with `kill -9` stops renewing: its lease runs out within LEASE and the next minute's job
  (`mail.deliver`) sends the rest, within two minutes of the kill.
- Temporary failures (connection refused or dropped, timeout, any 4xx) wait one minute,
  then twice as long each time (at most two hours), for at least a day before the email is
  marked failed. A dropped connection costs only the message in flight: the next one
  reconnects. If the server cannot be reached at all, the rest of the batch waits.
- A permanent refusal of the recipient (5xx) fails the email with the server's reply; the
  second one for an address suppresses it until an officer clears it in the admin.
"""

import base64
import datetime as dt
import functools
import hashlib
import hmac
import logging
import re
import smtplib
import uuid
from collections import Counter, deque
from email.utils import parseaddr
from html import escape

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from . import RenderedEmail, build_message, dkim_signing
from .models import BouncedAddress, EmailContent, OutgoingEmail
from .signals import emails_attempted

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
# No other worker takes a claimed batch before its lease ends; the worker renews the lease
# whenever less than RENEW_BEFORE of it is left (every quarter of a minute or so).
LEASE = dt.timedelta(seconds=45)
RENEW_BEFORE = dt.timedelta(seconds=30)
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_RETRY = dt.timedelta(hours=2)
RETRY_FOR = dt.timedelta(hours=24)
REPLY_MAX_LENGTH = 1000

State = OutgoingEmail.State


class NothingSent(Exception):
    """The backend returned without an error but sent nothing (a `fail_silently` backend)."""


def retry_delay(attempts):
    """How long to wait after the `attempts`-th temporary failure; None once a day has passed."""
    waited = dt.timedelta(0)
    delay = FIRST_RETRY
    for _ in range(attempts - 1):
        waited += delay
        delay = min(delay * 2, LONGEST_RETRY)
    return None if waited >= RETRY_FOR else delay


class Outcome:
    """How one failed send should be treated."""

    def __init__(self, reply, *, temporary, connection_lost=False, bounced=False):
        self.reply = reply[:REPLY_MAX_LENGTH]
        self.temporary = temporary
        self.connection_lost = connection_lost
        self.bounced = bounced


def _reply(code, message):
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return f"{code} {message}".strip()


def classify(error):
    """Temporary or permanent, and whether the connection is gone, from an exception."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(error.recipients.values()), (0, str(error)))
        if 500 <= code < 600:
            return Outcome(_reply(code, message), temporary=False, bounced=True)
        return Outcome(_reply(code, message), temporary=True, connection_lost=code == 421)
    if isinstance(error, smtplib.SMTPDataError) and 500 <= error.smtp_code < 600:
        # The server refused this message for good (content, size): no point retrying it.
        return Outcome(_reply(error.smtp_code, error.smtp_error), temporary=False)
    if isinstance(error, smtplib.SMTPResponseException):
        # 4xx, or a 5xx about us (sender, authentication) that a fix in settings will cure.
        reply = _reply(error.smtp_code, error.smtp_error)
        lost = error.smtp_code == 421 or not isinstance(error, smtplib.SMTPDataError)
        return Outcome(reply, temporary=True, connection_lost=lost)
    if isinstance(error, smtplib.SMTPException | OSError):
        # Refused, dropped, timed out, TLS failed: the server is the problem, not the message.
        return Outcome(f"{type(error).__name__}: {error}", temporary=True, connection_lost=True)
    return Outcome(f"{type(error).__name__}: {error}", temporary=True)


@functools.cache
def _domain_of(address):
    return parseaddr(address)[1].rpartition("@")[2] or "localhost"


def message_id(email):
    """The same Message-ID on every try, so that mail clients can drop the rare repeat."""
    domain = _domain_of(settings.DEFAULT_FROM_EMAIL)
    return f"<wmasn.{email.pk}.{email.created_at:%Y%m%d%H%M%S}@{domain}>"


def message_for(email, content):
    """The EmailMultiAlternatives for one outbox row, with its personal values filled in
    (HTML-escaped in the HTML part)."""
    subject, text, html = content.subject, content.text, content.html
    headers = dict(content.headers)
    for marker, value in email.substitutions.items():
        subject = subject.replace(marker, value)
        text = text.replace(marker, value)
        html = html.replace(marker, escape(value))
        headers = {name: header.replace(marker, value) for name, header in headers.items()}
    headers.setdefault("Message-ID", message_id(email))
    headers.update(standard_headers(email, headers))
    alternatives, attachments = [], []
    for part in content.parts:
        if part.get("alternative"):
            alternatives.append((part["content"], part["mimetype"]))
        else:
            data = base64.b64decode(part["content"]) if part.get("base64") else part["content"]
            attachments.append((part["filename"], data, part["mimetype"]))
    return build_message(
        RenderedEmail(subject=subject, text=text, html=html),
        to=email.recipient,
        headers=headers,
        alternatives=alternatives,
        attachments=attachments,
        reply_to=content.reply_to or settings.NETWORK_CONTACT_EMAIL or None,
        envelope_from=return_path(email),
    )


def standard_headers(email, headers):
    """What the bulk senders' rules ask of every automated email (RFC 3834, RFC 2919): it was
    written by a machine, and a list a person can leave (it carries List-Unsubscribe) says
    which list it is."""
    extra = {"Auto-Submitted": "auto-generated"}
    if "List-Unsubscribe" in headers:
        list_name = (email.kind or "notices").replace(":", "-")
        extra["List-Id"] = (
            f"{settings.NETWORK_NAME} <{list_name}.{_domain_of(settings.DEFAULT_FROM_EMAIL)}>"
        )
    return extra


def _verp_mac(pk):
    return hmac.new(
        settings.SECRET_KEY.encode(), f"wmasn.bounce.{pk}".encode(), hashlib.sha256
    ).hexdigest()[:10]


def return_path(email):
    """The envelope sender: with INBOUND_ADDRESS set, a VERP address on the inbound mailbox
    (`inbound+b<id>.<mac>@domain`) so that a late bounce names the email it belongs to;
    otherwise the From address."""
    inbound = parseaddr(settings.INBOUND_ADDRESS)[1]
    if not inbound or email.pk is None:
        return settings.DEFAULT_FROM_EMAIL
    local, _, domain = inbound.rpartition("@")
    return f"{local}+b{email.pk}.{_verp_mac(email.pk)}@{domain}"


_VERP = re.compile(r"\+b(\d+)\.([0-9a-f]{10})@", re.I)


def email_from_return_path(address):
    """The OutgoingEmail id a VERP address names (checked against its MAC), or None."""
    match = _VERP.search(address or "")
    if not match:
        return None
    pk = int(match.group(1))
    return pk if hmac.compare_digest(match.group(2).lower(), _verp_mac(pk)) else None


def claim_batch(size=BATCH_SIZE, *, now=None):
    """Take up to `size` due emails for this worker alone; returns (claim, lease_until, rows)."""
    now = now or timezone.now()
    claim = uuid.uuid4().hex
    lease_until = now + LEASE
    with transaction.atomic():
        due = OutgoingEmail.objects.due(now)
        ids = list(
            due.select_for_update(skip_locked=True)
            .order_by("next_try_at", "pk")
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return claim, lease_until, []
        # Conditional, so that on SQLite (no row locks) two workers still never share a row.
        due.filter(pk__in=ids).update(state=State.SENDING, claim=claim, lease_until=lease_until)
    rows = list(
        OutgoingEmail.objects.filter(claim=claim, state=State.SENDING).order_by("next_try_at", "pk")
    )
    return claim, lease_until, rows


def renew_lease(claim, rows, *, now=None):
    """Extend this worker's claim on `rows`; returns (lease_until, the rows still its own).
    A worker that stalled past its lease may have lost some to another: it leaves those."""
    now = now or timezone.now()
    lease_until = now + LEASE
    ids = [row.pk for row in rows]
    mine = OutgoingEmail.objects.filter(claim=claim, state=State.SENDING, pk__in=ids)
    if mine.update(lease_until=lease_until) < len(rows):
        kept = set(mine.values_list("pk", flat=True))
        rows = [row for row in rows if row.pk in kept]
    return lease_until, rows


def _record_sent(claim, email, now):
    """The one write per message, the moment the backend has sent it."""
    OutgoingEmail.objects.filter(pk=email.pk, claim=claim).update(
        state=State.SENT,
        sent_at=now,
        attempts=F("attempts") + 1,
        last_reply="",
        claim="",
        lease_until=None,
    )


def _record_failure(claim, emails, outcome, now):
    """One failed try for each of `emails`: retried later, or failed for good."""
    by_attempts = {}
    for email in emails:
        by_attempts.setdefault(email.attempts + 1, []).append(email.pk)
    failed = 0
    for attempts, ids in by_attempts.items():
        delay = retry_delay(attempts) if outcome.temporary else None
        changes = {
            "attempts": attempts,
            "last_reply": outcome.reply,
            "claim": "",
            "lease_until": None,
        }
        if delay is None:
            changes["state"] = State.FAILED
            failed += len(ids)
        else:
            changes.update(state=State.PENDING, next_try_at=now + delay)
        OutgoingEmail.objects.filter(claim=claim, pk__in=ids).update(**changes)
    if outcome.bounced:
        for email in emails:
            record_bounce(email.recipient, outcome.reply, now=now)
    return failed


def record_bounce(address, reply, *, now=None):
    """Count a permanent refusal of `address`; the second one suppresses it."""
    now = now or timezone.now()
    address = address.lower()
    changes = {"permanent_failures": F("permanent_failures") + 1, "last_reply": reply}
    if BouncedAddress.objects.filter(address=address).update(last_failed_at=now, **changes):
        return
    try:
        with transaction.atomic():
            BouncedAddress.objects.create(
                address=address,
                permanent_failures=1,
                last_reply=reply,
                first_failed_at=now,
                last_failed_at=now,
            )
    except IntegrityError:  # Another worker created it a moment ago.
        BouncedAddress.objects.filter(address=address).update(last_failed_at=now, **changes)


def suppress(address, reply, *, now=None):
    """Put `address` on the suppression list now (a bounce that came back later, by mail)."""
    from .models import SUPPRESS_AFTER

    now = now or timezone.now()
    record_bounce(address, reply, now=now)
    BouncedAddress.objects.filter(
        address=address.lower(), permanent_failures__lt=SUPPRESS_AFTER
    ).update(permanent_failures=SUPPRESS_AFTER)


def record_late_failure(email, reply, *, hard):
    """An email the server took and that bounced later (a delivery status notification):
    it failed, with the reason; a hard bounce suppresses its address."""
    OutgoingEmail.objects.filter(pk=email.pk).update(
        state=State.FAILED, last_reply=reply[:REPLY_MAX_LENGTH], claim="", lease_until=None
    )
    if hard:
        suppress(email.recipient, reply[:REPLY_MAX_LENGTH])


def email_for_message_id(value):
    """The OutgoingEmail whose Message-ID (`message_id()`) this is, or None."""
    match = re.search(r"wmasn\.(\d+)\.(\d{14})@", value or "")
    if not match:
        return None
    email = OutgoingEmail.objects.filter(pk=int(match.group(1))).first()
    if email is None or message_id(email).strip("<>") not in value:
        return None
    return email


def _drop_suppressed(claim, rows):
    """Mark emails to suppressed addresses as such; returns the rest."""
    addresses = {row.recipient.lower() for row in rows}
    suppressed = set(
        BouncedAddress.objects.suppressed()
        .filter(address__in=addresses)
        .values_list("address", flat=True)
    )
    if not suppressed:
        return rows, 0
    dropped = [row.pk for row in rows if row.recipient.lower() in suppressed]
    OutgoingEmail.objects.filter(claim=claim, pk__in=dropped).update(
        state=State.SUPPRESSED,
        claim="",
        lease_until=None,
        last_reply="Not sent: this address bounced; an officer can clear it in the admin.",
    )
    return [row for row in rows if row.recipient.lower() not in suppressed], len(dropped)


def _close_quietly(connection):
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - a broken connection may fail to close; it is gone anyway
        logger.debug("Closing the mail connection failed", exc_info=True)


class _Sender:
    """One run of the worker: one backend connection, reopened only when it drops."""

    def __init__(self, connection):
        self.connection = connection
        self.is_open = False
        self.contents = {}  # EmailContent by id: a newsletter's thousands share one.
        self.counts = Counter()

    def close(self):
        if self.is_open:
            _close_quietly(self.connection)
            self.is_open = False

    def send_batch(self, claim, lease_until, rows):
        """Send one claimed batch; False when the server cannot be reached (stop for now)."""
        rows, suppressed = _drop_suppressed(claim, rows)
        self.counts["suppressed"] += suppressed
        missing = {row.content_id for row in rows} - self.contents.keys()
        if missing:
            self.contents.update(EmailContent.objects.in_bulk(missing))
        waiting = deque(rows)
        while waiting:
            now = timezone.now()
            if now >= lease_until - RENEW_BEFORE:
                lease_until, kept = renew_lease(claim, waiting, now=now)
                waiting = deque(kept)
                if not waiting:
                    break
            if not self.is_open:
                try:
                    self.connection.open()
                    self.is_open = True
                except Exception as error:  # noqa: BLE001 - any failure to connect waits
                    outcome = classify(error)
                    logger.warning("Mail server unavailable: %s", outcome.reply)
                    failed = _record_failure(claim, waiting, outcome, now)
                    self.counts["failed"] += failed
                    self.counts["deferred"] += len(waiting) - failed
                    return False
            self.send_one(claim, waiting.popleft())
        return True

    def send_one(self, claim, email):
        try:
            message = message_for(email, self.contents[email.content_id])
            if not self.connection.send_messages([message]):
                raise NothingSent("The email backend sent nothing.")
        except Exception as error:  # noqa: BLE001 - every failure is recorded for a retry
            outcome = classify(error)
            logger.warning("Email %s to %s: %s", email.pk, email.recipient, outcome.reply)
            failed = _record_failure(claim, [email], outcome, timezone.now())
            self.counts["failed" if failed else "deferred"] += 1
            if outcome.connection_lost:
                self.close()
        else:
            _record_sent(claim, email, timezone.now())
            self.counts["sent"] += 1


def mail_connection():
    """The configured email backend, signing with DKIM when a key is set."""
    connection = get_connection()
    if dkim_signing.is_enabled():
        return dkim_signing.DKIMBackend(connection)
    return connection


def deliver_due(*, batch_size=BATCH_SIZE, connection=None, max_batches=None):
    """Send every due email, batch after batch; returns counts by outcome."""
    sender = _Sender(connection or mail_connection())
    batches = 0
    _commit_without_waiting_for_disk(True)
    try:
        while max_batches is None or batches < max_batches:
            claim, lease_until, rows = claim_batch(batch_size)
            if not rows:
                break
            batches += 1
            try:
                reachable = sender.send_batch(claim, lease_until, rows)
            finally:
                emails_attempted.send_robust(sender=OutgoingEmail, ids=[row.pk for row in rows])
            if not reachable:
                break
    finally:
        sender.close()
        _commit_without_waiting_for_disk(False)
    return sender.counts


def _commit_without_waiting_for_disk(on):
    """On PostgreSQL, the worker's writes commit without waiting for the disk (each message's
    "sent" is its own commit). A killed worker loses nothing by it: the database has every
    commit. Only a crash of PostgreSQL itself could forget the last moment of "sent" marks,
    and then those messages go again: still at least once."""
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF" if on else "RESET synchronous_commit")


def retry(emails):
    """Send failed or suppressed emails again now (an officer's action); returns how many."""
    from . import deliver_after_commit

    count = emails.filter(state__in=[State.FAILED, State.SUPPRESSED]).update(
        state=State.PENDING, attempts=0, next_try_at=timezone.now(), last_reply=""
    )
    if count:
        deliver_after_commit()
    return count


def cancel_emails(ids):
    """Do not send these after all (their recipient left); those already sent stay."""
    OutgoingEmail.objects.filter(pk__in=list(ids), state=State.PENDING).delete()


def clear_suppression(addresses):
    """Let mail reach these addresses again: forget their bounces, retry what was suppressed."""
    addresses = {address.lower() for address in addresses}
    cleared, _ = BouncedAddress.objects.filter(address__in=addresses).delete()
    suppressed = OutgoingEmail.objects.alias(address=Lower("recipient")).filter(
        state=State.SUPPRESSED, address__in=addresses
    )
    retry(suppressed)
    return cleared
