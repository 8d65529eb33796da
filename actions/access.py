"""Access checks for actions: one helper per protected resource, the object or 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from actions.models import Action
from network.models import WorkingGroup
from wmasn.officers import has_officer_powers


def get_action_for_viewer(user, pk):
    """An action the user may read: any, for members and officers; 404 for everyone else."""
    if not user.is_authenticated:
        raise Http404("No such action.")
    return get_object_or_404(Action.objects.visible_to(user).with_related(), pk=pk)


def get_action_for_owner(user, pk):
    """An action the user may update: one owned by their agency (any, for an officer);
    404 otherwise, for GET and POST alike."""
    if not user.is_authenticated:
        raise Http404("No such action.")
    return get_object_or_404(Action.objects.editable_by(user).with_related(), pk=pk)


def leads_group(user, group):
    """Whether the user records a working group's actions: an officer, or a member of the
    group's lead agency while the group is open."""
    if not (user.is_authenticated and user.is_active):
        return False
    if has_officer_powers(user):  # after MFA (wmasn/officers.py)
        return True
    return (
        group.status == WorkingGroup.Status.OPEN
        and group.lead_agency_id is not None
        and group.lead_agency_id in user.approved_agency_ids
    )


def get_group_for_lead(user, slug):
    """A working group whose actions the user records (see leads_group); 404 otherwise."""
    if not user.is_authenticated:
        raise Http404("No such working group.")
    group = get_object_or_404(WorkingGroup.objects.select_related("lead_agency"), slug=slug)
    if not leads_group(user, group):
        raise Http404("No such working group.")
    return group
