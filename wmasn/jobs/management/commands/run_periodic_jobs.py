"""Run the periodic jobs that are due, once: for cron, or by hand."""

from django.core.management.base import BaseCommand, CommandError

from wmasn.jobs import get_job, registered_jobs, run_due_jobs


class Command(BaseCommand):
    help = (
        "Run the periodic jobs that are due (the worker does this every minute; use this from "
        "cron where no worker runs, or by hand). Safe to run at once on several machines."
    )

    def add_arguments(self, parser):
        parser.add_argument("--job", action="append", help="Only this job (repeatable).")
        parser.add_argument("--force", action="store_true", help="Run even if not due.")
        parser.add_argument("--list", action="store_true", help="List the jobs and exit.")

    def handle(self, *args, job=None, force=False, list=False, **options):
        if list:
            for registered in registered_jobs():
                self.stdout.write(f"{registered.name}\tevery {registered.every}")
            return
        for name in job or ():
            try:
                get_job(name)
            except KeyError:
                raise CommandError(f"No periodic job named {name!r}.") from None
        outcomes = run_due_jobs(worker="run_periodic_jobs", names=job, force=force)
        for name, outcome in outcomes.items():
            self.stdout.write(f"{name}: {outcome}")
        if not outcomes:
            self.stdout.write("No job was due.")
        if "failed" in outcomes.values():
            raise CommandError("A job failed; its error is in the admin (Periodic jobs).")
