from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self):
        from reports.admin_filters import attach_agency_filters

        attach_agency_filters()
