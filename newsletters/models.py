from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from wmasn.validation import BoundedTextField, RejectsNulBytes


def can_edit_issues(user):
    """Active staff with the change permission: they preview drafts through "view on site"."""
    return user.is_active and user.is_staff and user.has_perm("newsletters.change_issue")


class IssueQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Issue.Status.PUBLISHED, publish_at__lte=timezone.now())

    def visible_to(self, user):
        """Officers, and staff who may edit issues, also see drafts and scheduled issues;
        everyone else only published ones."""
        if user.is_authenticated and (user.is_officer or can_edit_issues(user)):
            return self.all()
        return self.published()


class Issue(RejectsNulBytes, models.Model):
    """One issue of the network's newsletter."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200, help_text='For example "December 2017".')
    slug = models.SlugField(max_length=200, unique=True)
    issue_date = models.DateField()
    summary = BoundedTextField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the issue becomes public. A future time schedules it.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_issues",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-pk"]
        permissions = [("publish_issue", "Can publish newsletter issues")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(publish_at__isnull=False),
                name="issue_published_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "published"]),
                name="issue_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "publish_at"], name="issue_published_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("newsletters:issue-detail", args=[self.slug])

    @property
    def is_scheduled(self):
        """Published for a time still in the future."""
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    @property
    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )


class Section(RejectsNulBytes, models.Model):
    """An ordered part of an issue, written in Markdown."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(default=0)
    heading = models.CharField(max_length=200)
    body = BoundedTextField(
        max_length=50000, help_text="Markdown. Links, lists, bold and headings are kept."
    )
    agency = models.ForeignKey(
        "network.Agency",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_sections",
        help_text="The contributing agency, if any.",
    )
    event = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_sections",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_sections",
    )

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.heading


class Delivery(RejectsNulBytes, models.Model):
    """One recipient of one issue, so that sending is idempotent and failures show.

    Its status, attempts, error and time are copied from its outbox email after each
    batch the worker sends (`sending.sync_delivery_states`)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_deliveries",
    )
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The outbox email, once the issue is published and its turn came; status follows it.
    message = models.OneToOneField(
        "mail.OutgoingEmail",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="newsletter_delivery",
    )

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["issue", "email"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "email"], name="delivery_once_per_recipient"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sent", "failed"]),
                name="delivery_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.issue} → {self.email}"
