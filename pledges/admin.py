"""Admin for pledges: filters, progress inline, CSV export and conference capture."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from events.models import Event
from pledges.forms import ConferenceEventForm, ConferencePledgeFormSet
from pledges.models import Pledge, PledgeReminder, PledgeUpdate
from pledges.services import pledge_year_for_event, record_conference_pledges
from wmasn.admin_filters import chosen_only_filter
from wmasn.spreadsheets import csv_download

CSV_HEADER = [
    "id",
    "year",
    "agency",
    "sector",
    "status",
    "visibility",
    "pledge",
    "made at",
    "progress updates",
    "latest update",
    "created",
]


def pledge_csv_row(pledge):
    """One pledge as a line of the export (the queryset annotates its updates)."""
    return [
        pledge.pk,
        pledge.year,
        pledge.agency.name,
        pledge.agency.get_sector_display(),
        pledge.get_status_display(),
        pledge.get_visibility_display(),
        pledge.text,
        pledge.made_at.title if pledge.made_at else "",
        pledge.update_count,
        timezone.localtime(pledge.latest_update).date().isoformat() if pledge.latest_update else "",
        timezone.localtime(pledge.created_at).date().isoformat(),
    ]


class PledgeUpdateInline(admin.TabularInline):
    model = PledgeUpdate
    fields = ("note", "status", "author", "created_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("author",)
    extra = 1


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin):
    list_display = ("agency", "year", "short_text", "status", "visibility", "made_at")
    list_filter = (
        "year",
        "status",
        "visibility",
        "agency__sector",
        chosen_only_filter("agency", "agency"),
    )
    list_select_related = ("agency", "made_at")
    search_fields = ("text", "agency__name", "updates__note")
    autocomplete_fields = ("agency",)
    raw_id_fields = ("created_by",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [PledgeUpdateInline]
    actions = ["export_csv"]
    change_list_template = "pledges/pledge_admin_change_list.html"

    @admin.display(description="pledge")
    def short_text(self, pledge):
        return pledge.text if len(pledge.text) <= 80 else pledge.text[:79] + "…"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "made_at":
            kwargs["queryset"] = Event.objects.filter(kind=Event.Kind.CONFERENCE).order_by(
                "-starts_at"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        updates = formset.save(commit=False)
        for update in updates:
            if update.author_id is None and not update.pk:
                update.author = request.user
            update.save()
        for deleted in formset.deleted_objects:
            deleted.delete()

    @admin.action(description="Export the selected pledges as CSV")
    def export_csv(self, request, queryset):
        pledges = (
            queryset.select_related("agency", "made_at")
            .annotate(update_count=Count("updates"), latest_update=Max("updates__created_at"))
            .order_by("-year", "agency__name", "pk")
        )
        return csv_download("pledges", CSV_HEADER, (pledge_csv_row(p) for p in pledges))

    def get_urls(self):
        capture = self.admin_site.admin_view(self.conference_view)
        return [
            path("conference/", capture, name="pledges_pledge_conference"),
            *super().get_urls(),
        ]

    def conference_view(self, request):
        """Capture many agencies' pledges made at a conference, on one page, all or none."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method not in ("GET", "HEAD", "POST"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
        data = request.POST if request.method == "POST" else None
        event_form = ConferenceEventForm(data, initial={"event": request.GET.get("event")})
        formset = ConferencePledgeFormSet(data, prefix="pledges")
        if data is not None and event_form.is_valid() and formset.is_valid():
            event = event_form.cleaned_data["event"]
            rows = [form.cleaned_data for form in formset if form.has_changed()]
            try:
                pledges = record_conference_pledges(event=event, rows=rows, created_by=request.user)
            except ValidationError as error:
                event_form.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"{len(pledges)} pledge{'s' if len(pledges) != 1 else ''} for "
                    f"{pledge_year_for_event(event)} recorded from {event.title}.",
                )
                return redirect(
                    reverse("admin:pledges_pledge_changelist")
                    + f"?year={pledge_year_for_event(event)}"
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Capture pledges made at a conference",
            "event_form": event_form,
            "formset": formset,
        }
        return TemplateResponse(request, "pledges/pledge_admin_conference.html", context)


@admin.register(PledgeReminder)
class PledgeReminderAdmin(admin.ModelAdmin):
    """A record of reminder emails sent, so officers can see who was asked and when."""

    list_display = ("agency", "kind", "year", "sent_on")
    list_filter = ("kind", "year", "sent_on")
    search_fields = ("agency__name",)
    list_select_related = ("agency",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
