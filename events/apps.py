from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Meetings and events"

    def ready(self):
        from events import jobs, log_redaction, privacy, signals  # noqa: F401
        from events.registration import admin  # noqa: F401

        signals.connect()
        # After LOGGING is configured (django.setup() does that before apps are ready).
        log_redaction.install()
