from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = "Network"

    def ready(self):
        from network import jobs, signals  # noqa: F401
        from network.officers import after_migrate
        from wmasn import checks  # noqa: F401
        from wmasn.cache import create_cache_tables

        # Rate limits and TOTP checks live in the database cache (wmasn/cache.py). First: the
        # officers group that after_migrate makes bumps the feeds' counters in that cache.
        post_migrate.connect(create_cache_tables, sender=self, dispatch_uid="cache-tables")
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="network-after-migrate")
