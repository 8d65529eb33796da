import base64
import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from wmasn.changes import SignallingQuerySet
from wmasn.uploads import StoredDocument
from wmasn.validation import BoundedTextField, RejectsNulBytes

# A cancelled event stays in feeds this long after its date, so calendar apps see it cancelled.
CANCELLED_KEPT_IN_FEEDS = timedelta(days=30)


def new_event_uid():
    return f"{uuid.uuid4()}@wmasn-portal"


class Venue(RejectsNulBytes, models.Model):
    """A meeting place; its name and address are shown to members only."""

    name = models.CharField(max_length=200)
    address = BoundedTextField(max_length=500)
    postcode = models.CharField(max_length=10)
    host_agency = models.ForeignKey(
        "network.Agency",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_venues",
    )
    town = models.CharField(
        max_length=100,
        blank=True,
        help_text=(
            "Public, unlike the rest of the venue: meeting titles and lists name it "
            '("Network meeting, Oldbury"). Leave it out of the address lines.'
        ),
    )
    access_notes = BoundedTextField(max_length=1000, blank=True)
    capacity = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Places for members; answers past it join a waiting list. Blank: no limit.",
    )

    # Bulk writes say so, for the cached feeds (wmasn.changes).
    objects = SignallingQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gt=0),
                name="venue_capacity_positive",
            ),
        ]

    def __str__(self):
        return f"{self.name}, {self.town}" if self.town else self.name

    @property
    def full_address(self):
        lines = [self.name, *[ln.strip() for ln in self.address.splitlines() if ln.strip()]]
        if self.town and self.town.casefold() not in {line.casefold() for line in lines}:
            lines.append(self.town)
        return ", ".join([*lines, self.postcode])


def meeting_title(base, venue):
    """The title with the venue's town, to tell meetings apart: "Network meeting, Oldbury"."""
    return f"{base}, {venue.town}" if venue is not None and venue.town else base


def retitled_for_venue(title, old_venue, new_venue):
    """The title after the venue changed: the old town, if the title ends with it, replaced."""
    base = title
    if old_venue is not None and old_venue.town and title.endswith(f", {old_venue.town}"):
        base = title.removesuffix(f", {old_venue.town}")
    return meeting_title(base, new_venue)


class EventQuerySet(SignallingQuerySet):
    def upcoming(self, now=None):
        return self.filter(ends_at__gte=now or timezone.now()).order_by("starts_at", "pk")

    def past(self, now=None):
        return self.filter(ends_at__lt=now or timezone.now()).order_by("-starts_at", "-pk")

    def scheduled(self):
        return self.filter(status=Event.Status.SCHEDULED)

    def waiting_to_be_announced(self):
        """New events whose announcement the worker has not sent yet (events/tasks.py)."""
        return self.filter(announcement_queued_at__isnull=False)

    def record_announcement(self, announced_at):
        """Take these events off the announcement queue: announced at `announced_at`, or
        None when skipped (cancelled or over first). Bookkeeping, not a change to the event:
        `updated_at`, which calendar feeds show as LAST-MODIFIED, stays as it was."""
        return models.QuerySet.update(self, announcement_queued_at=None, announced_at=announced_at)

    def in_feeds(self, now=None):
        """Events calendar feeds carry: cancelled ones only until 30 days after their date,
        and no future meetings of closed working groups."""
        now = now or timezone.now()
        from network.models import WorkingGroup

        keep_cancelled_after = now - CANCELLED_KEPT_IN_FEEDS
        return self.exclude(
            status=Event.Status.CANCELLED, ends_at__lt=keep_cancelled_after
        ).exclude(working_group__status=WorkingGroup.Status.CLOSED, starts_at__gte=now)

    def in_personal_feed(self, user):
        """Events for this user's personal feed: every event without a working group, and
        those of groups the user belongs to and chose to show in their calendar."""
        from network.models import GroupMembership

        chosen_groups = GroupMembership.objects.filter(user=user, show_in_calendar=True).values(
            "group_id"
        )
        return self.filter(
            models.Q(working_group__isnull=True) | models.Q(working_group__in=chosen_groups)
        )


class Event(RejectsNulBytes, models.Model):
    """A network meeting, conference, workshop or other date in the network's calendar."""

    class Kind(models.TextChoices):
        NETWORK_MEETING = "meeting", "Network meeting"
        CONFERENCE = "conference", "Conference"
        WORKSHOP = "workshop", "Workshop"
        EXERCISE = "exercise", "Exercise"
        AWARENESS_DAY = "awareness", "Awareness day"
        EXTERNAL = "external", "External event"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    # Changing any of these moves the event in a calendar, so the sequence rises.
    SEQUENCED_FIELDS = ("starts_at", "ends_at", "all_day", "venue_id", "status")

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.NETWORK_MEETING)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = BoundedTextField(
        max_length=5000,
        blank=True,
        help_text="Public: visitors see it. Where the event is belongs in its venue.",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    all_day = models.BooleanField(
        default=False, help_text="All-day events show as dates, without times."
    )
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    online_url = models.URLField(
        "online joining link", blank=True, max_length=500, help_text="Shown to members only."
    )
    organiser = models.ForeignKey(
        "network.Agency",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organised_events",
    )
    working_group = models.ForeignKey(
        "network.WorkingGroup",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    invites_members = models.BooleanField(
        "invite every member",
        default=False,
        help_text=(
            "Email every member about this event. Network meetings always invite every member "
            "and a working group's meetings invite that group's members."
        ),
    )
    registration_url = models.URLField(blank=True, max_length=500)
    registration_deadline = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancellation_reason = BoundedTextField(
        max_length=1000, blank=True, help_text="Public: visitors see it."
    )
    # A new event is announced by the worker, after the officer's request (events/tasks.py).
    announcement_queued_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set while the announcement of this new event waits for the worker.",
    )
    announced_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When members were emailed about it."
    )
    sequence = models.PositiveIntegerField(default=0, editable=False)
    uid = models.CharField(max_length=255, unique=True, default=new_event_uid, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(status="scheduled") | ~models.Q(cancellation_reason=""),
                name="event_cancellation_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["scheduled", "cancelled"]),
                name="event_status_valid",
            ),
        ]
        # Measured in docs/indexes.md: the lists and feeds order by start and filter by end.
        indexes = [
            models.Index(fields=["starts_at"], name="event_starts_at_idx"),
            models.Index(fields=["ends_at"], name="event_ends_at_idx"),
            # The minute job looks for waiting announcements: a handful of rows at most.
            models.Index(
                fields=["announcement_queued_at"],
                condition=models.Q(announcement_queued_at__isnull=False),
                name="event_announcement_queue_idx",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.starts_at):%d %b %Y})"

    def save(self, *args, **kwargs):
        loaded = getattr(self, "_loaded_values", None)
        if (
            self.pk
            and loaded
            and any(getattr(self, name) != value for name, value in loaded.items())
        ):
            self.sequence += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "sequence", "updated_at"}
        super().save(*args, **kwargs)
        self._loaded_values = {name: getattr(self, name) for name in self.SEQUENCED_FIELDS}

    def get_absolute_url(self):
        return reverse("events:event-detail", args=[self.slug])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = {
            name: getattr(instance, name)
            for name in cls.SEQUENCED_FIELDS
            if name.removesuffix("_id") in field_names or name in field_names
        }
        return instance

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    def changed_since(self, previous):
        """The sequenced fields (time, venue, status) that differ from `previous`."""
        return [
            name for name in self.SEQUENCED_FIELDS if getattr(self, name) != getattr(previous, name)
        ]

    def invited(self):
        """The people this event invites, the one rule every notice uses: a working group's
        meetings invite that group's current members; network meetings, and events marked
        "invite every member", invite every member and officer; other events nobody."""
        from network.models import GroupMembership, User

        if self.working_group_id:
            in_group = GroupMembership.objects.current().filter(group_id=self.working_group_id)
            return User.objects.filter(is_active=True, pk__in=in_group.values("user_id"))
        if self.kind == self.Kind.NETWORK_MEETING or self.invites_members:
            return User.objects.in_network()
        return User.objects.none()

    @property
    def capacity(self):
        """Places: the registration's own capacity when registration is set up, else the
        venue's (None: no limit)."""
        registration = self.registration_settings
        if registration is not None:
            return registration.capacity
        return self.venue.capacity if self.venue_id else None

    @property
    def registration_settings(self):
        """The event's RegistrationSettings, or None when it has no registration."""
        try:
            return self.registration
        except models.ObjectDoesNotExist:
            return None

    def accepts_rsvps(self, now=None):
        """Members answer only for scheduled events that have not yet ended."""
        return not self.is_cancelled and self.ends_at >= (now or timezone.now())

    def cancel(self, reason):
        """Mark the event cancelled; it stays listed and its sequence rises."""
        self.status = self.Status.CANCELLED
        self.cancellation_reason = reason
        self.save()


class RSVPQuerySet(models.QuerySet):
    def attending(self):
        """Those with a place: members who said so, and guests who confirmed their email."""
        return self.filter(answer=RSVP.Answer.ATTENDING).counted()

    def ticketed(self):
        """Places at events people register for: each holds a ticket, and the day before
        gets registration's reminder (events/registration/jobs.py), not a meeting one."""
        return self.attending().filter(event__registration__isnull=False)

    def counted(self):
        """Members' answers, and guests' once they confirmed their email; an unconfirmed
        guest holds no place and is on no list."""
        return self.filter(models.Q(user__isnull=False) | models.Q(confirmed_at__isnull=False))

    def unconfirmed(self):
        return self.filter(user__isnull=True, confirmed_at__isnull=True)

    def holding_places(self, now=None):
        """Those a place is kept for: attending, or offered a place and still in time."""
        now = now or timezone.now()
        return self.counted().filter(
            models.Q(answer=RSVP.Answer.ATTENDING)
            | models.Q(answer=RSVP.Answer.WAITING, offer_expires_at__gt=now)
        )

    def guests(self):
        return self.filter(user__isnull=True)

    def with_ticket_code(self, code):
        """The registration a typed ticket code names (case and dashes do not matter)."""
        code = normalise_ticket_code(code)
        return self.filter(ticket_code=code) if code else self.none()

    def waiting(self):
        """The waiting list, first come first served."""
        return self.filter(answer=RSVP.Answer.WAITING).counted().order_by("waiting_since", "pk")

    def from_agencies_of(self, user):
        """Answers by approved members of the agencies this user is an approved member of."""
        from network.models import Membership

        if not user.is_authenticated:
            return self.none()
        colleagues = Membership.objects.approved().filter(agency_id__in=user.approved_agency_ids)
        return self.filter(user_id__in=colleagues.values("user_id"))


# A ticket's typed code: 8 characters without look-alikes (no 0/O, 1/I/L), shown as XXXX-XXXX.
TICKET_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TICKET_CODE_LENGTH = 8


def new_ticket_code():
    return "".join(secrets.choice(TICKET_CODE_ALPHABET) for _ in range(TICKET_CODE_LENGTH))


def new_ticket_secret():
    """The secret in a ticket page's address: it stands in for a login."""
    return secrets.token_urlsafe(24)


def normalise_ticket_code(code):
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:TICKET_CODE_LENGTH]


class RSVP(RejectsNulBytes, models.Model):
    """A member's answer for an event, and a registration for it: a member's registration is
    their RSVP (one record, one rule); a guest's has no user but a name and an email, and
    counts only once they confirmed it by the emailed link."""

    class Answer(models.TextChoices):
        ATTENDING = "attending", "Attending"
        APOLOGIES = "apologies", "Apologies"
        WAITING = "waiting", "Waiting list"
        # Only from a calendar's "Tentative" (events.replies): shown, never counted as coming.
        TENTATIVE = "tentative", "Tentative"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rsvps",
        help_text="The member; blank for a guest's registration.",
    )
    answer = models.CharField(max_length=10, choices=Answer.choices)
    waiting_since = models.DateTimeField(
        null=True, blank=True, help_text="When the member joined the waiting list."
    )
    # Registration (events/registration/): a guest's details, the answers and the ticket.
    guest_name = models.CharField(max_length=200, blank=True)
    guest_email = models.EmailField(
        max_length=254, blank=True, help_text="A guest's address, stored in lower case."
    )
    organisation = models.CharField(max_length=200, blank=True)
    job_role = models.CharField(max_length=200, blank=True)
    dietary_needs = BoundedTextField(max_length=500, blank=True)
    access_needs = BoundedTextField(max_length=500, blank=True)
    photo_consent = models.BooleanField(null=True, blank=True)
    photo_consent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the photo consent was given or refused."
    )
    answers = models.JSONField(
        default=dict, blank=True, help_text="Answers to the event's own questions, by id."
    )
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a guest confirmed by the emailed link."
    )
    # Blank until a registration issues a ticket (a meeting's RSVP has none).
    ticket_code = models.CharField(max_length=TICKET_CODE_LENGTH, blank=True)
    ticket_secret = models.CharField(max_length=64, blank=True, editable=False)
    offer_expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A place offered from the waiting list is kept until then for acceptance.",
    )
    reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the day-before reminder of a registration went."
    )
    certificate_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the link to the certificate of attendance went."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RSVPQuerySet.as_manager()

    class Meta:
        verbose_name = "RSVP"
        ordering = ["event", "user"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="rsvp_one_per_event"),
            models.CheckConstraint(
                condition=models.Q(answer__in=["attending", "apologies", "waiting", "tentative"]),
                name="rsvp_answer_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(answer="waiting") | models.Q(waiting_since__isnull=False),
                name="rsvp_waiting_has_time",
            ),
            # A member's is theirs; a guest's has an email (blanked only by erasure).
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, guest_email="")
                | models.Q(user__isnull=True),
                name="rsvp_member_or_guest",
            ),
            models.UniqueConstraint(
                fields=["event", "guest_email"],
                condition=models.Q(user__isnull=True, confirmed_at__isnull=False)
                & ~models.Q(guest_email=""),
                name="rsvp_one_per_confirmed_guest",
            ),
            models.UniqueConstraint(
                fields=["ticket_code"],
                condition=~models.Q(ticket_code=""),
                name="rsvp_ticket_code_unique",
            ),
            models.UniqueConstraint(
                fields=["ticket_secret"],
                condition=~models.Q(ticket_secret=""),
                name="rsvp_ticket_secret_unique",
            ),
        ]
        indexes = [
            # The expiry jobs look for unconfirmed guests and running offers: a handful.
            models.Index(
                fields=["created_at"],
                condition=models.Q(user__isnull=True, confirmed_at__isnull=True),
                name="rsvp_unconfirmed_idx",
            ),
            models.Index(
                fields=["offer_expires_at"],
                condition=models.Q(offer_expires_at__isnull=False),
                name="rsvp_offer_idx",
            ),
        ]

    def __str__(self):
        return f"{self.name} — {self.event}: {self.get_answer_display()}"

    @property
    def is_guest(self):
        return self.user_id is None

    @property
    def name(self):
        if self.user_id:
            return self.user.get_full_name() or self.user.email
        return self.guest_name or "(erased)"

    @property
    def email(self):
        return self.user.email if self.user_id else self.guest_email

    @property
    def is_confirmed(self):
        return self.user_id is not None or self.confirmed_at is not None

    @property
    def formatted_ticket_code(self):
        code = self.ticket_code or ""
        return f"{code[:4]}-{code[4:]}" if code else ""

    def issue_ticket(self):
        """Give this registration its typed code and its page's secret, if it has none."""
        if not self.ticket_code:
            self.ticket_code = new_ticket_code()
        if not self.ticket_secret:
            self.ticket_secret = new_ticket_secret()

    def waiting_position(self):
        """Where this answer stands on its event's waiting list (1 is next for a place)."""
        return (
            RSVP.objects.waiting()
            .filter(event_id=self.event_id, waiting_since__lte=self.waiting_since)
            .count()
        )


class Attendance(models.Model):
    """Someone who came to an event, recorded by an officer afterwards."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attendances",
        help_text="The member; blank for a guest checked in from their registration.",
    )
    # Checked in at the door from a registration (events/registration/checkin.py).
    registration = models.OneToOneField(
        RSVP,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attendance",
    )
    # The agency they came for, kept as it was on the day so the figures do not move later.
    agency = models.ForeignKey(
        "network.Agency",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attendances",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "attendance"
        ordering = ["event", "user"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="attendance_once_per_event"),
        ]

    def __str__(self):
        who = self.user if self.user_id else (self.registration or "a guest")
        return f"{who} at {self.event}"


class EventDocument(RejectsNulBytes, StoredDocument):
    """An event's agenda, a paper or its minutes: members only, served by an access check."""

    class Kind(models.TextChoices):
        AGENDA = "agenda", "Agenda"
        PAPER = "paper", "Paper"
        MINUTES = "minutes", "Minutes"

    upload_directory = "meeting-papers"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PAPER)
    title = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Listed in this order (smaller first)."
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["agenda", "paper", "minutes"]),
                name="event_document_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    def get_absolute_url(self):
        return reverse("events:document", args=[self.event.slug, self.pk, self.filename])


class SentReminder(models.Model):
    """A reminder emailed to one person for one meeting; the constraint makes sending idempotent."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sent_reminders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_reminders"
    )
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user", "days_before"], name="reminder_once_per_user"
            ),
        ]

    def __str__(self):
        return f"{self.days_before}-day reminder of {self.event} to {self.user}"


class EventNoticeQuerySet(models.QuerySet):
    def pending(self):
        """Notices the worker has not sent yet (events/tasks.py)."""
        return self.filter(sent_at__isnull=True)


class EventNotice(models.Model):
    """What happened to an event that people must be told about, recorded in the request
    that changed it (events/services.py); the worker renders and sends the emails and sets
    `sent_at` in the same transaction, so a notice is sent once (events/tasks.py)."""

    class Kind(models.TextChoices):
        CHANGED = "changed", "Time, venue or status changed"
        CANCELLED = "cancelled", "Cancelled"
        WAITING = "waiting", "Joined the waiting list"
        PLACE_GIVEN = "place-given", "Given a place from the waiting list"
        PLACE_RELEASED = "place-released", "Place passed on to someone waiting"

    # Told to one person (the user); the others go to everyone the event invites.
    PERSONAL = (Kind.WAITING, Kind.PLACE_GIVEN, Kind.PLACE_RELEASED)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="event_notices",
    )
    sequence = models.PositiveIntegerField(help_text="The event's sequence after the change.")
    changed_fields = models.JSONField(
        default=list, blank=True, help_text="Which of time, venue and status changed."
    )
    venue_confirmed = models.BooleanField(
        default=False, help_text="The venue was to be confirmed before this change."
    )
    announced = models.BooleanField(
        default=True,
        help_text="Those invited had been told of the event when it changed (not still "
        "waiting for its announcement).",
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the worker emailed it (or found nothing due)."
    )

    objects = EventNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["changed", "cancelled", "waiting", "place-given", "place-released"]
                ),
                name="event_notice_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["changed", "cancelled"], user__isnull=True)
                | models.Q(
                    kind__in=["waiting", "place-given", "place-released"], user__isnull=False
                ),
                name="event_notice_personal_has_user",
            ),
        ]
        indexes = [
            # The worker and the minute job look for pending notices: a handful at most.
            models.Index(
                fields=["recorded_at"],
                condition=models.Q(sent_at__isnull=True),
                name="event_notice_pending_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.event}"


def hash_calendar_token(raw_token):
    return hashlib.sha256(raw_token.encode()).hexdigest()


# A link's token is the nonce (32 hex digits, which finds the row) followed by the HMAC
# of the user and nonce (43 characters of URL-safe base64), which proves it.
NONCE_LENGTH = 32
SIGNATURE_LENGTH = 43


def derive_calendar_token(user_id, nonce, key=None):
    """The HMAC part of a link: derived with SECRET_KEY, so a database copy alone reveals
    no working link, yet the owner can be shown their link again."""
    message = f"calendar-token:{user_id}:{nonce}".encode()
    key = settings.SECRET_KEY if key is None else key
    digest = hmac.new(key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def calendar_signing_keys():
    """The current key signs new links; SECRET_KEY_FALLBACKS keep old ones working only
    while they are listed, as for Django's own signed values."""
    return [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]


class CalendarTokenQuerySet(models.QuerySet):
    def find(self, raw_token):
        """The token this link proves, or None; signatures compared in constant time."""
        if not raw_token or len(raw_token) > 128:
            return None
        if len(raw_token) == NONCE_LENGTH + SIGNATURE_LENGTH:
            nonce, signature = raw_token[:NONCE_LENGTH], raw_token[NONCE_LENGTH:]
            token = self.select_related("user").filter(nonce=nonce).first()
        elif len(raw_token) == SIGNATURE_LENGTH:
            # Links issued before the nonce was part of them: found by their hash.
            signature = raw_token
            token = (
                self.select_related("user")
                .filter(token_hash=hash_calendar_token(raw_token))
                .first()
            )
        else:
            return None
        if token is None:
            return None
        for key in calendar_signing_keys():
            expected = derive_calendar_token(token.user_id, token.nonce, key)
            if hmac.compare_digest(expected, signature):
                return token
        return None


class CalendarToken(models.Model):
    """The secret behind a member's personal feed; only its hash is stored."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    nonce = models.CharField(max_length=64, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_client = models.CharField(max_length=255, blank=True)

    objects = CalendarTokenQuerySet.as_manager()

    def __str__(self):
        return f"Calendar link for {self.user}"

    @property
    def raw_token(self):
        """The link's secret under the current SECRET_KEY: the link to show."""
        return self.nonce + derive_calendar_token(self.user_id, self.nonce)

    @classmethod
    def regenerate_for(cls, user):
        """Issue a new secret for the user, revoking the old link at once."""
        nonce = secrets.token_hex(16)
        token, _ = cls.objects.update_or_create(
            user=user,
            defaults={
                "nonce": nonce,
                "token_hash": hash_calendar_token(derive_calendar_token(user.pk, nonce)),
                "created_at": timezone.now(),
                "last_fetched_at": None,
                "last_client": "",
            },
        )
        return token


# Registration's own models live with its code; imported here so Django finds them.
from events.registration.models import (  # noqa: E402, F401
    DoorStaff,
    Feedback,
    Question,
    RegistrationSettings,
)
