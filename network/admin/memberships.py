"""Admin for memberships: officers approve, reject and end them with one action each."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from network import memberships as membership_service
from network.models import Membership


class ReadOnlyMembershipInline(admin.TabularInline):
    """Memberships shown on another page; decisions go through the actions on Memberships,
    so each one records who decided, when, and emails the person."""

    model = Membership
    readonly_fields = ("status", "role", "requested_at", "decided_at", "decided_by", "ended_at")
    extra = 0
    can_delete = False
    show_change_link = True

    def get_fields(self, request, obj=None):
        other_side = "user" if self.fk_name == "agency" else "agency"
        return (other_side, *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "agency", "decided_by")


class StatusFilter(admin.SimpleListFilter):
    """Filter by status; the list opens on the pending requests."""

    title = "status"
    parameter_name = "status"
    default = Membership.Status.PENDING

    def lookups(self, request, model_admin):
        return [*Membership.Status.choices, ("all", "All")]

    def choices(self, changelist):
        current = self.value() or self.default
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or self.default
        if value == "all":
            return queryset
        if value not in Membership.Status.values:
            return queryset.none()
        return queryset.filter(status=value)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "user_email",
        "agency",
        "status",
        "role",
        "requested_at",
        "decided_at",
        "decided_by",
        "auto_approved",
    )
    list_filter = (StatusFilter, "agency__sector", "auto_approved", "agency")
    search_fields = ("user__email", "user__first_name", "user__last_name", "agency__name")
    list_select_related = ("user", "agency", "decided_by")
    ordering = ("requested_at", "pk")
    date_hierarchy = "requested_at"
    autocomplete_fields = ("user", "agency")
    fields = (
        "user",
        "agency",
        "role",
        "status",
        "requested_at",
        "decided_at",
        "decided_by",
        "auto_approved",
        "ended_at",
    )
    # Decisions go through the actions, so each one is recorded and emailed.
    readonly_fields = (
        "status",
        "requested_at",
        "decided_at",
        "decided_by",
        "auto_approved",
        "ended_at",
    )
    actions = ["approve", "reject", "end"]

    @admin.display(description="email", ordering="user__email")
    def user_email(self, membership):
        return membership.user.email

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("user", "agency", *self.readonly_fields)
        return self.readonly_fields

    def _decide(self, request, queryset, decide, verb):
        done, refused = 0, []
        for membership in queryset.select_related("user", "agency"):
            try:
                decide(membership=membership, by=request.user)
            except ValidationError as error:
                refused.append(f"{membership.user.email} ({' '.join(error.messages)})")
            else:
                done += 1
        if done:
            self.message_user(request, f"{verb} {done} membership(s).", messages.SUCCESS)
        if refused:
            self.message_user(
                request, f"Not {verb.lower()}: {'; '.join(refused)}", messages.WARNING
            )

    @admin.action(
        permissions=["change"], description="Approve the selected requests (emails each person)"
    )
    def approve(self, request, queryset):
        self._decide(request, queryset, membership_service.approve, "Approved")

    @admin.action(
        permissions=["change"], description="Reject the selected requests (emails each person)"
    )
    def reject(self, request, queryset):
        self._decide(request, queryset, membership_service.reject, "Rejected")

    @admin.action(
        permissions=["change"], description="End the selected memberships (access goes at once)"
    )
    def end(self, request, queryset):
        self._decide(request, queryset, membership_service.end, "Ended")
