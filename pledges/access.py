"""Access checks for pledges: one helper per protected resource, the object or 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from pledges.models import Pledge


def get_pledge_for_viewer(user, pk):
    """A pledge the user may see: public ones for everyone, members-only ones for members."""
    return get_object_or_404(
        Pledge.objects.visible_to(user).select_related("agency", "made_at"), pk=pk
    )


def get_pledge_for_editor(user, pk):
    """A pledge of one of the user's agencies (any pledge for an officer); 404 otherwise."""
    if not user.is_authenticated:
        raise Http404("No such pledge.")
    return get_object_or_404(
        Pledge.objects.editable_by(user).select_related("agency", "made_at"), pk=pk
    )
