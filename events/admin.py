from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from events import visibility
from events.forms import (
    AttendanceForm,
    CancelEventsForm,
    EventAdminForm,
    PlannedMeetingFormSet,
    ScheduleMeetingsForm,
)
from events.models import (
    RSVP,
    Attendance,
    CalendarToken,
    Event,
    EventDocument,
    EventNotice,
    SentReminder,
    Venue,
)
from events.services import (
    attendance_candidates,
    cancel_events,
    change_event,
    create_event,
    record_attendance,
    refill_places_at,
    schedule_network_meetings,
)
from network.models import Membership
from wmasn.spreadsheets import csv_download
from wmasn.uploads import DOCUMENT, DocumentUploadForm, UploadAdmin, UploadField


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "town", "postcode", "host_agency", "capacity"]
    list_select_related = ["host_agency"]
    search_fields = ["name", "address", "town", "postcode"]
    autocomplete_fields = ["host_agency"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            # More places (or no limit): the first people waiting move up, and are told.
            refill_places_at(venue=obj)


class EventDocumentForm(DocumentUploadForm):
    # Declared so the admin knows the field; DocumentUploadForm sets whether it is required.
    upload = UploadField(kind=DOCUMENT, required=False)

    class Meta:
        model = EventDocument
        fields = ["kind", "title", "position"]


class EventDocumentInline(admin.TabularInline):
    """Agenda and papers before a meeting, minutes after: members only, checked on upload."""

    model = EventDocument
    form = EventDocumentForm
    extra = 1
    fields = ["kind", "title", "upload", "position", "current_file"]
    readonly_fields = ["current_file"]
    verbose_name = "agenda, paper or minutes"
    verbose_name_plural = "Agenda, papers and minutes (members only)"

    @admin.display(description="Stored")
    def current_file(self, document):
        return document.admin_link()


class RSVPInline(admin.TabularInline):
    model = RSVP
    extra = 0
    can_delete = False
    fields = ["user", "answer", "waiting_since", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def warn_about_venue_details(model_admin, request, event):
    """Tell the officer when public text names the venue: visitors will not see it there."""
    for label, named in visibility.venue_details_in(event):
        model_admin.message_user(
            request,
            f"“{event.title}”: the {label} names venue details ({'; '.join(named)}), which "
            "are for members only. Visitors see “"
            f"{visibility.REDACTED}” in their place. Put where the event is in its venue "
            "instead.",
            messages.WARNING,
        )


@admin.register(Event)
class EventAdmin(UploadAdmin, admin.ModelAdmin):
    form = EventAdminForm
    # Few columns, so the list fits 1,280 px beside the admin's navigation; kind is a filter
    # and the calendar sequence is on each event's page.
    list_display = ["title", "starts_at", "status", "venue"]
    list_filter = ["kind", "status", "starts_at"]
    list_select_related = ["venue"]
    search_fields = ["title", "slug", "description"]
    autocomplete_fields = ["venue", "organiser", "working_group"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["announcement", "sequence", "uid", "created_at", "updated_at"]
    inlines = [EventDocumentInline, RSVPInline]
    actions = ["cancel_selected", "export_attendees_csv"]
    change_list_template = "events/admin/event_change_list.html"
    change_form_template = "events/admin/event_change_form.html"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "kind",
                    "title",
                    "slug",
                    "description",
                    "organiser",
                    "working_group",
                    "invites_members",
                ]
            },
        ),
        (
            "When (UK time)",
            {
                "fields": ["starts_at", "ends_at", "all_day"],
                "description": (
                    "On the night the clocks go back, 01:00 to 01:59 happens twice: say whether "
                    "you mean the first (BST) or the second (GMT)."
                ),
            },
        ),
        ("Where (members only)", {"fields": ["venue", "online_url"]}),
        ("Registration", {"fields": ["registration_url", "registration_deadline"]}),
        ("Status", {"fields": ["status", "cancellation_reason", "announcement"]}),
        ("Calendar", {"fields": ["sequence", "uid", "created_at", "updated_at"]}),
    ]

    def get_ordering(self, request):
        """Upcoming events first, soonest at the top; then past ones, latest first."""
        now = timezone.now()
        past = Q(starts_at__lt=now)
        return [
            Case(When(past, then=Value(1)), default=Value(0)).asc(),
            Case(When(~past, then=F("starts_at"))).asc(),
            Case(When(past, then=F("starts_at"))).desc(),
            "pk",
        ]

    @admin.display(description="Announcement")
    def announcement(self, event):
        if event.announcement_queued_at:
            queued = timezone.localtime(event.announcement_queued_at)
            return f"Waiting for the mail worker since {queued:%d %b %Y %H:%M}"
        if event.announced_at:
            return f"Emailed on {timezone.localtime(event.announced_at):%d %b %Y %H:%M}"
        return None

    def get_urls(self):
        return [
            path(
                "schedule-year/",
                self.admin_site.admin_view(self.schedule_year_view),
                name="events_event_schedule_year",
            ),
            path(
                "<path:object_id>/attendance/",
                self.admin_site.admin_view(self.attendance_view),
                name="events_event_attendance",
            ),
            *super().get_urls(),
        ]

    def schedule_year_view(self, request):
        """Create a year of network meetings, each with its own venue (or to be confirmed)
        and organiser, and announce them (staff with add rights)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        form = ScheduleMeetingsForm(data)
        formset = PlannedMeetingFormSet(data, prefix="meetings")
        if (
            request.method == "POST"
            and form.is_valid()
            and formset.is_valid()
            and form.check_days([planned.day for planned in formset.planned_meetings()])
        ):
            created, skipped = schedule_network_meetings(
                meetings=formset.planned_meetings(),
                starts=form.cleaned_data["starts"],
                ends=form.cleaned_data["ends"],
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
            message = f"Scheduled {len(created)} meeting(s)"
            message += "; the announcement is being emailed to members." if created else "."
            if skipped:
                message += " Skipped dates that already have a network meeting: " + ", ".join(
                    f"{day:%d %b %Y}" for day in skipped
                )
            self.message_user(request, message, messages.SUCCESS)
            return redirect("admin:events_event_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Schedule a year of network meetings",
            "form": form,
            "formset": formset,
            "opts": self.model._meta,
            "adminform": helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
        }
        return TemplateResponse(
            request,
            "events/admin/schedule_year.html",
            context,
            status=400 if request.method == "POST" else 200,
        )

    def save_model(self, request, obj, form, change):
        """A new event is announced by the worker; a change of time, venue or status is told
        to those invited by the worker (events/services.py has the rules)."""
        if change:
            notice = change_event(event=obj, by=request.user)
            if notice is not None and obj.ends_at >= timezone.now():
                self.message_user(
                    request,
                    f"Those invited to “{obj.title}” are being emailed about the "
                    f"{'cancellation' if obj.is_cancelled else 'change'}.",
                    messages.INFO,
                )
        elif create_event(event=obj) and obj.invited().exists():
            self.message_user(
                request,
                f"The announcement of “{obj.title}” is being emailed to those invited.",
                messages.INFO,
            )
        warn_about_venue_details(self, request, obj)

    def attendance_view(self, request, object_id):
        """Record who attended the whole meeting on one page, ticked from the answers."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        event = self.get_object(request, object_id)
        if event is None:
            raise Http404("No such event.")
        if not self.has_change_permission(request, event):
            raise PermissionDenied
        form = AttendanceForm(request.POST or None, candidates=attendance_candidates(event))
        if request.method == "POST" and form.is_valid():
            added, removed = record_attendance(
                event=event, users=form.attendees(), recorded_by=request.user
            )
            self.message_user(
                request,
                f"Attendance saved: {event.attendances.count()} attended "
                f"({added} added, {removed} removed).",
                messages.SUCCESS,
            )
            return redirect("admin:events_event_change", event.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Attendance: {event}",
            "event": event,
            "form": form,
            "rows": list(zip(form["attended"], form.candidates, strict=True)),
            "opts": self.model._meta,
            "original": event,
        }
        return TemplateResponse(request, "events/admin/attendance.html", context)

    @admin.action(description="Cancel selected events (asks for a reason)", permissions=["change"])
    def cancel_selected(self, request, queryset):
        form = CancelEventsForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            cancelled = cancel_events(
                events=list(queryset.order_by("starts_at")),
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
            self.message_user(
                request,
                f"Cancelled {len(cancelled)} event(s); everyone invited is being emailed "
                "the reason.",
                messages.SUCCESS,
            )
            for event in cancelled:
                warn_about_venue_details(self, request, event)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Cancel events",
            "events": queryset.order_by("starts_at"),
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "events/admin/cancel_events.html", context)

    @admin.action(description="Export attendees of selected events as CSV", permissions=["view"])
    def export_attendees_csv(self, request, queryset):
        rsvps = (
            RSVP.objects.counted()
            .filter(event__in=queryset)
            .select_related("event", "user")
            .order_by("event__starts_at", "answer", "user__email")
        )
        agencies = {}
        for membership in (
            Membership.objects.approved()
            .filter(user__in={rsvp.user_id for rsvp in rsvps})
            .select_related("agency")
        ):
            agencies.setdefault(membership.user_id, []).append(membership.agency.name)
        header = ["Event", "Date", "Name", "Email", "Agencies", "Answer", "Answered"]
        rows = (
            [
                rsvp.event.title,
                timezone.localtime(rsvp.event.starts_at).strftime("%Y-%m-%d %H:%M %Z"),
                rsvp.user.get_full_name() if rsvp.user_id else rsvp.name,
                rsvp.email,  # a guest's registration has no user (events/registration/)
                "; ".join(sorted(agencies.get(rsvp.user_id, []))) or rsvp.organisation,
                rsvp.get_answer_display(),
                timezone.localtime(rsvp.updated_at).strftime("%Y-%m-%d %H:%M"),
            ]
            for rsvp in rsvps
        )
        return csv_download("attendees", header, rows)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "schedule_url": reverse("admin:events_event_schedule_year"),
        }
        return super().changelist_view(request, extra_context)


@admin.register(RSVP)
class RSVPAdmin(admin.ModelAdmin):
    list_display = ["event", "user", "answer", "updated_at"]
    list_filter = ["answer"]
    list_select_related = ["event", "user"]
    search_fields = ["event__title", "user__email"]
    raw_id_fields = ["event", "user"]


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    """Officers see that a link exists and when it was used; never the secret."""

    list_display = ["user", "created_at", "last_fetched_at", "last_client"]
    search_fields = ["user__email"]
    fields = ["user", "created_at", "last_fetched_at", "last_client"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    """Read-only list; attendance is recorded per meeting from the meeting's page."""

    list_display = ["event", "user", "agency", "recorded_at", "recorded_by"]
    list_filter = ["agency__sector", "event__kind"]
    list_select_related = ["event", "user", "agency", "recorded_by"]
    search_fields = ["event__title", "user__email", "agency__name"]


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    """What `send_meeting_reminders` has sent: read-only, the record that stops repeats."""

    list_display = ["event", "user", "days_before", "sent_at"]
    list_filter = ["days_before"]
    list_select_related = ["event", "user"]
    search_fields = ["event__title", "user__email"]
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EventNotice)
class EventNoticeAdmin(admin.ModelAdmin):
    """What changed and who must be told: read-only, the record that the worker sends from
    and that stops repeats."""

    list_display = ["event", "kind", "user", "changed_by", "recorded_at", "sent_at"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    list_select_related = ["event", "user", "changed_by"]
    search_fields = ["event__title", "user__email"]
    fields = [
        "event",
        "kind",
        "user",
        "sequence",
        "changed_fields",
        "venue_confirmed",
        "announced",
        "changed_by",
        "recorded_at",
        "sent_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
