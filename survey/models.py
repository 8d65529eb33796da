from django.db import models

from network.models import Agency, Area
from wmasn.validation import BoundedTextField, RejectsNulBytes


class Service(RejectsNulBytes, models.Model):
    """A kind of support from the services survey."""

    class Category(models.TextChoices):
        ACCOMMODATION = "accommodation", "Accommodation"
        LEGAL = "legal", "Legal advice"
        SUBSTANCE = "substance", "Substance misuse support"
        CHILDREN = "children", "Children's services"
        INTERPRETING = "interpreting", "Interpreting"
        HEALTH = "health", "Health"
        NRM = "nrm", "NRM first responder"
        ENFORCEMENT = "enforcement", "Law enforcement"
        OTHER = "other", "Other support"

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=150, unique=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    description = BoundedTextField(max_length=1000, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class AgencyService(RejectsNulBytes, models.Model):
    """An agency's survey answer: it provides this service in these areas."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="services")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="providers")
    areas = models.ManyToManyField(Area, related_name="agency_services")
    notes = BoundedTextField(max_length=2000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service__order", "service__name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "service"], name="agency_service_once"),
        ]

    def __str__(self):
        return f"{self.agency} — {self.service}"
