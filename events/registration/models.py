"""Registration's own models: an event's registration settings, its questions and its door
staff. The registrations themselves are RSVPs (events.models.RSVP)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from events import times
from wmasn.validation import BoundedTextField, RejectsNulBytes


class RegistrationSettings(RejectsNulBytes, models.Model):
    """Registration on one event: who may register, how many places, and whether it is open.
    The deadline is the event's own `registration_deadline`."""

    class Audience(models.TextChoices):
        MEMBERS = "members", "Members only"
        EVERYONE = "everyone", "Everyone (members and guests)"

    event = models.OneToOneField(
        "events.Event", on_delete=models.CASCADE, related_name="registration"
    )
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.MEMBERS)
    capacity = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Places; past it people join the waiting list. Blank: no limit. "
        "A new registration starts with the venue's capacity.",
    )
    is_open = models.BooleanField(
        "open", default=False, help_text="People may register until the event's deadline."
    )
    offer_hours = models.PositiveSmallIntegerField(
        default=48,
        help_text="A place freed by a cancellation is offered to the next person waiting, "
        "who has this many hours to accept it before it goes to the next.",
    )
    ask_dietary_needs = models.BooleanField(default=True)
    ask_access_needs = models.BooleanField(default=True)
    ask_photo_consent = models.BooleanField(default=True)
    door_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="events.DoorStaff",
        blank=True,
        related_name="+",
        help_text="People who may check people in at the door of this event.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "registration"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(audience__in=["members", "everyone"]),
                name="registration_audience_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gt=0),
                name="registration_capacity_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(offer_hours__gt=0), name="registration_offer_hours_positive"
            ),
        ]

    def __str__(self):
        return f"Registration for {self.event}"

    def save(self, *args, **kwargs):
        if self._state.adding and self.capacity is None and self.event.venue_id:
            self.capacity = self.event.venue.capacity
        super().save(*args, **kwargs)

    @property
    def open_to_guests(self):
        return self.audience == self.Audience.EVERYONE

    def closes_at(self):
        """The end of the deadline day (UK time), or the event's start without a deadline."""
        event = self.event
        if event.registration_deadline is None:
            return event.starts_at
        return times.uk_datetime(event.registration_deadline + dt.timedelta(days=1), dt.time(0))

    def accepts_registrations(self, now=None):
        now = now or timezone.now()
        event = self.event
        return (
            self.is_open
            and not event.is_cancelled
            and now < self.closes_at()
            and now < event.ends_at
        )


class Question(RejectsNulBytes, models.Model):
    """One of an event's own questions on its registration form."""

    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        ONE = "one", "One choice"
        SEVERAL = "several", "Several choices"

    registration = models.ForeignKey(
        RegistrationSettings, on_delete=models.CASCADE, related_name="questions"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.TEXT)
    text = models.CharField("question", max_length=300)
    choices = BoundedTextField(
        max_length=2000, blank=True, help_text="For a choice: one option a line."
    )
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["text", "one", "several"]),
                name="question_kind_valid",
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def options(self):
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    @property
    def field_name(self):
        return f"q{self.pk}"


class DoorStaff(models.Model):
    """Someone an officer named to check people in at one event's door."""

    registration = models.ForeignKey(RegistrationSettings, on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="door_duties"
    )

    class Meta:
        verbose_name_plural = "door staff"
        constraints = [
            models.UniqueConstraint(fields=["registration", "user"], name="door_staff_once"),
        ]

    def __str__(self):
        return f"{self.user} at the door of {self.registration.event}"


class Feedback(RejectsNulBytes, models.Model):
    """An attendee's short feedback on an event: a rating and two questions."""

    registration = models.OneToOneField(
        "events.RSVP", on_delete=models.CASCADE, related_name="feedback"
    )
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField(
        choices=[(n, str(n)) for n in range(1, 6)], help_text="1 (poor) to 5 (excellent)."
    )
    most_useful = BoundedTextField("what was most useful", max_length=2000, blank=True)
    improve = BoundedTextField("what could be better", max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "feedback"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"
            ),
        ]

    def __str__(self):
        return f"Feedback on {self.event}: {self.rating}/5"
