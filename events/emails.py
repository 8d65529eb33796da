"""Emails about events."""

from events.models import RSVP
from wmasn.links import absolute_url
from wmasn.mail import send_email


def send_cancellation_emails(event):
    """Tell everyone who said they would attend that the event is cancelled."""
    recipients = (
        RSVP.objects.attending()
        .filter(event=event, user__is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    event_url = absolute_url(event.get_absolute_url())
    count = 0
    for rsvp in recipients:
        send_email(
            "events/email/event_cancelled",
            to=rsvp.user.email,
            kind="event-cancelled",
            context={"event": event, "event_url": event_url, "user": rsvp.user},
        )
        count += 1
    return count
