from django.conf import settings
from django.db import models
from django.urls import reverse

from wmasn.validation import RejectsNulBytes


class Area(RejectsNulBytes, models.Model):
    """A local authority area the network covers, or the whole region."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    is_region_wide = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class AgencyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Agency.Status.ACTIVE)

    def proposed(self):
        return self.filter(status=Agency.Status.PROPOSED)

    def for_member(self, user):
        """Agencies the user is an approved member of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=user.approved_agency_ids)

    def matching_email_domain(self, email):
        """Active agencies that list the domain of this email address for auto-approval."""
        domain = email.rsplit("@", 1)[-1].strip().lower()
        if not domain:
            return self.none()
        candidates = self.active().filter(email_domains__icontains=domain)
        return [agency for agency in candidates if domain in agency.email_domain_list]


class Agency(RejectsNulBytes, models.Model):
    """A member organisation of the network."""

    class Sector(models.TextChoices):
        PUBLIC = "public", "Public sector"
        PRIVATE = "private", "Private sector"
        THIRD = "third", "Third sector"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PROPOSED = "proposed", "Proposed, awaiting an officer"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    sector = models.CharField(max_length=10, choices=Sector.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    public_email = models.EmailField(blank=True)
    public_phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    areas = models.ManyToManyField(Area, blank=True, related_name="agencies")
    email_domains = models.TextField(
        blank=True,
        help_text=(
            "Email domains, one per line (e.g. west-midlands.police.uk). A verified address "
            "on one of them is approved automatically."
        ),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposed_agencies",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sector__in=["public", "private", "third"]),
                name="agency_sector_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "proposed"]),
                name="agency_status_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("network:agency-detail", args=[self.slug])

    @property
    def email_domain_list(self):
        return [
            line.strip().lower().lstrip("@")
            for line in self.email_domains.replace(",", "\n").splitlines()
            if line.strip()
        ]


class AgencyContact(RejectsNulBytes, models.Model):
    """A named contact at an agency; visible to members only."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return f"{self.name} ({self.agency})"
