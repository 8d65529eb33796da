"""Read the inbound mailbox once and say what was done with each message."""

from django.core.management.base import BaseCommand, CommandError

from wmasn.mail.inbox.reader import InboxNotConfigured, read_inbox


class Command(BaseCommand):
    help = "Read the inbound mailbox (INBOUND_IMAP_*) once; print what each message did."

    def handle(self, *args, **options):
        def report(record, was_new):
            done = (
                f"{record.get_kind_display()}: {record.get_outcome_display()}. {record.reason}"
                if was_new
                else "already handled"
            )
            self.stdout.write(f"{record.sender or '(no sender)'} — {record.subject!r}: {done}")

        try:
            handled = read_inbox(on_message=report)
        except InboxNotConfigured as error:
            raise CommandError(str(error)) from None
        new = sum(1 for _, was_new in handled if was_new)
        self.stdout.write(f"{len(handled)} messages read, {new} new.")
