"""Admin for agencies and areas: search, filters, contacts and memberships inline, CSV export."""

import csv

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils import timezone

from network import memberships as membership_service
from network.admin.memberships import ReadOnlyMembershipInline
from network.models import Agency, AgencyContact, Area, Membership
from wmasn.spreadsheets import csv_safe

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
class AgencyAdmin(admin.ModelAdmin):
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
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"wmasn-agencies-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for agency in agencies.order_by("name"):
            writer.writerow([csv_safe(cell) for cell in agency_csv_row(agency)])
        return response


def _approved_member_count():
    return Count(
        "memberships",
        filter=Q(memberships__in=Membership.objects.approved()),
        distinct=True,
    )
