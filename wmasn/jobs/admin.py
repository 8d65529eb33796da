"""The chair sees when the periodic jobs last ran, and which workers are alive."""

from django.contrib import admin, messages
from django.utils import timezone

from . import registered_jobs
from .models import JobRun, WorkerHeartbeat


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the worker, never by hand."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + list(self.readonly_fields)


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["name", "every", "last_started_at", "last_finished_at", "status"]
    actions = ["run_soon"]

    def changelist_view(self, request, extra_context=None):
        # Every registered job has a row, even before its first run.
        for job in registered_jobs():
            JobRun.objects.get_or_create(name=job.name)
        return super().changelist_view(request, extra_context)

    def _job(self, run):
        return {job.name: job for job in registered_jobs()}.get(run.name)

    @admin.display(description="Every")
    def every(self, run):
        job = self._job(run)
        return job.every if job else "no longer registered"

    @admin.display(description="Status")
    def status(self, run):
        job = self._job(run)
        if job is None:
            return "—"
        if job.is_overdue(run, timezone.now()):
            return "Overdue: is a worker running?"
        if run.last_error:
            return "Last run failed (see the error)"
        return "OK"

    @admin.action(description="Run at the next minute", permissions=["change"])
    def run_soon(self, request, queryset):
        count = queryset.update(last_started_at=None)
        self.message_user(
            request, f"{count} job(s) will run when a worker next looks.", messages.SUCCESS
        )


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["worker", "last_seen"]
