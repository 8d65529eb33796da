"""Email the reminders due before meetings; also a periodic job (events/jobs.py). A rerun
never sends a reminder twice."""

from django.core.management.base import BaseCommand

from events.jobs import meeting_reminders


class Command(BaseCommand):
    help = (
        "Remind invited members of each meeting on the day 7 days before and on the day "
        "before, with the venue, access notes, papers and their answer. Safe to run often."
    )

    def handle(self, *args, **options):
        sent = meeting_reminders()
        self.stdout.write(f"Meeting reminders sent: {sent}.")
