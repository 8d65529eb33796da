from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "wmasn.mail"
    label = "mail"
    verbose_name = "Mail and background jobs"

    def ready(self):
        from . import jobs  # noqa: F401
