from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Lower
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from network.models import Agency
from wmasn.officers import has_officer_powers, needs_mfa
from wmasn.uploads import StoredDocument, StoredImage
from wmasn.validation import BoundedTextField, RejectsNulBytes


def can_edit_issues(user):
    """Active staff with the change permission: they preview drafts through "view on site"."""
    return user.is_active and user.is_staff and user.has_perm("newsletters.change_issue")


class IssueQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Issue.Status.PUBLISHED, publish_at__lte=timezone.now())

    def visible_to(self, user):
        """Officers, and staff who may edit issues, also see drafts and scheduled issues once
        past MFA (wmasn/officers.py); everyone else only published ones."""
        if has_officer_powers(user) or (can_edit_issues(user) and not needs_mfa(user)):
            return self.all()
        return self.published()


class Issue(RejectsNulBytes, models.Model):
    """One issue of the network's newsletter."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class Audience(models.TextChoices):
        MEMBERS = "members", "All members"
        PUBLIC = "public", "All members and public subscribers"
        SECTOR = "sector", "Members in one sector"
        GROUP = "group", "Members of one working group"

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
    audience = models.CharField(
        max_length=10,
        choices=Audience.choices,
        default=Audience.MEMBERS,
        help_text="Who receives the issue by email. The issue page is public once published.",
    )
    audience_sector = models.CharField(
        "sector",
        max_length=10,
        choices=Agency.Sector.choices,
        blank=True,
        help_text="For “Members in one sector”: members of agencies in this sector.",
    )
    audience_group = models.ForeignKey(
        "network.WorkingGroup",
        verbose_name="working group",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="newsletter_issues",
        help_text="For “Members of one working group”.",
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
            models.CheckConstraint(
                condition=models.Q(audience__in=["members", "public", "sector", "group"]),
                name="issue_audience_valid",
            ),
            # A sector only for a sector audience, a group only for a group audience.
            models.CheckConstraint(
                condition=(
                    models.Q(audience="sector", audience_sector__in=["public", "private", "third"])
                    | (~models.Q(audience="sector") & models.Q(audience_sector=""))
                ),
                name="issue_audience_sector",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(audience="group", audience_group__isnull=False)
                    | (~models.Q(audience="group") & models.Q(audience_group__isnull=True))
                ),
                name="issue_audience_group",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "publish_at"], name="issue_published_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("newsletters:issue-detail", args=[self.slug])

    def clean(self):
        super().clean()
        if self.audience == self.Audience.SECTOR and not self.audience_sector:
            raise ValidationError({"audience_sector": "Choose the sector that receives it."})
        if self.audience == self.Audience.GROUP and not self.audience_group_id:
            raise ValidationError({"audience_group": "Choose the working group that receives it."})
        if self.audience != self.Audience.SECTOR:
            self.audience_sector = ""
        if self.audience != self.Audience.GROUP:
            self.audience_group = None

    @property
    def audience_label(self):
        if self.audience == self.Audience.SECTOR:
            return f"Members in the {self.get_audience_sector_display().lower()}"
        if self.audience == self.Audience.GROUP and self.audience_group_id:
            return f"Members of {self.audience_group}"
        return self.get_audience_display()

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
    """An ordered part of an issue, written in the visual editor (older ones in Markdown)."""

    class BodyFormat(models.TextChoices):
        HTML = "html", "Visual editor (HTML)"
        MARKDOWN = "markdown", "Markdown"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(default=0)
    heading = models.CharField(max_length=200)
    body = BoundedTextField(
        max_length=50000,
        help_text="Bold, italic, headings, lists, links and photos are kept; "
        "anything else is removed before readers see it.",
    )
    body_format = models.CharField(
        max_length=10, choices=BodyFormat.choices, default=BodyFormat.HTML, editable=False
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
        constraints = [
            models.CheckConstraint(
                condition=models.Q(body_format__in=["html", "markdown"]),
                name="section_body_format_valid",
            ),
        ]

    def __str__(self):
        return self.heading


class SectionImage(RejectsNulBytes, StoredImage):
    """A photo in a section: alt text, and consent from anyone identifiable in it."""

    upload_directory = "newsletters/images"

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="images")
    order = models.PositiveSmallIntegerField(default=0)
    caption = models.CharField(max_length=300, blank=True)
    consent_confirmed = models.BooleanField(
        "consent confirmed",
        default=False,
        help_text="Everyone identifiable in this photo (or, for a child, their parent or "
        "carer) agreed to its publication in the newsletter and on the website.",
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "photo"
        constraints = [
            # The network works with survivors and children: no photo without consent.
            models.CheckConstraint(
                condition=models.Q(consent_confirmed=True), name="section_image_consent"
            ),
            models.CheckConstraint(condition=~models.Q(alt_text=""), name="section_image_alt"),
        ]

    def __str__(self):
        return self.alt_text

    def get_absolute_url(self):
        return reverse("newsletters:photo", args=[self.pk, "web", self.filename("web")])

    def filename(self, size):
        return PurePath(getattr(self, size).name).name


class SectionDocument(RejectsNulBytes, StoredDocument):
    """A document linked from a section: a letter, a report, a form."""

    upload_directory = "newsletters/documents"

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="documents")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(
        max_length=200, help_text="The link text, e.g. “The Commissioner's letter”."
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "document"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("newsletters:document", args=[self.pk, self.filename])


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)


class Subscriber(RejectsNulBytes, models.Model):
    """A member of the public who asked for the newsletter and confirmed their address."""

    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)
    organisation = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Double opt-in: the time they clicked the confirmation link is their consent.
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")),
                name="subscriber_email_lowercase",
            ),
        ]

    def __str__(self):
        return self.email

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None


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
    subscriber = models.ForeignKey(
        Subscriber,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
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


@receiver(post_delete, sender=SectionImage)
@receiver(post_delete, sender=SectionDocument)
def delete_stored_files(sender, instance, **kwargs):
    """A deleted photo or document leaves no file behind, once the deletion commits."""
    files = [(f.storage, f.name) for f in instance.stored_files()]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
