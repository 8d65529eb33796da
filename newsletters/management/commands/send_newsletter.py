"""Send queued newsletter emails; run by cron every few minutes."""

from django.core.management.base import BaseCommand, CommandError

from newsletters.models import Issue
from newsletters.sending import send_pending


class Command(BaseCommand):
    help = (
        "Send newsletter deliveries that are waiting (and retry failed ones). Safe to run "
        "again or twice at once: an email that was sent is never sent again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--issue", help="Only this issue (its slug).")
        parser.add_argument(
            "--limit", type=int, default=None, help="Send at most this many emails."
        )

    def handle(self, *args, issue=None, limit=None, **options):
        only = None
        if issue:
            only = Issue.objects.filter(slug=issue).first()
            if only is None:
                raise CommandError(f"No issue with the slug {issue!r}.")
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.")
        sent, failed = send_pending(only, limit=limit)
        self.stdout.write(f"Newsletter emails sent: {sent}; failed: {failed}.")
