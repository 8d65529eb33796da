"""Admin for actions and decisions: officers record them while writing a meeting's minutes.

"Record actions for this meeting" is the add form with `?meeting=<id>`: the meeting and its
date are filled in, and "Save and add another" keeps them for the next action.
"""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, Decision, ProgressNote, StatusChange
from actions.services import record_action, save_action
from events.models import Event
from wmasn.admin_filters import chosen_only_filter


class ProgressNoteInline(admin.TabularInline):
    model = ProgressNote
    fields = ("note", "author", "created_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("author",)
    extra = 0


class StatusChangeInline(admin.TabularInline):
    """The audit: read-only, kept whoever changes the status and wherever."""

    model = StatusChange
    fields = ("changed_at", "from_status", "to_status", "reason", "changed_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _meeting_from(request):
    value = request.GET.get("meeting", "")
    return Event.objects.filter(pk=int(value)).first() if value.isdigit() else None


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("title", "owner_agency", "owner_person", "due_on", "status", "source")
    list_filter = (
        "status",
        chosen_only_filter("meeting", "meeting"),
        "working_group",
        chosen_only_filter("owner_agency", "owner agency"),
        "due_on",
    )
    list_select_related = ("owner_agency", "owner_person", "meeting", "working_group")
    search_fields = ("title", "owner_agency__name", "meeting__title", "notes__note")
    autocomplete_fields = ("meeting", "owner_agency", "working_group")
    raw_id_fields = ("owner_person",)
    readonly_fields = ("created_by", "created_at", "updated_at")
    date_hierarchy = "due_on"
    inlines = [ProgressNoteInline, StatusChangeInline]
    fieldsets = (
        (None, {"fields": ("title", "meeting", "working_group", "agreed_on", "due_on")}),
        ("Owner", {"fields": ("owner_agency", "owner_person")}),
        ("Status", {"fields": ("status", "drop_reason", "closed_on")}),
        ("Record", {"fields": ("created_by", "created_at", "updated_at")}),
    )

    @admin.display(description="from")
    def source(self, action):
        return action.source

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        meeting = _meeting_from(request)
        if meeting:
            initial["meeting"] = meeting.pk
            initial["agreed_on"] = timezone.localdate(meeting.starts_at)
            if meeting.working_group_id:
                initial["working_group"] = meeting.working_group_id
        initial.setdefault("agreed_on", timezone.localdate())
        return initial

    def save_model(self, request, obj, form, change):
        if change:
            previous = form.initial.get("status", obj.status)
            save_action(action=obj, changed_by=request.user, previous_status=previous)
        else:
            record_action(action=obj, recorded_by=request.user)

    def save_formset(self, request, form, formset, change):
        notes = formset.save(commit=False)
        for note in notes:
            if isinstance(note, ProgressNote) and note.author_id is None and not note.pk:
                note.author = request.user
            note.save()
        for deleted in formset.deleted_objects:
            deleted.delete()

    def response_add(self, request, obj, post_url_continue=None):
        # "Save and add another" stays on the same meeting, for the next action of the minutes.
        if "_addanother" in request.POST and obj.meeting_id:
            self.message_user(request, f"The action “{obj}” is recorded.")
            url = reverse("admin:actions_action_add")
            return HttpResponseRedirect(f"{url}?meeting={obj.meeting_id}")
        return super().response_add(request, obj, post_url_continue)


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("short_text", "meeting", "document")
    list_filter = (chosen_only_filter("meeting", "meeting"), "meeting__working_group")
    list_select_related = ("meeting", "document")
    search_fields = ("text", "meeting__title")
    autocomplete_fields = ("meeting",)
    raw_id_fields = ("document",)

    @admin.display(description="decision")
    def short_text(self, decision):
        return decision.text if len(decision.text) <= 80 else decision.text[:79] + "…"

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        meeting = _meeting_from(request)
        if meeting:
            initial["meeting"] = meeting.pk
        return initial

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST:
            self.message_user(request, "The decision is recorded.")
            url = reverse("admin:actions_decision_add")
            return HttpResponseRedirect(f"{url}?meeting={obj.meeting_id}")
        return super().response_add(request, obj, post_url_continue)
