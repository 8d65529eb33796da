"""django-tasks-db's worker, which also keeps the periodic jobs' tick queued and outlives its
database: when PostgreSQL restarts (or the network to it drops), the worker waits, reconnects
and carries on, instead of exiting with the OperationalError until a person restarts it."""

import datetime as dt
import logging
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Command as WorkerCommand

from wmasn.jobs import schedule_tick

logger = logging.getLogger(__name__)

# After the database fails, wait this long before trying again, twice as long each time.
FIRST_WAIT = 1.0
LONGEST_WAIT = 30.0
# A worker that ran this long since it last started counts as healthy again: waits restart.
HEALTHY_AFTER = 60.0


class Command(WorkerCommand):
    help = (
        "Run a background worker: sends the mail queue and runs the periodic jobs. Start as "
        "many as you like, on as many machines; they share the queue through the database."
    )

    def handle(self, *args, **options):
        wait = FIRST_WAIT
        while True:
            started = time.monotonic()
            try:
                # The tick re-enqueues itself each minute; a worker killed mid-tick (or whose
                # database went away mid-tick) loses it, so one is queued now if none waits.
                schedule_tick(delay=dt.timedelta(0))
                return super().handle(*args, **options)
            except (OperationalError, InterfaceError) as error:
                if time.monotonic() - started > HEALTHY_AFTER:
                    wait = FIRST_WAIT
                logger.warning(
                    "The database is unavailable (%s: %s); the worker tries again in %.0f s.",
                    type(error).__name__,
                    str(error).strip().splitlines()[0] if str(error).strip() else "",
                    wait,
                )
                _close_database_connections()
                time.sleep(wait)
                wait = min(wait * 2, LONGEST_WAIT)


def _close_database_connections():
    """Forget the broken connections: the next query opens a new one."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except (OperationalError, InterfaceError):
            logger.debug("Closing a broken database connection failed", exc_info=True)
