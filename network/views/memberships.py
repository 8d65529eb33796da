"""Views for memberships: my memberships, ask to join, propose an agency, leave."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from network import memberships as membership_service
from network.access import get_membership_for_user
from network.forms.memberships import JoinAgencyForm, ProposeAgencyForm
from network.models import Membership


@login_required
@require_http_methods(["GET", "POST"])
def membership(request):
    """The user's memberships, and the forms to join or propose an agency."""
    user = request.user
    join_form = JoinAgencyForm(user=user, prefix="join")
    propose_form = ProposeAgencyForm(prefix="propose")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "join":
            join_form = JoinAgencyForm(request.POST, user=user, prefix="join")
            if join_form.is_valid():
                return _join(request, join_form)
        elif action == "propose":
            propose_form = ProposeAgencyForm(request.POST, prefix="propose")
            if propose_form.is_valid():
                return _propose(request, propose_form)
        else:
            return HttpResponseBadRequest("Unknown action.")
    memberships = (
        Membership.objects.for_user(user).select_related("agency").order_by("agency__name")
    )
    return render(
        request,
        "network/membership.html",
        {
            "memberships": memberships,
            "join_form": join_form,
            "propose_form": propose_form,
        },
    )


def _join(request, form):
    data = form.cleaned_data
    try:
        membership = membership_service.request_membership(
            user=request.user, agency=data["agency"], role=data["role"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("network:membership")
    if membership.status == Membership.Status.APPROVED:
        messages.success(
            request,
            f"Your verified work email matches {membership.agency}, so you are now a member.",
        )
    else:
        messages.success(
            request,
            f"Your request to join {membership.agency} is sent. A network officer will "
            "review it and you will get an email.",
        )
    return redirect("network:membership")


def _propose(request, form):
    data = form.cleaned_data
    try:
        agency, _ = membership_service.propose_agency(
            user=request.user,
            name=data["name"],
            sector=data["sector"],
            website=data["website"],
            description=data["description"],
            role=data["role"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("network:membership")
    messages.success(
        request,
        f"Thank you: {agency} is proposed. A network officer will review the agency and your "
        "membership, and you will get an email.",
    )
    return redirect("network:membership")


@login_required
@require_POST
def membership_leave(request, pk):
    """End one of the user's own memberships (or withdraw a pending request)."""
    membership = get_membership_for_user(request.user, pk)
    try:
        membership_service.end(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"You have left {membership.agency}.")
    return redirect("network:membership")
