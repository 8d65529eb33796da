"""Guests' personal data: their registrations, by an emailed link (they have no account),
erased on request, and erased by the retention job 12 months after the event. Erasing keeps
the row without the person (so the event's counts stay) and frees a place still held.

Members' registrations are their RSVPs: "download my data" and account deletion cover them
(events/privacy.py)."""

import datetime as dt

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from events.models import RSVP
from network.models import User
from network.privacy import DELETED_EMAIL_DOMAIN, iso
from wmasn.mail.erasure import erase_recipient
from wmasn.mail.models import OutgoingEmail

# Guests' registrations are erased this long after the event (stated on /privacy/).
GUEST_RETENTION = dt.timedelta(days=365)
LINK_SALT = "events.registration.guest-data"
LINK_VALID_FOR = dt.timedelta(hours=24)

PERSONAL_FIELDS = {
    "guest_name": "",
    "guest_email": "",
    "organisation": "",
    "job_role": "",
    "dietary_needs": "",
    "access_needs": "",
    "photo_consent": None,
    "photo_consent_at": None,
    "answers": {},
    "ticket_code": "",
    "ticket_secret": "",
}


def data_link_token(email):
    return signing.dumps(email.strip().lower(), salt=LINK_SALT)


def read_data_link_token(token):
    try:
        return signing.loads(token, salt=LINK_SALT, max_age=LINK_VALID_FOR.total_seconds())
    except signing.BadSignature:
        return None


def guest_registrations(email):
    return (
        RSVP.objects.guests()
        .filter(guest_email=email.strip().lower())
        .exclude(guest_email="")
        .select_related("event")
        .order_by("event__starts_at")
    )


def export_guest_data(email):
    """Everything kept about a guest's registrations, as JSON-ready data."""
    return {
        "exported_at": iso(timezone.now()),
        "email": email,
        "registrations": [
            {
                "event": rsvp.event.title,
                "event_starts_at": iso(rsvp.event.starts_at),
                "name": rsvp.guest_name,
                "organisation": rsvp.organisation,
                "job_role": rsvp.job_role,
                "dietary_needs": rsvp.dietary_needs,
                "access_needs": rsvp.access_needs,
                "photo_consent": rsvp.photo_consent,
                "photo_consent_at": iso(rsvp.photo_consent_at),
                "answers": rsvp.answers,
                "answer": rsvp.answer,
                "registered_at": iso(rsvp.created_at),
                "confirmed_at": iso(rsvp.confirmed_at),
                "ticket_code": rsvp.formatted_ticket_code,
                "checked_in_at": iso(
                    getattr(getattr(rsvp, "attendance", None), "recorded_at", None)
                ),
            }
            for rsvp in guest_registrations(email).select_related("attendance")
        ],
    }


def _erase(rsvps, now):
    """Blank the personal fields of these guest registrations; a place at an event still
    to come is given up first, so the next person waiting is offered it."""
    from events.registration import services

    erased = 0
    people = {}
    for rsvp in rsvps:
        if rsvp.guest_email:
            people.setdefault(rsvp.guest_email.lower(), rsvp.guest_name)
        if rsvp.answer in (RSVP.Answer.ATTENDING, RSVP.Answer.WAITING) and rsvp.event.ends_at > now:
            services.cancel_place(rsvp=rsvp, now=now, tell=False)
            rsvp.refresh_from_db()
        for name, value in PERSONAL_FIELDS.items():
            setattr(rsvp, name, value)
        rsvp.save()
        erased += 1
    _erase_from_outbox(people)
    return erased


def _erase_from_outbox(people):
    """The emails sent to these guests (ticket, confirmation, offers) go with their data,
    unless the address is also a member's account, whose own deletion covers its mail."""
    members = set(User.objects.filter(email__in=list(people)).values_list("email", flat=True))
    for email, name in people.items():
        if email in {member.lower() for member in members}:
            continue
        erase_recipient(
            OutgoingEmail.objects.filter(recipient__iexact=email),
            tombstone_email=f"erased-guest@{DELETED_EMAIL_DOMAIN}",
            full_name=name,
            addresses=[email],
        )


@transaction.atomic
def erase_guest_data(email, *, now=None):
    """Erase a guest's registrations on their request. Returns how many."""
    now = now or timezone.now()
    return _erase(list(guest_registrations(email)), now)


def erase_old_guest_data(*, now=None):
    """The retention job: erase guests' registrations 12 months after their event (the
    counts stay). Unconfirmed ones are already gone after a day. Returns how many."""
    now = now or timezone.now()
    old = (
        RSVP.objects.guests()
        .filter(event__ends_at__lt=now - GUEST_RETENTION)
        .exclude(Q(guest_email="") & Q(guest_name="") & Q(organisation=""))
        .select_related("event")
    )
    with transaction.atomic():
        return _erase(list(old), now)
