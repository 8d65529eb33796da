"""Admin for users, agencies, memberships, working groups and resources."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from network import imports, invitations
from network import services as membership_service
from network.admin_imports import SpreadsheetImportMixin
from network.models import (
    Agency,
    AgencyContact,
    Area,
    GroupMembership,
    Invitation,
    Membership,
    NotificationPreferences,
    Resource,
    User,
    WorkingGroup,
)
from wmasn.admin_filters import chosen_only_filter, titled_filter
from wmasn.mail.models import BouncedAddress
from wmasn.spreadsheets import csv_download


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

    title = "membership status"
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
    # Few, short columns: status stays in view at 1,280 px beside the admin's navigation.
    list_display = ("person", "agency_display", "status", "requested", "decided")
    list_filter = (
        StatusFilter,
        ("agency__status", titled_filter("agency status")),
        ("agency__sector", titled_filter("agency sector")),
        "auto_approved",
        chosen_only_filter("agency", "agency"),
    )
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
    actions = ["approve", "approve_with_agency", "reject", "end"]
    change_form_template = "network/admin/membership_change_form.html"

    class Media:
        css = {"all": ["css/admin-chair.css"]}

    # One-click decisions on the membership's page and the desk: the same service functions
    # and messages as the list's actions.
    DECISIONS = {
        "approve": ("Approved", membership_service.approve),
        "approve_with_agency": (
            "Approved",
            lambda *, membership, by: membership_service.approve(
                membership=membership, by=by, with_agency=True
            ),
        ),
        "decline": ("Rejected", membership_service.reject),
    }

    def get_urls(self):
        return [
            path(
                "<path:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="network_membership_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, object_id):
        return require_POST(self._decide_one)(request, object_id)

    def _decide_one(self, request, object_id):
        membership = self.get_object(request, object_id)
        if membership is None:
            raise Http404
        if not self.has_change_permission(request, membership):
            raise PermissionDenied
        decision = self.DECISIONS.get(request.POST.get("decision"))
        if decision is None:
            return HttpResponseBadRequest("Unknown decision.")
        verb, decide = decision
        self._decide(request, Membership.objects.filter(pk=membership.pk), decide, verb)
        back = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(back)
        return redirect("admin:network_membership_change", membership.pk)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            context["decide_url"] = reverse("admin:network_membership_decide", args=[obj.pk])
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="person", ordering="user__email")
    def person(self, membership):
        return format_html(
            '{}<br><span class="quiet">{}</span>', membership.user, membership.user.email
        )

    @admin.display(description="agency", ordering="agency__name")
    def agency_display(self, membership):
        agency = membership.agency
        if agency.status == Agency.Status.ACTIVE:
            return agency.name
        return format_html(
            '{}<br><span class="quiet">{}</span>', agency.name, agency.get_status_display()
        )

    @admin.display(description="requested", ordering="requested_at")
    def requested(self, membership):
        return f"{timezone.localtime(membership.requested_at):%d %b %Y}"

    @admin.display(description="decided", ordering="decided_at")
    def decided(self, membership):
        if membership.decided_at is None:
            return "—"
        when = f"{timezone.localtime(membership.decided_at):%d %b %Y}"
        if membership.auto_approved:
            return f"{when}, automatically"
        return f"{when}, by {membership.decided_by}" if membership.decided_by else when

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("user", "agency", *self.readonly_fields)
        return self.readonly_fields

    def _decide(self, request, queryset, decide, verb):
        done, refused, agencies = 0, [], []
        for membership in queryset.select_related("user", "agency"):
            try:
                decide(membership=membership, by=request.user)
            except ValidationError as error:
                refused.append(f"{membership.user.email} ({' '.join(error.messages)})")
            else:
                done += 1
                if getattr(membership, "agency_approved_with_it", False):
                    agencies.append(membership.agency.name)
        if done:
            message = f"{verb} {done} membership(s)."
            if agencies:
                message += (
                    " Also approved the proposed agenc"
                    f"{'y' if len(agencies) == 1 else 'ies'} {', '.join(agencies)}, "
                    "now listed in the directory."
                )
            self.message_user(request, message, messages.SUCCESS)
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
        permissions=["change"],
        description="Approve the selected requests with their proposed agencies (emails each)",
    )
    def approve_with_agency(self, request, queryset):
        def decide(*, membership, by):
            return membership_service.approve(membership=membership, by=by, with_agency=True)

        self._decide(request, queryset, decide, "Approved")

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


class UserAddForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError("A user with this email address already exists.")
        return email


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class NotificationPreferencesInline(admin.StackedInline):
    """The person's email choices: an officer can switch a kind off for someone who asks."""

    model = NotificationPreferences
    can_delete = False
    max_num = 1


class UserMembershipInline(ReadOnlyMembershipInline):
    """The user's memberships."""

    fk_name = "user"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    fieldsets = (
        (None, {"fields": ("email", "mail_status", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "job_title", "phone")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined", "deleted_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "date_joined")
    # A deleted account stays as an anonymous tombstone, so officers see that and when.
    list_display += ("deleted_at",)
    list_filter = (
        "is_staff",
        "is_superuser",
        "is_active",
        "groups",
        ("memberships__status", titled_filter("membership status")),
    )
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined", "deleted_at", "mail_status")
    inlines = [NotificationPreferencesInline, UserMembershipInline]

    @admin.display(description="Mail to this address")
    def mail_status(self, user):
        """A bounced address (at sending, or by a bounce that came back later) is shown here."""
        bounced = BouncedAddress.objects.filter(address=(user.email or "").lower()).first()
        if bounced is None:
            return "Delivered normally"
        state = "Suppressed: nothing is sent" if bounced.is_suppressed else "Bounced once"
        url = (
            reverse("admin:mail_bouncedaddress_changelist")
            + "?"
            + urlencode({"q": bounced.address})
        )
        return format_html(
            '{} ({}). <a href="{}">Clear it</a> once the address works again.',
            state,
            bounced.last_reply[:200],
            url,
        )

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Officers manage people, but cannot hand out superuser or single permissions.
            fields += ["is_superuser", "user_permissions"]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


# Spreadsheet apps run a cell starting with one of these as a formula.

CSV_COLUMNS = [
    "name",
    "slug",
    "sector",
    "status",
    "areas",
    "website",
    "public_email",
    "public_phone",
    "address",
    "contacts",
    "approved_members",
]


def agency_csv_row(agency):
    contacts = "; ".join(
        " ".join(p for p in (c.name, f"({c.role})" if c.role else "", c.email, c.phone) if p)
        for c in agency.contacts.all()
    )
    return [
        agency.name,
        agency.slug,
        agency.get_sector_display(),
        agency.get_status_display(),
        ", ".join(area.name for area in agency.areas.all()),
        agency.website,
        agency.public_email,
        agency.public_phone,
        " ".join(agency.address.split()),
        contacts,
        agency.approved_members,
    ]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_region_wide", "order")
    list_editable = ("order",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class AgencyContactInline(admin.TabularInline):
    model = AgencyContact
    fields = ("name", "role", "email", "phone", "order")
    extra = 1


class AgencyMembershipInline(ReadOnlyMembershipInline):
    """Who belongs to the agency."""

    fk_name = "agency"


@admin.register(Agency)
class AgencyAdmin(SpreadsheetImportMixin, admin.ModelAdmin):
    # Onboarding: import agencies from CSV or Excel, with a preview first (network/imports.py).
    import_columns = imports.AGENCY_COLUMNS
    import_noun = "agency"
    list_display = ("name", "sector", "status", "website", "proposed_by", "updated_at")
    list_filter = ("status", "sector", "areas")
    search_fields = ("name", "slug", "description", "email_domains")
    list_select_related = ("proposed_by",)
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("areas",)
    autocomplete_fields = ("proposed_by",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [AgencyContactInline, AgencyMembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["approve_proposed", "export_csv"]
    fieldsets = (
        (None, {"fields": ("name", "slug", "sector", "status", "proposed_by")}),
        (
            "Public profile",
            {"fields": ("description", "website", "public_email", "public_phone", "address")},
        ),
        ("Areas and auto-approval", {"fields": ("areas", "email_domains")}),
        ("History", {"fields": ("created_at", "updated_at")}),
    )

    def plan_import(self, rows):
        return imports.plan_agencies(rows)

    def write_import(self, plan, request):
        return imports.import_agencies(plan)

    @admin.action(permissions=["change"], description="Approve the selected proposed agencies")
    def approve_proposed(self, request, queryset):
        proposed = list(queryset.proposed())
        for agency in proposed:
            membership_service.approve_agency(agency=agency)
        self.message_user(
            request,
            f"Approved {len(proposed)} agenc{'y' if len(proposed) == 1 else 'ies'}. "
            "Approve their pending membership requests under Memberships.",
            messages.SUCCESS,
        )

    @admin.action(permissions=["view"], description="Export the selected agencies as CSV")
    def export_csv(self, request, queryset):
        agencies = queryset.prefetch_related("areas", "contacts").annotate(
            approved_members=_approved_member_count()
        )
        rows = (agency_csv_row(agency) for agency in agencies.order_by("name"))
        return csv_download("agencies", CSV_COLUMNS, rows)


def _approved_member_count():
    return Count(
        "memberships",
        filter=Q(memberships__in=Membership.objects.approved()),
        distinct=True,
    )


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


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "phone", "email", "url", "order")
    list_editable = ("order",)
    list_filter = ("kind",)
    search_fields = ("title", "description", "phone", "email", "url")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ("kind", "title", "description", "phone", "hours", "email", "url", "order")


class InvitationStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Invitation.State.choices

    def queryset(self, request, queryset):
        if self.value() in Invitation.State.values:
            return queryset.in_state(self.value())
        return queryset


@admin.register(Invitation)
class InvitationAdmin(SpreadsheetImportMixin, admin.ModelAdmin):
    """Invite one person (add one: it is sent on saving) or every person of an import
    (import, then "Send" on the ones not sent yet); re-send and revoke from the list."""

    import_columns = imports.PEOPLE_COLUMNS
    import_noun = "person"
    list_display = ("email", "first_name", "last_name", "agency", "state_display", "sent_at")
    list_filter = (InvitationStateFilter, "agency__sector")
    list_select_related = ("agency",)
    search_fields = ("email", "first_name", "last_name", "agency__name")
    autocomplete_fields = ("agency",)
    fields = ("email", "first_name", "last_name", "agency", "role")
    actions = ["send_selected", "revoke_selected"]

    def plan_import(self, rows):
        return imports.plan_people(rows)

    def write_import(self, plan, request):
        done = imports.import_people(plan, by=request.user)
        self.message_user(
            request,
            'Nobody has been emailed yet: choose the state "Not sent yet", select them all and '
            'use "Send (or re-send) the selected invitations".',
            messages.INFO,
        )
        return done

    @admin.display(description="state")
    def state_display(self, obj):
        return obj.state().label

    def get_readonly_fields(self, request, obj=None):
        # Who and where are fixed once made; a new address is a new invitation.
        return ("email", "agency") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.pk = invitations.invite(
            email=obj.email,
            agency=obj.agency,
            by=request.user,
            first_name=obj.first_name,
            last_name=obj.last_name,
            role=obj.role,
        ).pk

    @admin.action(permissions=["change"], description="Send (or re-send) the selected invitations")
    def send_selected(self, request, queryset):
        sent = 0
        for invitation in queryset.filter(accepted_at__isnull=True).select_related("agency"):
            invitations.send(invitation=invitation, by=request.user)
            sent += 1
        skipped = queryset.count() - sent
        self.message_user(
            request,
            f"Sent {sent} invitation(s) with a new link each."
            + (f" {skipped} already accepted, left alone." if skipped else ""),
            messages.SUCCESS,
        )

    @admin.action(permissions=["change"], description="Revoke the selected invitations")
    def revoke_selected(self, request, queryset):
        revoked = 0
        for invitation in queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True):
            invitations.revoke(invitation=invitation)
            revoked += 1
        self.message_user(request, f"Revoked {revoked} invitation(s).", messages.SUCCESS)
