"""Who may do what with registration: one helper per protected resource, the object or 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from events.models import RSVP, Event
from events.registration.models import DoorStaff
from wmasn.officers import has_officer_powers


def get_registration_event(slug):
    """An event with registration set up, or 404."""
    event = get_object_or_404(
        Event.objects.select_related("venue", "registration", "organiser"), slug=slug
    )
    if event.registration_settings is None:
        raise Http404("This event has no registration.")
    return event


def get_ticket(slug, secret):
    """The registration a ticket link names, or 404: the secret stands in for a login."""
    if not secret or len(secret) > 64:
        raise Http404("No such ticket.")
    return get_object_or_404(
        RSVP.objects.counted().select_related(
            "event", "event__venue", "event__registration", "user"
        ),
        event__slug=slug,
        ticket_secret=secret,
    )


def is_door_staff(user, event):
    return DoorStaff.objects.filter(registration__event=event, user=user).exists()


def may_check_in(user, event):
    """Officers after MFA (wmasn/officers.py), and people an officer named as door staff for
    this event."""
    if not user.is_authenticated or not user.is_active:
        return False
    return has_officer_powers(user) or is_door_staff(user, event)


def get_event_for_door(user, slug):
    """The event whose door this user keeps, or 404 (the same for everyone else)."""
    event = get_registration_event(slug)
    if not may_check_in(user, event):
        raise Http404("No such check-in page.")
    return event
