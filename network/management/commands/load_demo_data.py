"""Load the demo network from the December 2017 newsletter; safe to run again."""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


def demo_steps():
    """Each app's `demo.load`, in INSTALLED_APPS order: network first, as the others need it."""
    steps = []
    for app_config in apps.get_app_configs():
        try:
            module = import_module(f"{app_config.name}.demo")
        except ModuleNotFoundError as error:
            if error.name != f"{app_config.name}.demo":
                raise
            continue
        steps.append(module.load)
    return steps


class Command(BaseCommand):
    help = "Load demo data built from the seed newsletter. Refuses to run when DEBUG is off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo data is for development only: DEBUG is off, so nothing was loaded."
            )
        with transaction.atomic():
            for step in demo_steps():
                step(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS("Demo data is loaded. Every demo account's password is wmasn-demo.")
        )
