"""The services survey: directory, gap view, CSV download, and each agency's answers."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from network.access import get_agency_for_services_edit, sees_member_details
from network.models import Agency, Area
from survey.forms import AgencyServicesFormSet
from survey.gaps import compute_provision, write_gaps_csv
from survey.models import Service


@require_safe
def service_list(request):
    """Who provides what and where, and the gap table; agencies' names for members only."""
    provision = compute_provision()
    selected = None
    service_slug = request.GET.get("service")
    area_slug = request.GET.get("area")
    if service_slug or area_slug:
        selected = provision.cell(service_slug or "", area_slug or "")
        if selected is None:
            raise Http404("No such service or area.")
    return render(
        request,
        "survey/service_list.html",
        {
            "provision": provision,
            "categories": provision.by_category(),
            "selected": selected,
            "sees_member_details": sees_member_details(request.user),
            "my_agencies": list(Agency.objects.for_member(request.user)),
        },
    )


@require_safe
def service_gaps_csv(request):
    """The gap table as CSV: counts for everyone, and the agencies' names for members."""
    out = io.StringIO()
    write_gaps_csv(compute_provision(), out, with_agencies=sees_member_details(request.user))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="wmasn-service-gaps.csv"'
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
                messages.success(request, f"{agency.name}'s services are saved.")
            else:
                messages.info(request, f"Nothing changed in {agency.name}'s services.")
            return redirect("survey:service-list")
    else:
        formset = AgencyServicesFormSet(**formset_kwargs)
    return render(request, "survey/service_edit.html", {"agency": agency, "formset": formset})
