"""Writes that touch several rows: answering, scheduling a year, cancelling with emails."""

from django.db import transaction

from events import times
from events.emails import send_cancellation_emails
from events.models import RSVP, Event


@transaction.atomic
def answer_event(*, event, user, answer):
    """Record the user's answer; answering again updates it (one RSVP per user and event)."""
    rsvp, _ = RSVP.objects.update_or_create(event=event, user=user, defaults={"answer": answer})
    return rsvp


def meeting_slug(day, title="Network meeting"):
    from django.utils.text import slugify

    return f"{slugify(title)}-{day:%Y-%m-%d}"


@transaction.atomic
def schedule_network_meetings(*, days, starts, ends, title, venue=None, description=""):
    """Create a network meeting on each day that has none yet; returns (created, skipped)."""
    created, skipped = [], []
    for day in days:
        slug = meeting_slug(day, title)
        already = (
            Event.objects.filter(kind=Event.Kind.NETWORK_MEETING, starts_at__date=day).exists()
            or Event.objects.filter(slug=slug).exists()
        )
        if already:
            skipped.append(day)
            continue
        event = Event(
            kind=Event.Kind.NETWORK_MEETING,
            title=title,
            slug=slug,
            description=description,
            starts_at=times.uk_datetime(day, starts),
            ends_at=times.uk_datetime(day, ends),
            venue=venue,
        )
        event.full_clean()
        event.save()
        created.append(event)
    return created, skipped


def cancel_events(*, events, reason):
    """Cancel each scheduled event and email the members who said they would attend.
    Returns the events cancelled (already-cancelled ones are left as they are)."""
    cancelled = []
    for event in events:
        if event.is_cancelled:
            continue
        with transaction.atomic():
            event.cancel(reason)
        cancelled.append(event)
        # Each email waits for its own commit; a failed email never undoes the cancellation.
        send_cancellation_emails(event)
    return cancelled
