from django.conf import settings
from django.db import models
from django.utils import timezone

from wmasn.validation import RejectsNulBytes

from .agencies import Agency


class MembershipQuerySet(models.QuerySet):
    def approved(self):
        """The one rule for who is a member: an approved membership of an active agency."""
        return self.filter(status=Membership.Status.APPROVED, agency__status=Agency.Status.ACTIVE)

    def pending(self):
        return self.filter(status=Membership.Status.PENDING).order_by("requested_at")

    def for_user(self, user):
        return self.filter(user=user)


class Membership(RejectsNulBytes, models.Model):
    """A user's membership of an agency; one row per user and agency."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        ENDED = "ended", "Ended"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    role = models.CharField("role at the agency", max_length=150, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="membership_decisions",
    )
    auto_approved = models.BooleanField(
        default=False, help_text="Approved automatically from a verified email domain."
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="membership_one_per_agency"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "approved", "rejected", "ended"]),
                name="membership_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending") | models.Q(decided_at__isnull=False),
                name="membership_decision_recorded",
            ),
            models.CheckConstraint(
                condition=models.Q(auto_approved=False)
                | models.Q(status__in=["approved", "ended"]),
                name="membership_auto_only_when_approved",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.agency} ({self.get_status_display()})"
