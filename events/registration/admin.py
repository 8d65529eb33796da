"""The admin's registration pages: open registration on an event, its questions and door
staff, and the live counts. Kept apart from events/admin.py (EventAdmin is untouched)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from events.registration import services
from events.registration.models import DoorStaff, Question, RegistrationSettings


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "text", "kind", "choices", "required"]


class DoorStaffInline(admin.TabularInline):
    model = DoorStaff
    extra = 0
    raw_id_fields = ["user"]
    verbose_name = "door staff member"


@admin.register(RegistrationSettings)
class RegistrationSettingsAdmin(admin.ModelAdmin):
    """Open registration on an event; the counts are read afresh on every page load."""

    list_display = ["event", "audience", "is_open", "capacity", "places"]
    list_filter = ["is_open", "audience"]
    list_select_related = ["event", "event__venue"]
    search_fields = ["event__title"]
    raw_id_fields = ["event"]
    readonly_fields = ["live_counts", "pages"]
    fieldsets = [
        (None, {"fields": ["event", "audience", "is_open", "capacity", "offer_hours"]}),
        (
            "Standard questions (organisation and job role are always asked)",
            {"fields": ["ask_dietary_needs", "ask_access_needs", "ask_photo_consent"]},
        ),
        ("Now", {"fields": ["live_counts", "pages"]}),
    ]
    inlines = [QuestionInline, DoorStaffInline]

    @admin.display(description="places taken")
    def places(self, obj):
        figures = services.counts(obj.event)
        capacity = figures["capacity"] if figures["capacity"] is not None else "no limit"
        return f"{figures['attending']} of {capacity}; {figures['waiting']} waiting"

    @admin.display(description="counts")
    def live_counts(self, obj):
        if obj.pk is None:
            return "-"
        figures = services.counts(obj.event)
        return format_html(
            "Capacity {}: {} attending, {} offered a place, {} waiting, {} not yet confirmed, "
            "{} checked in.",
            figures["capacity"] if figures["capacity"] is not None else "no limit",
            figures["attending"],
            figures["offered"],
            figures["waiting"],
            figures["unconfirmed"],
            figures["checked_in"],
        )

    @admin.display(description="pages")
    def pages(self, obj):
        if obj.pk is None:
            return "-"
        slug = obj.event.slug
        return format_html(
            '<a href="{}">Registration form</a> · <a href="{}">Counts, badges and exports</a>'
            ' · <a href="{}">Check-in</a> · <a href="{}">Registrations</a>',
            reverse("events:register", args=[slug]),
            reverse("events:registrations", args=[slug]),
            reverse("events:check-in", args=[slug]),
            reverse("admin:events_rsvp_changelist") + f"?event__id__exact={obj.event_id}",
        )
