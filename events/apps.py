from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Meetings and events"

    def ready(self):
        from events import jobs, privacy, replies, signals  # noqa: F401
        from events.registration import admin  # noqa: F401

        signals.connect()
