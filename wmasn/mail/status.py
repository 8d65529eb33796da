"""What the admin warns about: mail waiting with no worker alive, and overdue jobs."""

import datetime as dt

from django.utils import timezone

from wmasn.jobs import overdue_jobs
from wmasn.jobs.models import WorkerHeartbeat

from .models import OutgoingEmail

WORKER_SILENCE = dt.timedelta(minutes=10)


def warnings(now=None):
    """Plain-language warnings for the top of every admin page (three small queries)."""
    now = now or timezone.now()
    found = []
    heartbeat = WorkerHeartbeat.objects.order_by("-last_seen").first()
    if (heartbeat is None or heartbeat.last_seen < now - WORKER_SILENCE) and (
        OutgoingEmail.objects.due(now).exists()
    ):
        since = (
            f"the last was seen {timezone.localtime(heartbeat.last_seen):%d %b %Y %H:%M}"
            if heartbeat
            else "none has ever run"
        )
        found.append(
            "Emails are waiting to be sent, but no mail worker has been seen for ten minutes "
            f"({since}). Start one: python manage.py db_worker (see docs/deployment.md)."
        )
    overdue = overdue_jobs(now)
    if overdue:
        names = ", ".join(job.name for job, _run in overdue)
        found.append(
            f"Periodic jobs overdue: {names}. They run in the worker (db_worker); see "
            "Background jobs › Periodic jobs."
        )
    return found
