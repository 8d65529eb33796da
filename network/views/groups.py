"""Working groups: the list, a group's page, joining, leaving and the calendar choice.

Access: the pages are public, but member names are shown only to users who see member
details. Joining, leaving and the calendar choice are POST-only: anonymous users are sent to
log in, signed-in users who are not members (pending users) get 403, and the calendar choice
for a group the user is not in is a 404. Closed groups cannot be joined or left: the user is
sent back to the group page with an error message and nothing changes.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from events.models import Event
from network.access import get_group_for_viewer, get_group_membership_for_user, sees_member_details
from network.forms.groups import GroupCalendarForm
from network.models import GroupMembership, WorkingGroup


def _require_member(user):
    if not user.sees_member_details:
        raise PermissionDenied("Only members of the network can join working groups.")


@require_safe
def group_list(request):
    current_members = (
        GroupMembership.objects.current()
        .filter(group=OuterRef("pk"))
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    groups = WorkingGroup.objects.select_related("lead_agency").annotate(
        member_count=Coalesce(Subquery(current_members), 0)
    )
    my_group_ids = set()
    if request.user.is_authenticated:
        my_group_ids = set(
            GroupMembership.objects.filter(user=request.user).values_list("group_id", flat=True)
        )
    return render(
        request, "network/group_list.html", {"groups": groups, "my_group_ids": my_group_ids}
    )


@require_safe
def group_detail(request, slug):
    group = get_group_for_viewer(request.user, slug)
    now = timezone.now()
    meetings = Event.objects.filter(working_group=group).in_feeds(now)
    memberships = GroupMembership.objects.current().filter(group=group).select_related("user")
    memberships = memberships.order_by("user__first_name", "user__last_name", "user__email")
    my_membership = None
    if request.user.is_authenticated:
        my_membership = next((m for m in memberships if m.user_id == request.user.pk), None)
    return render(
        request,
        "network/group_detail.html",
        {
            "group": group,
            "memberships": memberships,
            "member_count": len(memberships),
            "my_membership": my_membership,
            "calendar_form": GroupCalendarForm(instance=my_membership) if my_membership else None,
            "upcoming_meetings": meetings.upcoming(now),
            "past_meetings": meetings.past(now),
            "sees_member_details": sees_member_details(request.user),
        },
    )


@require_POST
@login_required
def group_join(request, slug):
    group = get_group_for_viewer(request.user, slug)
    _require_member(request.user)
    if group.status != WorkingGroup.Status.OPEN:
        messages.error(request, f"{group.name} is closed, so it cannot take new members.")
        return redirect(group)
    _, created = GroupMembership.objects.get_or_create(group=group, user=request.user)
    if created:
        messages.success(request, f"You have joined {group.name}.")
    else:
        messages.info(request, f"You are already in {group.name}.")
    return redirect(group)


@require_POST
@login_required
def group_leave(request, slug):
    group = get_group_for_viewer(request.user, slug)
    _require_member(request.user)
    if group.status != WorkingGroup.Status.OPEN:
        messages.error(request, f"{group.name} is closed, so its membership no longer changes.")
        return redirect(group)
    deleted, _ = GroupMembership.objects.filter(group=group, user=request.user).delete()
    if deleted:
        messages.success(request, f"You have left {group.name}.")
    else:
        messages.info(request, f"You were not in {group.name}.")
    return redirect(group)


@require_POST
@login_required
def group_calendar(request, slug):
    """Switch whether this group's meetings reach the member's personal calendar feed."""
    _require_member(request.user)
    membership = get_group_membership_for_user(request.user, slug)
    form = GroupCalendarForm(request.POST, instance=membership)
    if form.is_valid():
        form.save()
        if membership.show_in_calendar:
            messages.success(request, "This group's meetings are now in your calendar feed.")
        else:
            messages.success(request, "This group's meetings are no longer in your calendar feed.")
    return redirect(membership.group)
