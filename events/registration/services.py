"""Every write of registration: registering (a member in one click, a guest by a confirmed
email), cancelling, the waiting list's offers, and the jobs' expiries.

Places are counted under the event's row lock (the same lock `events.services.answer_event`
takes), so two people never get the last place. A place freed at a registration event is not
handed over at once, as at meetings: it is offered to the next person waiting, who has the
registration's `offer_hours` to accept it; the place is kept for them meanwhile
(`RSVP.objects.holding_places()`), and the offer job passes it on when time runs out.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from events.models import RSVP, Event
from events.registration import emails

# A guest who has not confirmed by the emailed link within this long loses the registration.
CONFIRM_WITHIN = dt.timedelta(hours=24)

DETAIL_FIELDS = (
    "organisation",
    "job_role",
    "dietary_needs",
    "access_needs",
    "photo_consent",
    "answers",
)


def lock_event(event):
    """The event's row, locked until the transaction ends (as events.services does)."""
    return (
        Event.objects.select_for_update(of=("self",))
        .select_related("venue", "registration")
        .get(pk=event.pk)
    )


def places_taken(event, now=None):
    return RSVP.objects.holding_places(now).filter(event=event).count()


def is_full(event, now=None):
    capacity = event.capacity
    return capacity is not None and places_taken(event, now) >= capacity


def counts(event, now=None):
    """The live figures officers see: places, taken, waiting, unconfirmed, checked in."""
    rsvps = RSVP.objects.filter(event=event)
    return {
        "capacity": event.capacity,
        "attending": rsvps.attending().count(),
        "offered": rsvps.holding_places(now).filter(answer=RSVP.Answer.WAITING).count(),
        "waiting": rsvps.waiting().count(),
        "unconfirmed": rsvps.unconfirmed().count(),
        "checked_in": event.attendances.count(),
    }


def _apply_details(rsvp, details, now):
    for name in DETAIL_FIELDS:
        if name in details:
            if name == "photo_consent" and details[name] != rsvp.photo_consent:
                rsvp.photo_consent_at = now
            setattr(rsvp, name, details[name])


def _take_place_or_wait(event, rsvp, now):
    if is_full(event, now):
        rsvp.answer, rsvp.waiting_since = RSVP.Answer.WAITING, now
    else:
        rsvp.answer, rsvp.waiting_since = RSVP.Answer.ATTENDING, None
    rsvp.offer_expires_at = None


def _still_registered(rsvp):
    return rsvp is not None and rsvp.answer in (RSVP.Answer.ATTENDING, RSVP.Answer.WAITING)


@transaction.atomic
def register_member(*, event, user, details, now=None):
    """A member's registration, which is their RSVP: a place, or the waiting list when
    full. Registering again only updates the answers. Returns the RSVP."""
    now = now or timezone.now()
    event = lock_event(event)
    rsvp = RSVP.objects.filter(event=event, user=user).first()
    already = _still_registered(rsvp)
    if rsvp is None:
        rsvp = RSVP(event=event, user=user)
    _apply_details(rsvp, details, now)
    if not already:
        _take_place_or_wait(event, rsvp, now)
    rsvp.issue_ticket()
    rsvp.full_clean()
    rsvp.save()
    if not already:
        emails.send_registered(rsvp)
    return rsvp


@transaction.atomic
def register_guest(*, event, name, email, details, now=None):
    """A guest's registration, waiting for its confirmation by the emailed link; their
    place counts only once confirmed. Someone already registered with this address is
    emailed their ticket instead (the form says the same either way, so it tells nobody
    who is registered). Returns the new RSVP, or None."""
    now = now or timezone.now()
    email = email.strip().lower()
    existing = (
        RSVP.objects.counted()
        .filter(event=event, user__isnull=True, guest_email=email)
        .select_related("event")
        .first()
    )
    if _still_registered(existing):
        emails.send_already_registered(existing)
        return None
    rsvp = RSVP(
        event=event,
        guest_name=name.strip(),
        guest_email=email,
        answer=RSVP.Answer.ATTENDING,
    )
    _apply_details(rsvp, details, now)
    rsvp.issue_ticket()
    rsvp.full_clean()
    rsvp.save()
    emails.send_confirm_link(rsvp)
    return rsvp


@transaction.atomic
def confirm_guest(*, rsvp, now=None):
    """Count a guest's registration: a place, or the waiting list when full. A second
    click changes nothing. Returns the registration that counts (an earlier confirmed one
    for the same address, if the guest registered twice)."""
    now = now or timezone.now()
    event = lock_event(rsvp.event)
    rsvp = RSVP.objects.select_for_update().get(pk=rsvp.pk)
    if rsvp.confirmed_at is not None:
        return rsvp
    earlier = (
        RSVP.objects.counted()
        .filter(event=event, user__isnull=True, guest_email=rsvp.guest_email)
        .first()
    )
    if earlier is not None:
        rsvp.delete()
        if not _still_registered(earlier):
            _take_place_or_wait(event, earlier, now)
            earlier.save()
            emails.send_registered(earlier)
        return earlier
    rsvp.confirmed_at = now
    _take_place_or_wait(event, rsvp, now)
    try:
        with transaction.atomic():
            rsvp.save()
    except IntegrityError:  # pragma: no cover - the lock above serialises confirmations
        return RSVP.objects.get(
            event=event, guest_email=rsvp.guest_email, confirmed_at__isnull=False
        )
    emails.send_registered(rsvp)
    return rsvp


@transaction.atomic
def cancel_place(*, rsvp, now=None, tell=True):
    """Give up a place (or leave the waiting list); a freed place is offered to the next
    person waiting. The person is emailed to confirm it, unless `tell` is False (their data
    is being erased). Returns the RSVP."""
    now = now or timezone.now()
    event = lock_event(rsvp.event)
    rsvp = RSVP.objects.select_for_update().get(pk=rsvp.pk)
    if not _still_registered(rsvp):
        return rsvp
    rsvp.answer, rsvp.waiting_since, rsvp.offer_expires_at = RSVP.Answer.APOLOGIES, None, None
    rsvp.save(update_fields=["answer", "waiting_since", "offer_expires_at", "updated_at"])
    offer_places(event, now=now)
    if tell:
        emails.send_cancelled(rsvp)
    return rsvp


def offer_places(event, *, now=None):
    """Offer free places, in waiting-list order, each for the registration's `offer_hours`;
    each person offered is emailed. Call with the event row locked. Returns the offers."""
    now = now or timezone.now()
    settings = event.registration_settings
    waiting = RSVP.objects.waiting().filter(event=event).filter(offer_expires_at__isnull=True)
    if event.capacity is None:
        offered = list(waiting)
    else:
        free = event.capacity - places_taken(event, now)
        offered = list(waiting[: max(free, 0)])
    expires = now + dt.timedelta(hours=settings.offer_hours if settings else 48)
    for rsvp in offered:
        rsvp.offer_expires_at = expires
        rsvp.save(update_fields=["offer_expires_at", "updated_at"])
        emails.send_place_offered(rsvp)
    return offered


@transaction.atomic
def accept_offer(*, rsvp, now=None):
    """Take the place offered, if the offer still runs. Returns True when it was taken."""
    now = now or timezone.now()
    lock_event(rsvp.event)
    rsvp = RSVP.objects.select_for_update().get(pk=rsvp.pk)
    if rsvp.answer != RSVP.Answer.WAITING or not rsvp.offer_expires_at:
        return False
    if rsvp.offer_expires_at <= now:
        return False
    rsvp.answer, rsvp.waiting_since, rsvp.offer_expires_at = RSVP.Answer.ATTENDING, None, None
    rsvp.save(update_fields=["answer", "waiting_since", "offer_expires_at", "updated_at"])
    emails.send_registered(rsvp)
    return True


def expire_offers(*, now=None):
    """Offers not accepted in time: the person leaves the waiting list (and is told), and
    the place goes to the next. Returns how many offers lapsed. Idempotent."""
    now = now or timezone.now()
    lapsed = 0
    event_ids = set(
        RSVP.objects.filter(answer=RSVP.Answer.WAITING, offer_expires_at__lte=now).values_list(
            "event_id", flat=True
        )
    )
    for event_id in sorted(event_ids):
        with transaction.atomic():
            event = lock_event(Event(pk=event_id))
            expired = list(
                RSVP.objects.select_for_update(of=("self",))
                .filter(event=event, answer=RSVP.Answer.WAITING, offer_expires_at__lte=now)
                .select_related("user", "event")
            )
            for rsvp in expired:
                rsvp.answer, rsvp.waiting_since = RSVP.Answer.APOLOGIES, None
                rsvp.offer_expires_at = None
                rsvp.save(
                    update_fields=["answer", "waiting_since", "offer_expires_at", "updated_at"]
                )
                emails.send_offer_lapsed(rsvp)
            lapsed += len(expired)
            if not event.is_cancelled and event.ends_at > now:
                offer_places(event, now=now)
    return lapsed


def expire_unconfirmed(*, now=None):
    """Delete guests' registrations not confirmed within CONFIRM_WITHIN. Returns how many."""
    now = now or timezone.now()
    deleted, _ = RSVP.objects.unconfirmed().filter(created_at__lt=now - CONFIRM_WITHIN).delete()
    return deleted
