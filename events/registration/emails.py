"""Registration's emails, each written to the outbox in the caller's transaction (so a
rolled-back registration sends nothing) and sent by the worker once it commits."""

from django.core import signing

from events import ics
from wmasn.links import absolute_reverse, absolute_url
from wmasn.mail import send_email

CONFIRM_SALT = "events.registration.confirm"


def confirm_token(rsvp):
    return signing.dumps(rsvp.pk, salt=CONFIRM_SALT)


def read_confirm_token(token, *, max_age):
    """The RSVP pk a confirmation link names, or None when forged, malformed or too old."""
    try:
        return int(signing.loads(token, salt=CONFIRM_SALT, max_age=max_age))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def ticket_url(rsvp):
    return absolute_reverse("events:ticket", rsvp.event.slug, rsvp.ticket_secret)


def _context(rsvp, **extra):
    event = rsvp.event
    return {
        "rsvp": rsvp,
        "event": event,
        "name": rsvp.name,
        "event_url": absolute_url(event.get_absolute_url()),
        "ticket_url": ticket_url(rsvp),
        **extra,
    }


def _send(template, rsvp, *, kind, attachments=(), **extra):
    send_email(
        f"events/registration/email/{template}",
        to=rsvp.email,
        context=_context(rsvp, **extra),
        kind=kind,
        attachments=attachments,
    )


def send_confirm_link(rsvp):
    from events.registration.services import CONFIRM_WITHIN

    url = absolute_reverse("events:register-confirm", rsvp.event.slug, confirm_token(rsvp))
    hours = int(CONFIRM_WITHIN.total_seconds() // 3600)
    _send("confirm", rsvp, kind="registration-confirm", confirm_url=url, hours=hours)


def send_registered(rsvp):
    """The ticket (with the event's .ics), or the waiting-list place."""
    attachments = [
        (
            f"{rsvp.event.slug}.ics",
            ics.single_event(rsvp.event, members=True),
            "text/calendar",
        )
    ]
    if rsvp.answer == "waiting":
        _send("waiting", rsvp, kind="registration-waiting", position=rsvp.waiting_position())
    else:
        _send("ticket", rsvp, kind="registration-ticket", attachments=attachments)


def send_already_registered(rsvp):
    _send("already", rsvp, kind="registration-already")


def send_cancelled(rsvp):
    _send("cancelled", rsvp, kind="registration-cancelled")


def send_place_offered(rsvp):
    _send("offered", rsvp, kind="registration-offer")


def send_offer_lapsed(rsvp):
    _send("lapsed", rsvp, kind="registration-offer-lapsed")


def send_reminder(rsvp):
    _send("reminder", rsvp, kind="registration-reminder")


def send_certificate(rsvp):
    base = ticket_url(rsvp)
    _send(
        "certificate",
        rsvp,
        kind="registration-certificate",
        certificate_url=base + "certificate.pdf",
        feedback_url=base + "feedback/",
    )


def send_guest_data_link(email, url):
    """The link to a guest's registrations (their data), to the address asked about."""
    send_email(
        "events/registration/email/guest_data",
        to=email,
        context={"data_url": url},
        kind="registration-guest-data",
    )
