"""The records of the periodic jobs and of the workers that run them."""

from django.db import models
from django.utils import timezone


class JobRun(models.Model):
    """When a periodic job (`wmasn.jobs.periodic`) last started and finished, and how."""

    name = models.CharField(max_length=100, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "periodic job"
        ordering = ["name"]

    def __str__(self):
        return self.name


class WorkerHeartbeat(models.Model):
    """A worker (or cron) said it was alive: the admin warns when none has for a while."""

    worker = models.CharField(max_length=100, unique=True)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "worker"
        ordering = ["-last_seen"]

    def __str__(self):
        return self.worker
