"""The outbox, the addresses that bounce, and what the inbound mailbox brought."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

# An address whose server has refused it this many times gets no more mail until cleared.
SUPPRESS_AFTER = 2


class EmailContent(models.Model):
    """What an email says, stored once however many recipients it goes to."""

    subject = models.TextField()
    text = models.TextField()
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # Extra parts: {"alternative": true, "content", "mimetype"} or
    # {"filename", "content", "mimetype", "base64": bool} for attachments.
    parts = models.JSONField(default=list, blank=True)
    reply_to = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "email content"

    def __str__(self):
        return self.subject


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self, now=None):
        """Waiting and due now, or claimed by a worker whose lease ran out (it died)."""
        now = now or timezone.now()
        return self.filter(
            Q(state=OutgoingEmail.State.PENDING, next_try_at__lte=now)
            | Q(state=OutgoingEmail.State.SENDING, lease_until__lt=now)
        )

    def waiting(self):
        return self.filter(state__in=[OutgoingEmail.State.PENDING, OutgoingEmail.State.SENDING])


class OutgoingEmail(models.Model):
    """One email to one address, from the moment it is written until the server takes it."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SUPPRESSED = "suppressed", "Suppressed (address bounces)"

    kind = models.CharField(max_length=60, blank=True, db_index=True)
    recipient = models.CharField(max_length=254, db_index=True)
    content = models.ForeignKey(EmailContent, on_delete=models.PROTECT, related_name="emails")
    # {placeholder: value} replaced in the content for this recipient (an unsubscribe link).
    substitutions = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(default=timezone.now)
    # A worker's claim: the batch it took, and until when no other worker may take it.
    claim = models.CharField(max_length=32, blank=True, db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_reply = models.TextField(blank=True, help_text="The mail server's last answer.")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        verbose_name = "outgoing email"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_try_at"], name="outgoing_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "sending", "sent", "failed", "suppressed"]),
                name="outgoing_state_valid",
            ),
        ]

    def __str__(self):
        return f"{self.kind or 'email'} → {self.recipient}"


class BouncedAddressQuerySet(models.QuerySet):
    def suppressed(self):
        return self.filter(permanent_failures__gte=SUPPRESS_AFTER)


class BouncedAddress(models.Model):
    """An address a mail server refused for good (5xx); suppressed once it happens again."""

    address = models.CharField(max_length=254, unique=True)
    permanent_failures = models.PositiveIntegerField(default=0)
    last_reply = models.TextField(blank=True)
    first_failed_at = models.DateTimeField(default=timezone.now)
    last_failed_at = models.DateTimeField(default=timezone.now)

    objects = BouncedAddressQuerySet.as_manager()

    class Meta:
        verbose_name = "bounced address"
        verbose_name_plural = "bounced addresses"
        ordering = ["-last_failed_at"]

    def __str__(self):
        return self.address

    @property
    def is_suppressed(self):
        return self.permanent_failures >= SUPPRESS_AFTER


class InboundMessageQuerySet(models.QuerySet):
    def waiting_for_officers(self):
        """Messages kept for officers to read (a proposed new time, a person's words with
        nobody to forward them to, one that could not be handled) not yet marked dealt
        with: the chair's desk counts them."""
        return self.filter(outcome=InboundMessage.Outcome.FOR_OFFICERS, dealt_with_at__isnull=True)


class InboundMessage(models.Model):
    """One message read from the inbound mailbox: what it was and what it changed.

    `key` (its Message-ID, or a hash of its bytes when it has none) is unique: the row is
    written before anything is acted on, in the same transaction, so each message is
    handled once however many workers read the mailbox, and across restarts.
    """

    class Kind(models.TextChoices):
        INVITATION_REPLY = "invitation-reply", "Invitation answer"
        COUNTER = "counter", "Proposed new time"
        BOUNCE = "bounce", "Bounce"
        DELAY = "delay", "Delay notice"
        AUTO_REPLY = "auto-reply", "Automatic reply"
        PERSONAL = "personal", "Written by a person"

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        REFUSED = "refused", "Changed nothing"
        IGNORED = "ignored", "Recorded only"
        FORWARDED = "forwarded", "Forwarded"
        FOR_OFFICERS = "for-officers", "For officers to read"

    key = models.CharField(max_length=255, unique=True)
    message_id = models.CharField(max_length=998, blank=True)
    content_hash = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    sender = models.CharField(max_length=254, blank=True, db_index=True)
    subject = models.CharField(max_length=998, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.TextField(blank=True, help_text="What it changed, or why it changed nothing.")
    # What a person wrote (kept for officers when there is nobody to forward it to) or a
    # proposed new time; forgotten with the rest of their data.
    text = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )
    outgoing_email = models.ForeignKey(
        OutgoingEmail,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )
    # What it was about (a meeting), whatever app that is: the mail layer knows no events.
    about_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    dealt_with_at = models.DateTimeField(
        "dealt with",
        null=True,
        blank=True,
        help_text="When an officer marked a message for officers as dealt with; until then "
        "the chair's desk lists it.",
    )

    objects = InboundMessageQuerySet.as_manager()

    class Meta:
        verbose_name = "inbound message"
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "invitation-reply",
                        "counter",
                        "bounce",
                        "delay",
                        "auto-reply",
                        "personal",
                    ]
                ),
                name="inbound_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.sender or 'unknown'}"
