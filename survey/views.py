"""The services survey: directory, gap view, CSV download, and each agency's answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from network.access import get_agency_for_services_edit, sees_member_details
from network.models import Agency, Area
from survey.forms import AgencyServicesFormSet
from survey.gaps import compute_provision, gaps_table, service_offerings
from survey.models import Service
from wmasn.pagination import paginate
from wmasn.spreadsheets import csv_download
from wmasn.text import possessive


@require_safe
def service_list(request):
    """Counts and gaps for everyone; for members, the agencies: a few per service, and all
    of one service or one cell on a paged list (?service=...[&area=...])."""
    provision = compute_provision()
    members_view = sees_member_details(request.user)
    selected = selected_row = page_obj = None
    service_slug = request.GET.get("service")
    area_slug = request.GET.get("area")
    if area_slug:
        selected = provision.cell(service_slug or "", area_slug)
        if selected is None:
            raise Http404("No such service or area.")
        if members_view:
            page_obj = paginate(request, selected.providers)
    elif service_slug:
        selected_row = provision.row(service_slug)
        if selected_row is None:
            raise Http404("No such service.")
        if members_view:
            page_obj = paginate(request, service_offerings(selected_row.service))
    return render(
        request,
        "survey/service_list.html",
        {
            "provision": provision,
            "categories": provision.by_category(),
            "selected": selected,
            "selected_row": selected_row,
            "page_obj": page_obj,
            "sees_member_details": members_view,
            "my_agencies": list(Agency.objects.for_member(request.user)),
        },
    )


@require_safe
def service_gaps_csv(request):
    """The gap table as CSV: counts for everyone, and the agencies' names for members."""
    header, rows = gaps_table(compute_provision(), with_agencies=sees_member_details(request.user))
    response = csv_download("service-gaps", header, rows)
    # Members' and the public's versions differ, so no shared cache may keep one for all.
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def agency_services_edit(request, slug):
    """One form for all of an agency's survey answers, saved in one transaction."""
    agency = get_agency_for_services_edit(request.user, slug)
    formset_kwargs = {
        "agency": agency,
        "services": list(Service.objects.all()),
        "areas": list(Area.objects.all()),
    }
    if request.method == "POST":
        formset = AgencyServicesFormSet(request.POST, **formset_kwargs)
        if formset.is_valid():
            changed = formset.save()
            if changed:
                messages.success(request, f"{possessive(agency.name)} services are saved.")
            else:
                messages.info(request, f"Nothing changed in {possessive(agency.name)} services.")
            return redirect("survey:service-list")
    else:
        formset = AgencyServicesFormSet(**formset_kwargs)
    return render(request, "survey/service_edit.html", {"agency": agency, "formset": formset})
