"""The mail app's periodic jobs: retries and anything an enqueue missed; old task results;
the inbound mailbox."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django_tasks import default_task_backend
from django_tasks_db.backend import DatabaseBackend

from wmasn.jobs import periodic

from .delivery import deliver_due
from .inbox import reader

TASK_RESULTS_KEPT_DAYS = 14


@periodic("mail.deliver", every=dt.timedelta(minutes=1))
def deliver_waiting_mail():
    """Retries come due here; so does any email whose task was lost (a worker killed)."""
    deliver_due()


@periodic("mail.prune-task-results", every=dt.timedelta(days=1))
def prune_task_results():
    """Finished task rows (one per email sent) are kept two weeks for inspection, then go."""
    if isinstance(default_task_backend, DatabaseBackend):
        call_command(
            "prune_db_task_results", min_age_days=TASK_RESULTS_KEPT_DAYS, stdout=StringIO()
        )


@periodic("mail.read-inbox", every=dt.timedelta(minutes=1))
def read_inbound_mail():
    """Invitation answers, bounces and replies; nothing happens while INBOUND_IMAP_HOST is unset."""
    if reader.is_configured():
        reader.read_inbox()
