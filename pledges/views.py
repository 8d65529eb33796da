"""Pledges: the wall, recording a pledge, a pledge's page, and editing with progress updates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from network.access import sees_member_details
from network.models import Agency
from pledges.access import get_pledge_for_editor, get_pledge_for_viewer
from pledges.forms import PledgeEditForm, PledgeFilterForm, PledgeForm, ProgressUpdateForm
from pledges.models import Pledge
from pledges.registration import conference_registration
from pledges.services import (
    add_progress_update,
    current_pledge_year,
    edit_pledge,
    pledge_year_choices,
    pledge_year_for_event,
    record_pledge,
    wall_summary,
)
from wmasn.pagination import paginate
from wmasn.text import possessive


@require_safe
def pledge_wall(request):
    """The year's pledges the visitor may see, with filters and counts by status and sector."""
    visible = Pledge.objects.visible_to(request.user)
    default_year = current_pledge_year()
    data = request.GET.copy()
    data.setdefault("year", str(default_year))
    requested = data.get("year", "")
    guess = int(requested) if requested.isdigit() and len(requested) <= 4 else default_year
    summary = wall_summary(request.user, guess)
    form = PledgeFilterForm(data, years=summary.years, default_year=default_year)
    form.is_valid()  # Invalid filters show an error and are ignored; the rest still apply.
    year = form.value("year", default_year)
    if year != guess:
        summary = wall_summary(request.user, year)
    of_year = visible.for_year(year)

    pledges = of_year.select_related("agency", "made_at")
    if sector := form.value("sector"):
        pledges = pledges.filter(agency__sector=sector)
    if agency := form.value("agency"):
        pledges = pledges.filter(agency=agency)
    if agency_name := form.value("agency_name"):
        pledges = pledges.filter(agency__name__icontains=agency_name)
    if status := form.value("status"):
        pledges = pledges.filter(status=status)
    pledges = pledges.order_by("agency__name", "pk")

    filtered = bool(sector or agency or agency_name or status)
    status_counts = summary.by_status()
    sector_counts = summary.by_sector()
    context = {
        "form": form,
        "year": year,
        # Unfiltered, the summary already knows how many there are: no COUNT query.
        "page_obj": paginate(request, pledges, count=None if filtered else summary.total),
        "filtered": filtered,
        "filtered_agency": agency,
        "total": summary.total,
        "status_counts": [
            (value, label, status_counts.get(value, 0)) for value, label in Pledge.Status.choices
        ],
        "sector_counts": [
            (value, label, sector_counts.get(value, 0)) for value, label in Agency.Sector.choices
        ],
        "can_record": sees_member_details(request.user),
    }
    return render(request, "pledges/pledge_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def pledge_create(request):
    """Record a pledge for one of the member's agencies."""
    user = request.user
    if not user.sees_member_details:
        raise Http404("Only members record pledges.")
    initial = {}
    if request.GET.get("year", "").isdigit() and int(request.GET["year"]) in pledge_year_choices():
        initial["year"] = int(request.GET["year"])
    # From a conference ticket's pledge link: that conference, and the registration recorded.
    registration = conference_registration(user, request.GET.get("registration", ""))
    if registration is not None:
        initial["made_at"] = registration.event_id
        initial["year"] = pledge_year_for_event(registration.event)
    data = request.POST if request.method == "POST" else None
    form = PledgeForm(data, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        pledge = record_pledge(
            agency=data["agency"],
            year=data["year"],
            text=data["text"],
            visibility=data["visibility"],
            made_at=data["made_at"],
            created_by=user,
            registration=registration
            if data["made_at"] == getattr(registration, "event", None)
            else None,
        )
        messages.success(
            request, f"{possessive(pledge.agency)} pledge for {pledge.year} is recorded."
        )
        return redirect(pledge)
    return render(request, "pledges/pledge_form.html", {"form": form})


@require_safe
def pledge_detail(request, pk):
    pledge = get_pledge_for_viewer(request.user, pk)
    updates = paginate(
        request, pledge.updates.select_related("author").order_by("created_at", "pk")
    )
    can_edit = (
        request.user.is_authenticated
        and Pledge.objects.editable_by(request.user).filter(pk=pledge.pk).exists()
    )
    return render(
        request,
        "pledges/pledge_detail.html",
        {"pledge": pledge, "updates": updates, "can_edit": can_edit},
    )


@require_http_methods(["GET", "POST"])
@login_required
def pledge_edit(request, pk):
    """Members of the pledge's agency edit it and add progress updates, on one page."""
    pledge = get_pledge_for_editor(request.user, pk)
    edit_form = PledgeEditForm(instance=pledge, prefix="pledge", saved=pledge)
    update_form = ProgressUpdateForm(prefix="update")
    if request.method == "POST":
        if "add_update" in request.POST:
            update_form = ProgressUpdateForm(request.POST, prefix="update")
            if update_form.is_valid():
                add_progress_update(
                    pledge=pledge,
                    note=update_form.cleaned_data["note"],
                    status=update_form.cleaned_data["status"],
                    author=request.user,
                )
                messages.success(request, "Your progress update is added.")
                return redirect(pledge)
        else:
            edit_form = PledgeEditForm(
                request.POST, instance=Pledge(pk=pledge.pk), prefix="pledge", saved=pledge
            )
            if edit_form.is_valid():
                with transaction.atomic():
                    saved = edit_form.still_current()
                    if saved:
                        data = edit_form.cleaned_data
                        edit_pledge(
                            pledge=pledge,
                            text=data["text"],
                            status=data["status"],
                            visibility=data["visibility"],
                        )
                if saved:
                    messages.success(request, "The pledge is saved.")
                    return redirect(pledge)
    updates = paginate(
        request, pledge.updates.select_related("author").order_by("created_at", "pk")
    )
    return render(
        request,
        "pledges/pledge_edit.html",
        {"pledge": pledge, "edit_form": edit_form, "update_form": update_form, "updates": updates},
    )
