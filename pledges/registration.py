"""The conference's pledge form from a registration: the ticket page links to it (through
events' registry of ticket links), with the member's agency filled in, and the pledge
records who made it and from which registration."""

from django.urls import reverse

from events.models import RSVP, Event


def conference_registration(user, secret):
    """The user's own registration at a conference that a ticket secret names, or None."""
    if not secret or len(secret) > 64 or not user.is_authenticated:
        return None
    return (
        RSVP.objects.filter(
            ticket_secret=secret,
            user=user,
            answer=RSVP.Answer.ATTENDING,
            event__kind=Event.Kind.CONFERENCE,
        )
        .select_related("event")
        .first()
    )


def pledge_link(rsvp):
    """The ticket page's link to the pledge form, for members at a conference."""
    if rsvp.user_id is None or rsvp.event.kind != Event.Kind.CONFERENCE:
        return None
    url = reverse("pledges:pledge-create") + f"?registration={rsvp.ticket_secret}"
    return "Make your agency's pledge", url
