from django import template
from django.db.models import Q
from django.utils import timezone

from events import times, visibility
from events.models import RSVP, Event

register = template.Library()


@register.simple_tag
def next_network_meetings(limit=3):
    """The next scheduled network meetings, for the home page (no venues: anyone sees it)."""
    return list(
        Event.objects.upcoming()
        .scheduled()
        .filter(kind=Event.Kind.NETWORK_MEETING)
        .only("title", "slug", "starts_at", "ends_at", "all_day", "status")[:limit]
    )


@register.simple_tag
def agency_events(agency):
    """Upcoming events an agency organises or hosts, for its profile page."""
    return (
        Event.objects.upcoming()
        .filter(Q(organiser=agency) | Q(venue__host_agency=agency))
        .only("slug", "title", "starts_at", "ends_at", "all_day", "status")
    )


@register.simple_tag
def group_meetings(group):
    """A working group's meetings in the feeds' window: {"upcoming": ..., "past": ...}."""
    now = timezone.now()
    meetings = Event.objects.filter(working_group=group).in_feeds(now)
    return {"upcoming": meetings.upcoming(now), "past": meetings.past(now)}


@register.simple_tag
def shown_description(event, members):
    """The event's description as this audience sees it (events/visibility.py)."""
    return visibility.description_for(event, members=members)


@register.simple_tag
def shown_cancellation_reason(event, members):
    """The cancellation reason as this audience sees it (events/visibility.py)."""
    return visibility.cancellation_reason_for(event, members=members)


@register.filter
def event_span(event):
    """When an event is, in UK time, as the feeds read it (see events/times.py)."""
    return str(times.event_span(event))


@register.simple_tag
def my_next_meeting(user):
    """A member's next meeting (a network meeting, or one of their working groups' in their
    calendar), with its venue and their answer: {"event", "rsvp"}; None for anyone else."""
    if not user.is_authenticated or not user.sees_member_details:
        return None
    event = (
        Event.objects.upcoming()
        .scheduled()
        .in_personal_feed(user)
        .filter(Q(kind=Event.Kind.NETWORK_MEETING) | Q(working_group__isnull=False))
        .select_related("venue", "working_group")
        .first()
    )
    if event is None:
        return {"event": None, "rsvp": None}
    return {"event": event, "rsvp": RSVP.objects.filter(event=event, user=user).first()}
