"""Admin for the services survey: officers keep the list of services; answers can be fixed."""

from django.contrib import admin
from django.db.models import Count

from survey.models import AgencyService, Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "order", "provider_count")
    list_editable = ("order",)
    list_filter = ("category",)
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(provider_count=Count("providers"))

    @admin.display(description="agencies", ordering="provider_count")
    def provider_count(self, obj):
        return obj.provider_count


@admin.register(AgencyService)
class AgencyServiceAdmin(admin.ModelAdmin):
    list_display = ("agency", "service", "area_names", "updated_at")
    list_filter = ("service__category", "service", "areas")
    search_fields = ("agency__name", "service__name", "notes")
    autocomplete_fields = ("agency",)
    filter_horizontal = ("areas",)
    list_select_related = ("agency", "service")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("areas")

    @admin.display(description="areas")
    def area_names(self, obj):
        return ", ".join(area.name for area in obj.areas.all())
