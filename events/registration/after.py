"""After the event: the attendee's certificate and feedback, and the links that apps above
events (pledges) add to the ticket page through a registry, so events never imports them."""

from django.db import transaction
from django.utils import timezone

from events.models import Attendance
from events.registration import emails
from events.registration.checkin import _recorded

# How long after an event the job still emails certificate links (a lost run catches up).
CERTIFICATES_WITHIN_DAYS = 30

_ticket_links = []


def ticket_link(func):
    """Register `func(rsvp) -> (label, url) or None`: a link an app above events offers on a
    ticket page (the conference's pledge form, from pledges/apps.py)."""
    if func not in _ticket_links:  # ready() may run twice in tests
        _ticket_links.append(func)
    return func


def ticket_links(rsvp):
    return [link for func in _ticket_links if (link := func(rsvp)) is not None]


def attended(rsvp):
    """The attendance recorded for this registration's holder, or None."""
    return _recorded(rsvp.event, rsvp)


def is_over(event, now=None):
    return event.ends_at <= (now or timezone.now())


def certificate_due(rsvp, now=None):
    """A certificate is for those checked in, once the event is over."""
    return is_over(rsvp.event, now) and attended(rsvp) is not None


def send_certificate_links(*, now=None):
    """Email each person checked in at an event that ended (in the last 30 days) the link to
    their certificate and the feedback form, once. Returns how many were sent."""
    now = now or timezone.now()
    since = now - timezone.timedelta(days=CERTIFICATES_WITHIN_DAYS)
    attendances = (
        Attendance.objects.filter(
            registration__isnull=False,
            registration__certificate_sent_at__isnull=True,
            event__ends_at__lte=now,
            event__ends_at__gte=since,
            event__status="scheduled",
        )
        .select_related("registration", "registration__event", "registration__user")
        .order_by("pk")
    )
    sent = 0
    for attendance in attendances:
        rsvp = attendance.registration
        if not rsvp.email:
            continue
        with transaction.atomic():
            claimed = type(rsvp).objects.filter(pk=rsvp.pk, certificate_sent_at__isnull=True)
            if claimed.update(certificate_sent_at=now):
                emails.send_certificate(rsvp)
                sent += 1
    return sent
