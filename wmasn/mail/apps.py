from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "wmasn.mail"
    label = "mail"
    verbose_name = "Mail"

    def ready(self):
        from . import jobs  # noqa: F401
