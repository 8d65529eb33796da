"""Periodic jobs: registered by name, run by the worker every minute or by cron, recorded.

An app puts its jobs in `<app>/jobs.py` and imports that module from `AppConfig.ready()`:

    from wmasn.jobs import periodic

    @periodic("pledges.reminders", every=dt.timedelta(days=1))
    def send_pledge_reminders():
        ...

A job runs when it has not started for `every`; each run is recorded in a `JobRun` (last
started, last finished, last error), and the admin warns when a job has not finished within
twice `every`. Jobs run outside any transaction and must be idempotent: a job whose worker
died is simply run again. `python manage.py db_worker` runs them (a task that re-enqueues
itself each minute); `python manage.py run_periodic_jobs` runs the due ones once, for cron.

This package is also a small Django app (label `jobs`): the jobs' records (`JobRun`) and the
workers' heartbeats (`WorkerHeartbeat`), with their admin, and the two commands.
"""

import datetime as dt
import logging
import socket
import traceback
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

TICK = dt.timedelta(minutes=1)
ERROR_MAX_LENGTH = 2000


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    func: object

    @property
    def path(self):
        return f"{self.func.__module__}.{self.func.__qualname__}"

    def is_overdue(self, run, now):
        """Not finished within twice its interval (or never)."""
        finished = run.last_finished_at if run else None
        return finished is None or finished < now - 2 * self.every


_jobs = {}


def periodic(name, *, every):
    """Register the decorated function as the periodic job `name`; returns it unchanged."""
    if not isinstance(every, dt.timedelta) or every <= dt.timedelta(0):
        raise ImproperlyConfigured(f"Periodic job {name!r}: every must be a positive timedelta.")

    def register(func):
        job = Job(name=name, every=every, func=func)
        existing = _jobs.get(name)
        if existing is not None and existing.path != job.path:
            raise ImproperlyConfigured(
                f"Two periodic jobs are named {name!r}: {existing.path} and {job.path}."
            )
        _jobs[name] = job
        return func

    return register


def registered_jobs():
    return sorted(_jobs.values(), key=lambda job: job.name)


def get_job(name):
    return _jobs[name]


def _claim(job, now, force):
    """Mark the job started if it is due; True when this caller runs it."""
    from .models import JobRun

    try:
        with transaction.atomic():
            JobRun.objects.get_or_create(name=job.name)
    except IntegrityError:  # Created by another worker meanwhile.
        pass
    runs = JobRun.objects.filter(name=job.name)
    if not force:
        runs = runs.filter(
            Q(last_started_at__isnull=True) | Q(last_started_at__lte=now - job.every)
        )
    return runs.update(last_started_at=now) == 1


def run_job(job, *, now=None, force=False):
    """Run one job if it is due (or `force`); returns "ran", "failed" or None (not due)."""
    from .models import JobRun

    now = now or timezone.now()
    if not _claim(job, now, force):
        return None
    error = ""
    try:
        job.func()
    except Exception:  # noqa: BLE001 - one failing job must not stop the others
        logger.exception("Periodic job %s failed", job.name)
        error = traceback.format_exc()[-ERROR_MAX_LENGTH:]
    JobRun.objects.filter(name=job.name).update(last_finished_at=timezone.now(), last_error=error)
    return "failed" if error else "ran"


def run_due_jobs(*, worker=None, names=None, force=False):
    """Run every due job (or only `names`); records a heartbeat first. Returns {name: outcome}."""
    record_heartbeat(worker)
    outcomes = {}
    for job in registered_jobs():
        if names is not None and job.name not in names:
            continue
        outcome = run_job(job, force=force)
        if outcome:
            outcomes[job.name] = outcome
    return outcomes


def record_heartbeat(worker=None):
    from .models import WorkerHeartbeat

    worker = (worker or f"{socket.gethostname()}")[:100]
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"last_seen": timezone.now()})


def overdue_jobs(now=None):
    """Jobs that have not finished within twice their interval, with their records."""
    from .models import JobRun

    now = now or timezone.now()
    runs = JobRun.objects.in_bulk(field_name="name")
    return [
        (job, runs.get(job.name))
        for job in registered_jobs()
        if job.is_overdue(runs.get(job.name), now)
    ]


@task(takes_context=True)
def tick(context):
    """Run the due jobs, then come back in a minute."""
    worker_ids = context.task_result.worker_ids
    try:
        run_due_jobs(worker=f"worker {worker_ids[-1]}" if worker_ids else None)
    finally:
        schedule_tick()


def schedule_tick(delay=TICK):
    """Keep exactly one future tick queued (a database task backend only)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(tick.get_backend(), DatabaseBackend):
        return
    waiting = list(
        DBTaskResult.objects.filter(task_path=tick.module_path, status="READY")
        .order_by("run_after")
        .values_list("pk", flat=True)
    )
    if waiting:
        # Two workers finishing a tick at once may both queue the next: keep one.
        DBTaskResult.objects.filter(pk__in=waiting[1:], status="READY").delete()
        return
    tick.using(run_after=timezone.now() + delay).enqueue()
