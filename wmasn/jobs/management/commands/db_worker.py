"""django-tasks-db's worker, which also makes sure the periodic jobs' tick is queued."""

import datetime as dt

from django_tasks_db.management.commands.db_worker import Command as WorkerCommand

from wmasn.jobs import schedule_tick


class Command(WorkerCommand):
    help = (
        "Run a background worker: sends the mail queue and runs the periodic jobs. Start as "
        "many as you like, on as many machines; they share the queue through the database."
    )

    def handle(self, *args, **options):
        # The tick re-enqueues itself each minute; a worker killed mid-tick loses it, so
        # every worker that starts queues one now if none is waiting.
        schedule_tick(delay=dt.timedelta(0))
        return super().handle(*args, **options)
