from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "wmasn.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
