"""Emails about events."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string

from events.models import RSVP


def send_cancellation_emails(event):
    """Tell everyone who said they would attend that the event is cancelled."""
    recipients = (
        RSVP.objects.attending()
        .filter(event=event, user__is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    context = {
        "event": event,
        "event_url": settings.SITE_URL.rstrip("/") + event.get_absolute_url(),
    }
    subject = render_to_string("events/email/event_cancelled_subject.txt", context).strip()
    messages = []
    for rsvp in recipients:
        body = render_to_string(
            "events/email/event_cancelled_body.txt", {**context, "user": rsvp.user}
        )
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [rsvp.user.email]))
    if messages:
        send_mass_mail(messages, fail_silently=False)
    return len(messages)
