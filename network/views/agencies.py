"""Views for agencies: the directory, a profile, and the profile its members edit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch, Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from events.models import Event
from network.access import get_agency_for_member, get_agency_for_viewer, sees_member_details
from network.forms.agencies import AgencyContactFormSet, AgencyFilterForm, AgencyProfileForm
from network.models import Agency, AgencyContact, Pledge
from wmasn.pagination import paginate


@require_safe
def agency_list(request):
    """The directory of active agencies; members and officers also see named contacts."""
    form = AgencyFilterForm(request.GET or None)
    agencies = Agency.objects.active().prefetch_related("areas")
    show_contacts = sees_member_details(request.user)
    if show_contacts:
        agencies = agencies.prefetch_related(
            Prefetch("contacts", queryset=AgencyContact.objects.order_by("order", "name"))
        )
    agencies = form.filter(agencies)
    return render(
        request,
        "network/agency_list.html",
        {
            "form": form,
            "page_obj": paginate(request, agencies),
            "show_contacts": show_contacts,
            "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
        },
    )


@require_safe
def agency_detail(request, slug):
    """An agency's profile, its pledges by year and the upcoming events it runs or hosts."""
    agency = get_agency_for_viewer(request.user, slug)
    show_contacts = sees_member_details(request.user)
    pledges = Pledge.objects.visible_to(request.user).filter(agency=agency).order_by("-year", "pk")
    events = (
        Event.objects.upcoming()
        .filter(Q(organiser=agency) | Q(venue__host_agency=agency))
        .only("slug", "title", "starts_at", "ends_at", "all_day", "status")
    )
    can_edit = request.user.is_authenticated and request.user.is_member_of(agency)
    return render(
        request,
        "network/agency_detail.html",
        {
            "agency": agency,
            "areas": agency.areas.all(),
            "contacts": agency.contacts.all() if show_contacts else [],
            "show_contacts": show_contacts,
            "pledges": pledges,
            "events": events,
            "can_edit": can_edit,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_edit(request, slug):
    """Members of this agency edit its public profile and named contacts; others get 404."""
    agency = get_agency_for_member(request.user, slug)
    form = AgencyProfileForm(request.POST or None, instance=agency)
    formset = AgencyContactFormSet(request.POST or None, instance=agency, prefix="contacts")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            form.save()
            formset.save()
        messages.success(request, f"{agency}'s profile is saved.")
        return redirect(agency)
    return render(
        request, "network/agency_form.html", {"agency": agency, "form": form, "formset": formset}
    )
