from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from wmasn.validation import RejectsNulBytes

from .agencies import Agency


class WorkingGroupQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=WorkingGroup.Status.OPEN)


class WorkingGroup(RejectsNulBytes, models.Model):
    """A task-and-finish group of the network."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    purpose = models.TextField()
    lead_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_groups"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="GroupMembership", related_name="working_groups"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = WorkingGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "closed"]), name="group_status_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("network:group-detail", args=[self.slug])


class GroupMembershipQuerySet(models.QuerySet):
    def current(self):
        """People still in the network: an approved membership (the one rule) or officers.

        Someone whose agency membership ended stays in the table (their calendar choice comes
        back if they rejoin) but is no longer listed or counted.
        """
        from .memberships import Membership

        approved = Membership.objects.approved().filter(user=OuterRef("user"))
        officers = get_user_model().objects.officers().values("pk")
        return self.filter(user__is_active=True).filter(Exists(approved) | Q(user__in=officers))


class GroupMembership(models.Model):
    """A user in a working group, and whether its meetings go to their personal feed."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    show_in_calendar = models.BooleanField(
        default=True, help_text="Include this group's meetings in my personal calendar feed."
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = GroupMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="group_membership_once"),
        ]

    def __str__(self):
        return f"{self.user} in {self.group}"
