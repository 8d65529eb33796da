from django.conf import settings
from django.db import models
from django.utils import timezone


class ReportPublication(models.Model):
    """The switch that publishes a year's public report (without personal data)."""

    year = models.PositiveSmallIntegerField(unique=True)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100), name="report_year_sensible"
            ),
        ]

    def __str__(self):
        return f"Annual report {self.year} (public)"


class CoverageRecord(models.Model):
    """How many agencies offered a service in an area when a year's coverage was recorded,
    so next year's report can say which gaps closed and which opened."""

    year = models.PositiveSmallIntegerField()
    service = models.ForeignKey("survey.Service", on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey("network.Area", on_delete=models.CASCADE, related_name="+")
    agencies = models.PositiveIntegerField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["year", "service", "area"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "service", "area"], name="coverage_record_once"
            ),
        ]

    def __str__(self):
        return f"{self.service} in {self.area}, {self.year}: {self.agencies}"
