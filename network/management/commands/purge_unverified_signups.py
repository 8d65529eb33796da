"""Delete sign-ups whose email address was never verified (run daily from cron)."""

from django.core.management.base import BaseCommand, CommandError

from network.privacy import UNVERIFIED_SIGNUP_DAYS, purge_unverified_signups


class Command(BaseCommand):
    help = (
        "Delete users with no verified email address who joined more than --days ago, "
        "are not staff and have no membership beyond a pending request."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=UNVERIFIED_SIGNUP_DAYS,
            help=f"Keep sign-ups younger than this many days (default {UNVERIFIED_SIGNUP_DAYS}).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would be removed; delete nothing."
        )

    def handle(self, *args, days, dry_run, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        removed = purge_unverified_signups(days=days, dry_run=dry_run)
        verb = "Would remove" if dry_run else "Removed"
        for pk, email, date_joined in removed:
            self.stdout.write(f"{verb} user {pk} <{email}>, joined {date_joined:%Y-%m-%d %H:%M}")
        self.stdout.write(
            f"{verb} {len(removed)} unverified sign-up(s) older than {days} days."
            + (" Dry run: nothing was deleted." if dry_run else "")
        )
