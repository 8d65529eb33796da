from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "newsletters"
    verbose_name = "Newsletters"

    def ready(self):
        from network import notifications
        from newsletters import jobs, privacy, signals, subscriptions  # noqa: F401

        notifications.register_recipients(subscriptions.SUBSCRIBERS)
