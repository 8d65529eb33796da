"""Access checks for events: one helper per protected resource, the object or 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from events.models import EventDocument
from network.access import sees_member_details


def get_event_document_for_member(user, slug, pk):
    """An event's agenda, paper or minutes, for members and officers; a 404 for anyone
    else, the same as for a file that does not exist."""
    if not sees_member_details(user):
        raise Http404("No such document.")
    return get_object_or_404(EventDocument.objects.select_related("event"), pk=pk, event__slug=slug)
