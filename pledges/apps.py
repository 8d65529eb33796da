from django.apps import AppConfig


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = "Pledges"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from events.registration.after import ticket_link
        from network.models import Agency
        from pledges import jobs, privacy  # noqa: F401
        from pledges.models import Pledge
        from pledges.registration import pledge_link
        from pledges.services import bump_wall_version
        from wmasn.changes import data_replaced, rows_changed

        for model in (Pledge, Agency):
            name = model.__name__
            post_save.connect(bump_wall_version, sender=model, dispatch_uid=f"wall-{name}-save")
            post_delete.connect(bump_wall_version, sender=model, dispatch_uid=f"wall-{name}-delete")
            rows_changed.connect(bump_wall_version, sender=model, dispatch_uid=f"wall-{name}-rows")
        data_replaced.connect(bump_wall_version, dispatch_uid="wall-data-replaced")
        ticket_link(pledge_link)
