"""Admin for working groups: members inline, and the "Close group" action."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone

from events.feeds import bump_feed_version
from network.models import GroupMembership, WorkingGroup


class GroupMembershipInline(admin.TabularInline):
    model = GroupMembership
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "show_in_calendar", "joined_at")
    readonly_fields = ("joined_at",)


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "lead_agency", "status", "member_count", "closed_at")
    list_filter = ("status",)
    search_fields = ("name", "purpose")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("lead_agency",)
    readonly_fields = ("created_at", "closed_at")
    inlines = [GroupMembershipInline]
    actions = ["close_groups"]
    list_select_related = ("lead_agency",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description="members", ordering="member_count")
    def member_count(self, obj):
        return obj.member_count

    @admin.action(description="Close group", permissions=["change"])
    def close_groups(self, request, queryset):
        """Close the selected open groups; their future meetings leave every feed."""
        closed = queryset.open().update(status=WorkingGroup.Status.CLOSED, closed_at=timezone.now())
        bump_feed_version()  # update() sends no signals; the feeds must drop the meetings now
        self.message_user(
            request,
            f"Closed {closed} group{'s' if closed != 1 else ''}. "
            "Their future meetings are no longer in any calendar feed.",
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        # Closing a group by editing its status records when, as the action does.
        if obj.status == WorkingGroup.Status.CLOSED and obj.closed_at is None:
            obj.closed_at = timezone.now()
        elif obj.status == WorkingGroup.Status.OPEN:
            obj.closed_at = None
        super().save_model(request, obj, form, change)
