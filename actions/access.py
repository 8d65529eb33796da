"""Access checks for actions: one helper per protected resource, the object or 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from actions.models import Action


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
