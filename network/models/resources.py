from django.db import models

from wmasn.validation import RejectsNulBytes


class Resource(RejectsNulBytes, models.Model):
    """A helpline, referral form, guidance document or network contact."""

    class Kind(models.TextChoices):
        HELPLINE = "helpline", "Helplines and support lines"
        FORM = "form", "Referral forms"
        GUIDANCE = "guidance", "Guidance"
        CONTACT = "contact", "Network contacts"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    phone = models.CharField(max_length=60, blank=True)
    url = models.URLField("web address", blank=True, max_length=500)
    email = models.EmailField(blank=True)
    hours = models.CharField("opening hours", max_length=150, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "order", "title"]

    def __str__(self):
        return self.title
