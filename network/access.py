"""Access checks: one helper per protected resource, returning the object or raising 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from network.models import Agency
from wmasn.officers import has_officer_powers


def get_agency_for_member(user, slug):
    """The agency with this slug if the user is an approved member of it; 404 otherwise."""
    if not user.is_authenticated:
        raise Http404("No such agency.")
    return get_object_or_404(Agency.objects.for_member(user), slug=slug)


def get_agency_for_viewer(user, slug):
    """An active agency by slug; proposed agencies are visible to officers only."""
    agencies = Agency.objects.all()
    if not has_officer_powers(user):  # officers after MFA (wmasn/officers.py)
        agencies = agencies.active()
    return get_object_or_404(agencies, slug=slug)


def get_membership_for_user(user, pk):
    """One of the user's own memberships; anyone else's is a 404."""
    from network.models import Membership

    if not user.is_authenticated:
        raise Http404("No such membership.")
    return get_object_or_404(Membership.objects.for_user(user).select_related("agency"), pk=pk)


def get_agency_for_services_edit(user, slug):
    """The agency whose survey answers this user may edit: an approved member's own agency,
    or any agency for an officer; 404 otherwise."""
    if has_officer_powers(user):  # officers after MFA (wmasn/officers.py)
        return get_object_or_404(Agency.objects.all(), slug=slug)
    return get_agency_for_member(user, slug)


def get_group_for_viewer(user, slug):
    """A working group by slug; groups are public, so only an unknown slug is a 404."""
    from network.models import WorkingGroup

    return get_object_or_404(WorkingGroup.objects.select_related("lead_agency"), slug=slug)


def get_group_membership_for_user(user, slug):
    """The user's own membership of this working group; 404 if they are not in it."""
    from network.models import GroupMembership

    if not user.is_authenticated:
        raise Http404("No such group membership.")
    return get_object_or_404(
        GroupMembership.objects.select_related("group"), user=user, group__slug=slug
    )


def sees_member_details(user):
    """Venues, contacts and members-only content: for members and officers, never visitors."""
    return user.is_authenticated and user.sees_member_details
