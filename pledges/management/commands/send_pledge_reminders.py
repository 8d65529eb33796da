"""Email agencies about their pledges: run daily from cron; a rerun never sends twice."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pledges.services import DEFAULT_REMINDER_INTERVAL_DAYS, send_pledge_reminders


def parse_date(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--today must be a date as YYYY-MM-DD, not {value!r}.") from error


class Command(BaseCommand):
    help = (
        "From 1 November to 31 December, ask agencies to report on this year's open pledges; "
        "from Anti-Slavery Day (18 October) to the year's end, ask agencies with no pledge for "
        "the coming year to make one. Each agency hears about each at most once a week."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")
        parser.add_argument(
            "--interval-days",
            type=int,
            default=DEFAULT_REMINDER_INTERVAL_DAYS,
            help="Days before an agency hears the same reminder again (default: %(default)s).",
        )

    def handle(self, *args, **options):
        today = parse_date(options["today"]) if options["today"] else timezone.localdate()
        if options["interval_days"] < 1:
            raise CommandError("--interval-days must be at least 1.")
        summary = send_pledge_reminders(today=today, interval_days=options["interval_days"])
        self.stdout.write(f"Pledge reminders for {today.isoformat()}:")
        for line in summary.lines():
            self.stdout.write(f"  {line}")
