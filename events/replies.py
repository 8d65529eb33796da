"""Calendar answers by email: a member's Accept, Decline or Tentative becomes their RSVP.

Invitations (events.invitations) name the inbound mailbox as ORGANIZER, so Outlook, Google
Calendar, Apple Calendar and Thunderbird send their iMIP REPLY (RFC 6047) there. The mail
layer reads it (wmasn.mail.inbox) and asks this handler, registered from `EventsConfig.ready`.
A REPLY changes an RSVP only when its UID is a portal event that still takes answers and its
ATTENDEE is the sender and is invited; the answer goes through `answer_event`, the website's
own path: past the venue's capacity "Accepted" joins the waiting list, with the same emails.
Anything else changes nothing and is recorded with the reason. A COUNTER (a proposed new
time) is shown to officers, never applied.
"""

import datetime as dt

from django.db.models.functions import Lower
from django.utils import timezone

from events.models import RSVP, Event
from events.services import answer_event
from network.models import User
from wmasn.mail import inbox
from wmasn.mail.inbox import Kind, Outcome, Result

ANSWERS = {
    "ACCEPTED": RSVP.Answer.ATTENDING,
    "DECLINED": RSVP.Answer.APOLOGIES,
    "TENTATIVE": RSVP.Answer.TENTATIVE,
}


@inbox.register
def handle_calendar_answer(incoming):
    """A Result for a calendar REPLY or COUNTER, or None when the message carries neither."""
    for calendar in incoming.calendars():
        method = str(calendar.get("METHOD", "")).strip().upper()
        if method not in {"REPLY", "COUNTER"}:
            continue
        vevent = next(iter(calendar.walk("VEVENT")), None)
        if vevent is None:
            continue
        if method == "COUNTER":
            return _counter(incoming, vevent)
        return _reply(incoming, vevent)
    return None


def _refused(reason, *, user=None, event=None):
    return Result(
        kind=Kind.INVITATION_REPLY, outcome=Outcome.REFUSED, reason=reason, user=user, about=event
    )


def _attendees(vevent):
    found = vevent.get("ATTENDEE", [])
    return found if isinstance(found, list) else [found]


def _address(attendee):
    value = str(attendee).strip()
    return value[len("mailto:") :].strip().lower() if value.lower().startswith("mailto:") else ""


def _reply(incoming, vevent):
    uid = str(vevent.get("UID", "")).strip()
    event = Event.objects.filter(uid=uid).first()
    if event is None:
        return _refused(f"No meeting on the portal has the UID {uid!r}.")
    attendees = _attendees(vevent)
    mine = [a for a in attendees if _address(a) == incoming.sender]
    if not mine:
        named = ", ".join(_address(a) for a in attendees) or "nobody"
        return _refused(
            f"The answer names {named} as the attendee, not its sender {incoming.sender}.",
            event=event,
        )
    attendee = mine[0]
    user = event.invited().alias(address=Lower("email")).filter(address=incoming.sender).first()
    if user is None:
        someone = User.objects.filter(email__iexact=incoming.sender).first()
        return _refused(f"{incoming.sender} is not invited to {event}.", user=someone, event=event)
    if event.is_cancelled:
        return _refused(f"{event} is cancelled: it takes no answers.", user=user, event=event)
    if not event.accepts_rsvps():
        return _refused(f"{event} has taken place: it takes no answers.", user=user, event=event)
    partstat = str(attendee.params.get("PARTSTAT", "")).strip().upper()
    answer = ANSWERS.get(partstat)
    if answer is None:
        return _refused(
            f"The answer is {partstat or 'missing'}, not one the portal records.",
            user=user,
            event=event,
        )
    current = RSVP.objects.filter(event=event, user=user).first()
    made_at = _made_at(vevent)
    if current is not None and made_at is not None and current.updated_at > made_at:
        return _refused(
            f"Older than the answer already given ({current.get_answer_display()}, "
            f"{timezone.localtime(current.updated_at):%d %b %Y %H:%M}).",
            user=user,
            event=event,
        )
    rsvp = answer_event(event=event, user=user, answer=answer)
    given = RSVP.Answer(answer).label
    result = rsvp.get_answer_display()
    reason = f"{user} answered {given} for {event}: recorded as {result}."
    return Result(
        kind=Kind.INVITATION_REPLY, outcome=Outcome.APPLIED, reason=reason, user=user, about=event
    )


def _made_at(vevent):
    """When the client made this answer (DTSTAMP, RFC 5546), if it says so in UTC or a zone."""
    stamp = vevent.get("DTSTAMP")
    value = getattr(stamp, "dt", None)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value
    return None


def _counter(incoming, vevent):
    uid = str(vevent.get("UID", "")).strip()
    event = Event.objects.filter(uid=uid).first()
    start = vevent.get("DTSTART")
    end = vevent.get("DTEND")
    proposed = " to ".join(str(value.dt) for value in (start, end) if value is not None)
    comment = str(vevent.get("COMMENT", "")).strip()
    about = f"{event}" if event else f"an unknown meeting (UID {uid!r})"
    return Result(
        kind=Kind.COUNTER,
        outcome=Outcome.FOR_OFFICERS,
        reason=f"{incoming.sender} proposes a new time for {about}: {proposed}. Not applied.",
        about=event,
        text=comment,
    )
