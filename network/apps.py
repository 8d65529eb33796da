from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = "Network"

    def ready(self):
        from network import jobs, signals  # noqa: F401
        from network.officers import after_migrate
        from wmasn import checks  # noqa: F401

        post_migrate.connect(after_migrate, sender=self, dispatch_uid="network-after-migrate")
