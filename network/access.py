"""Access checks: one helper per protected resource, returning the object or raising 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from network.models import Agency


def get_agency_for_member(user, slug):
    """The agency with this slug if the user is an approved member of it; 404 otherwise."""
    if not user.is_authenticated:
        raise Http404("No such agency.")
    return get_object_or_404(Agency.objects.for_member(user), slug=slug)
