"""Registration's periodic jobs: offers that ran out, unconfirmed guests, and the day-before
reminders. Each is idempotent."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from events.models import RSVP
from events.registration import emails, services
from wmasn.jobs import periodic


@periodic("registration-offers", every=dt.timedelta(minutes=5))
def lapse_offers():
    """Pass on places whose offer ran out; returns how many lapsed."""
    return services.expire_offers()


@periodic("registration-unconfirmed", every=dt.timedelta(hours=1))
def delete_unconfirmed():
    """Delete guests' registrations never confirmed; returns how many."""
    return services.expire_unconfirmed()


def reminders_due(now):
    """Registrations with a place at an event that starts tomorrow (UK date) or later
    today, not yet reminded."""
    today = timezone.localdate(now)
    tomorrow_ends = timezone.make_aware(
        dt.datetime.combine(today + dt.timedelta(days=2), dt.time(0))
    )
    return (
        RSVP.objects.ticketed()
        .filter(
            event__status="scheduled",
            event__starts_at__gt=now,
            event__starts_at__lt=tomorrow_ends,
            reminded_at__isnull=True,
        )
        .select_related("event", "event__venue", "user")
    )


@periodic("registration-reminders", every=dt.timedelta(hours=1))
def send_reminders(now=None):
    """Email each registrant the day before; returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for rsvp in reminders_due(now):
        with transaction.atomic():
            # The conditional update claims the reminder: a second run sends nothing again.
            claimed = RSVP.objects.filter(pk=rsvp.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if claimed:
                emails.send_reminder(rsvp)
                sent += claimed
    return sent


@periodic("registration-certificates", every=dt.timedelta(hours=1))
def send_certificate_links():
    """Email certificate links to those checked in at events now over; returns how many."""
    from events.registration import after

    return after.send_certificate_links()


@periodic("registration-retention", every=dt.timedelta(days=1))
def erase_old_guest_registrations():
    """Erase guests' registrations 12 months after their event; returns how many."""
    from events.registration import privacy

    return privacy.erase_old_guest_data()
