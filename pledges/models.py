from django.conf import settings
from django.db import models
from django.db.models import Count
from django.urls import reverse

from network.models import Agency
from wmasn.changes import SignallingQuerySet
from wmasn.officers import has_officer_powers
from wmasn.validation import BoundedTextField, RejectsNulBytes


class PledgeQuerySet(SignallingQuerySet):
    def of_active_agencies(self):
        """Pledges of active agencies, for the figures over every pledge. Said as "not a
        proposed agency's" (an agency is one or the other, a database constraint): the few
        proposed agencies make a smaller subquery than joining every agency."""
        return self.exclude(agency__in=Agency.objects.proposed())

    def public(self):
        return self.filter(visibility=Pledge.Visibility.PUBLIC, agency__status=Agency.Status.ACTIVE)

    def visible_to(self, user):
        if user.is_authenticated and user.sees_member_details:
            return self.filter(agency__status=Agency.Status.ACTIVE)
        return self.public()

    def for_year(self, year):
        return self.filter(year=year)

    def editable_by(self, user):
        """Pledges the user may edit: their agencies' pledges, or any pledge for an officer."""
        if not user.is_authenticated:
            return self.none()
        if has_officer_powers(user):  # after MFA (wmasn/officers.py)
            return self.all()
        return self.filter(agency_id__in=user.approved_agency_ids)

    def needing_report(self, year):
        """Pledges for the year whose outcome is still open: made or in progress."""
        return self.for_year(year).filter(
            status__in=[Pledge.Status.MADE, Pledge.Status.IN_PROGRESS]
        )

    def years(self):
        """The years these pledges are for, newest first, counted in the database."""
        return list(self.order_by("-year").values_list("year", flat=True).distinct())

    def status_counts(self):
        """{status: number of pledges}, counted in the database."""
        return dict(self.order_by().values_list("status").annotate(n=Count("pk")))

    def sector_counts(self):
        """{agency sector: number of pledges}, counted in the database."""
        return dict(self.order_by().values_list("agency__sector").annotate(n=Count("pk")))

    def status_and_sector_counts(self):
        """{(status, agency sector): number of pledges}, in one query."""
        rows = self.order_by().values_list("status", "agency__sector").annotate(n=Count("pk"))
        return {(status, sector): n for status, sector, n in rows}


class Pledge(RejectsNulBytes, models.Model):
    """An agency's commitment for a year, often made at the Anti-Slavery Day conference."""

    class Status(models.TextChoices):
        MADE = "made", "Made"
        IN_PROGRESS = "in_progress", "In progress"
        ACHIEVED = "achieved", "Achieved"
        NOT_ACHIEVED = "not_achieved", "Not achieved"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        MEMBERS = "members", "Members only"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="pledges")
    year = models.PositiveSmallIntegerField(help_text="The year the pledge is for.")
    text = BoundedTextField(
        "pledge", max_length=2000, help_text="What the agency will do in the year."
    )
    made_at = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pledges",
        help_text="The event where the pledge was made, such as the Anti-Slavery Day conference.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.MADE)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pledges_created",
    )
    # Made from a conference registration's pledge link: who made it, and from which place.
    registration = models.ForeignKey(
        "events.RSVP",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pledges",
        help_text="The conference registration it was made from.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "agency__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100), name="pledge_year_sensible"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["made", "in_progress", "achieved", "not_achieved"]),
                name="pledge_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=["public", "members"]),
                name="pledge_visibility_valid",
            ),
        ]

    def __str__(self):
        return f"{self.agency} — {self.year}"

    def get_absolute_url(self):
        return reverse("pledges:pledge-detail", args=[self.pk])


class PledgeUpdate(RejectsNulBytes, models.Model):
    """A progress note on a pledge."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="updates")
    note = BoundedTextField(max_length=2000)
    status = models.CharField(
        "status after this update", max_length=12, choices=Pledge.Status.choices, blank=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pledge_updates",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Update on {self.pledge}"


class PledgeReminder(models.Model):
    """A reminder email sent to an agency, so that a cron rerun never sends it twice."""

    class Kind(models.TextChoices):
        YEAR_END = "year_end", "Report on this year's pledges"
        NEW_PLEDGE = "new_pledge", "Make a pledge for the coming year"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="pledge_reminders")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    sent_on = models.DateField()

    class Meta:
        ordering = ["-sent_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "year", "sent_on"], name="pledge_reminder_once_a_day"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.agency} ({self.sent_on})"
