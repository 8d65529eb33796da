"""Filters the desk links to, on lists of lower apps that cannot know about higher ones."""

from django.contrib import admin
from django.utils import timezone


class PledgedThisYearFilter(admin.SimpleListFilter):
    """Agencies with or without a pledge for a year (this year unless `pledge_year` says)."""

    title = "pledge this year"
    parameter_name = "pledged"

    def lookups(self, request, model_admin):
        return [("yes", "Has a pledge"), ("no", "No pledge")]

    def queryset(self, request, queryset):
        year = pledge_year(request.GET.get("pledge_year"))
        if self.value() == "yes":
            return queryset.filter(pledges__year=year).distinct()
        if self.value() == "no":
            return queryset.exclude(pledges__year=year)
        return queryset


def pledge_year(value):
    """The year asked for, or this year when it is missing or not a sensible year."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


class PledgeYearParameter(admin.SimpleListFilter):
    """Accepts `pledge_year` in the query string (read by PledgedThisYearFilter)."""

    title = "pledge year"
    parameter_name = "pledge_year"

    def lookups(self, request, model_admin):
        this_year = timezone.localdate().year
        return [(str(year), str(year)) for year in (this_year + 1, this_year, this_year - 1)]

    def queryset(self, request, queryset):
        return queryset


def attach_agency_filters():
    """Add the pledge filters to the agency list (the agency admin lives in `network`)."""
    from network.models import Agency

    model_admin = admin.site._registry.get(Agency)
    if model_admin is None or PledgedThisYearFilter in model_admin.list_filter:
        return
    model_admin.list_filter = (
        *model_admin.list_filter,
        PledgedThisYearFilter,
        PledgeYearParameter,
    )
