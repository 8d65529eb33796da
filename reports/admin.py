from django.contrib import admin

from reports.models import CoverageRecord, ReportPublication


@admin.register(ReportPublication)
class ReportPublicationAdmin(admin.ModelAdmin):
    list_display = ["year", "published_at", "published_by"]
    readonly_fields = ["published_at", "published_by"]

    def save_model(self, request, obj, form, change):
        obj.published_by = obj.published_by or request.user
        super().save_model(request, obj, form, change)


@admin.register(CoverageRecord)
class CoverageRecordAdmin(admin.ModelAdmin):
    list_display = ["year", "service", "area", "agencies", "recorded_at"]
    list_filter = ["year", "area"]
    list_select_related = ["service", "area"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
