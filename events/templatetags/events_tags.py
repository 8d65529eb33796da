from django import template

from events.models import Event

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
