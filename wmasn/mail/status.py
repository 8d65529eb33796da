"""What the admin warns about: mail waiting with no worker alive, and overdue jobs."""

import datetime as dt

from django.utils import timezone

from wmasn.jobs import overdue_jobs

from .models import OutgoingEmail, WorkerHeartbeat

WORKER_SILENCE = dt.timedelta(minutes=10)


def last_worker_seen():
    heartbeat = WorkerHeartbeat.objects.order_by("-last_seen").first()
    return heartbeat.last_seen if heartbeat else None


def warnings(now=None):
    """Plain-language warnings for the top of every admin page."""
    now = now or timezone.now()
    found = []
    seen = last_worker_seen()
    worker_silent = seen is None or seen < now - WORKER_SILENCE
    if worker_silent and OutgoingEmail.objects.due(now).exists():
        since = (
            "no worker has ever run"
            if seen is None
            else f"none since {timezone.localtime(seen):%d %b %H:%M}"
        )
        found.append(
            f"Emails are waiting to be sent, but no mail worker has been seen for ten minutes "
            f"({since}). Start one: python manage.py db_worker (docs/deployment.md)."
        )
    overdue = overdue_jobs(now)
    if overdue and not worker_silent:
        names = ", ".join(job.name for job, _run in overdue)
        found.append(
            f"Periodic jobs overdue: {names}. See Mail and background jobs › Periodic jobs."
        )
    elif overdue:
        names = ", ".join(job.name for job, _run in overdue)
        found.append(f"Periodic jobs overdue (no worker is running them): {names}.")
    return found
