"""Load the demo network from the December 2017 newsletter; safe to run again."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

# Each app adds its steps here, in the order their data depends on each other.
DEMO_STEPS = [
    "network.demo.accounts.load_accounts",
    "network.demo.agencies.load_agencies",
    "network.demo.memberships.load_memberships",
    "network.demo.resources.load_resources",
    "network.demo.services.load_services",
    "network.demo.groups.load_groups",
    "events.demo.load_events",
    "network.demo.pledges.load_pledges",
    "newsletters.demo.load_newsletters",
]


class Command(BaseCommand):
    help = "Load demo data built from the seed newsletter. Refuses to run when DEBUG is off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo data is for development only: DEBUG is off, so nothing was loaded."
            )
        with transaction.atomic():
            for step in DEMO_STEPS:
                import_string(step)(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS("Demo data is loaded. Every demo account's password is wmasn-demo.")
        )
