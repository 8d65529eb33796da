from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Actions and decisions"

    def ready(self):
        from actions import jobs, privacy  # noqa: F401
