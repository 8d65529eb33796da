"""Check-in at the door: a ticket (scanned or typed) or a person found by name becomes a row
of the event's attendance register, the same one officers tick after a meeting."""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from events.models import RSVP, Attendance
from events.registration.tickets import code_from_scan

# How long before a scan reaches the server a queued (offline) scan may say it was made.
QUEUED_SCAN_MAX_AGE = dt.timedelta(hours=12)


@dataclass(frozen=True)
class CheckIn:
    """The answer the door page shows for one scan, typed code or name."""

    status: str  # checked-in, already, wrong-event, cancelled, waiting, unknown
    message: str
    name: str = ""
    organisation: str = ""
    at: object = None

    @property
    def ok(self):
        return self.status in ("checked-in", "already")

    def as_json(self):
        return {
            "status": self.status,
            "ok": self.ok,
            "message": self.message,
            "name": self.name,
            "organisation": self.organisation,
            "at": self.at.isoformat() if self.at else None,
        }


def _time(instant):
    return timezone.localtime(instant).strftime("%H:%M")


def _agency_of(user):
    from network.models import Agency

    return Agency.objects.for_member(user).order_by("name").first() if user else None


def check_in_code(*, event, code, by, scanned_at=None, now=None):
    """Check in the holder of a ticket code (or a scanned QR text) at `event`."""
    code = code_from_scan(code)
    rsvp = RSVP.objects.counted().with_ticket_code(code).select_related("event", "user").first()
    if rsvp is None:
        return CheckIn("unknown", "No ticket has this code. Check it, or find the person by name.")
    return check_in(event=event, rsvp=rsvp, by=by, scanned_at=scanned_at, now=now)


def check_in(*, event, rsvp, by, scanned_at=None, now=None):
    """Record `rsvp`'s holder as attending `event`, once. A scan queued offline keeps the
    time it was made (`scanned_at`), if that is within the last 12 hours."""
    now = now or timezone.now()
    name, organisation = rsvp.name, rsvp.organisation
    if rsvp.event_id != event.pk:
        return CheckIn(
            "wrong-event", f"This ticket is for another event: {rsvp.event.title}.", name
        )
    if rsvp.answer == RSVP.Answer.APOLOGIES:
        return CheckIn("cancelled", "This place was cancelled.", name, organisation)
    if rsvp.answer == RSVP.Answer.WAITING:
        return CheckIn("waiting", "This person is on the waiting list, without a place.", name)
    recorded_at = now
    if scanned_at is not None and now - QUEUED_SCAN_MAX_AGE <= scanned_at <= now:
        recorded_at = scanned_at
    already = _recorded(event, rsvp)
    if already is None:
        try:
            with transaction.atomic():
                Attendance.objects.create(
                    event=event,
                    user=rsvp.user,
                    registration=rsvp,
                    agency=_agency_of(rsvp.user),
                    recorded_by=by,
                    recorded_at=recorded_at,
                )
        except IntegrityError:  # a second phone scanned the same ticket at the same moment
            already = _recorded(event, rsvp)
        else:
            return CheckIn("checked-in", f"Checked in: {name}.", name, organisation, recorded_at)
    return CheckIn(
        "already",
        f"Already checked in at {_time(already.recorded_at)}.",
        name,
        organisation,
        already.recorded_at,
    )


def _recorded(event, rsvp):
    """The attendance already recorded for this registration (or, for a member, ticked on
    the attendance register), or None."""
    match = Q(registration=rsvp)
    if rsvp.user_id:
        match |= Q(user_id=rsvp.user_id)
    return Attendance.objects.filter(match, event=event).first()


def find_people(event, query, *, limit=20):
    """Registrations for `event` matching a name, email, organisation or typed code."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    rsvps = RSVP.objects.counted().filter(event=event).select_related("user", "attendance")
    by_code = rsvps.with_ticket_code(query)
    words = Q()
    for word in query.split():
        words &= (
            Q(guest_name__icontains=word)
            | Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__email__icontains=word)
            | Q(guest_email__icontains=word)
            | Q(organisation__icontains=word)
        )
    found = rsvps.filter(Q(pk__in=by_code.values("pk")) | words)
    return list(found.order_by("guest_name", "user__first_name", "user__last_name")[:limit])


@transaction.atomic
def add_walk_in(*, event, name, email, organisation, by, now=None):
    """Someone who came without registering: a confirmed registration made at the door,
    checked in at once (places do not limit who is already in the room)."""
    now = now or timezone.now()
    email = (email or "").strip().lower()
    if email:
        existing = (
            RSVP.objects.counted().filter(event=event, user__isnull=True, guest_email=email).first()
        )
        if existing is not None:
            existing.answer, existing.waiting_since = RSVP.Answer.ATTENDING, None
            existing.offer_expires_at = None
            existing.save()
            return check_in(event=event, rsvp=existing, by=by, now=now)
    rsvp = RSVP(
        event=event,
        guest_name=name.strip(),
        guest_email=email,
        organisation=organisation.strip(),
        answer=RSVP.Answer.ATTENDING,
        confirmed_at=now,
    )
    rsvp.issue_ticket()
    rsvp.full_clean()
    rsvp.save()
    return check_in(event=event, rsvp=rsvp, by=by, now=now)
