"""The event rules: what happens when an event is created, moved, re-venued or cancelled,
and when members answer. Every write that touches several rows is here, and the admin, the
year scheduler and the cancel action call these functions and nothing else.

No email is rendered here. A change records an `EventNotice` (and a new event is marked
waiting for its announcement) in the caller's transaction; once it commits, the worker
renders and sends the emails (events/tasks.py, events/notices.py).
"""

import copy
import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from events import tasks, times
from events.models import (
    RSVP,
    Attendance,
    Event,
    EventNotice,
    meeting_title,
    retitled_for_venue,
)
from events.registration import services as registration

# Answering -------------------------------------------------------------------------------------


@transaction.atomic
def answer_event(*, event, user, answer):
    """Record the user's answer (one RSVP per user and event), minding the venue's capacity:
    past it, "attending" joins the waiting list, and apologies free a place for the first
    one waiting. Both sides are told by the worker."""
    event = _locked(event)
    current = RSVP.objects.filter(event=event, user=user).first()
    previous = current.answer if current else None
    full = event.capacity is not None and _places_taken(event) >= event.capacity
    if answer == RSVP.Answer.ATTENDING and previous != answer and full:
        answer = RSVP.Answer.WAITING
    if answer == RSVP.Answer.WAITING:
        waiting_since = current.waiting_since if previous == answer else timezone.now()
    else:
        waiting_since = None
    rsvp, _ = RSVP.objects.update_or_create(
        event=event, user=user, defaults={"answer": answer, "waiting_since": waiting_since}
    )
    if event.registration_settings is not None and not rsvp.ticket_secret:
        # At an event with registration the answer is the registration: it has a ticket.
        rsvp.issue_ticket()
        rsvp.save(update_fields=["ticket_code", "ticket_secret", "updated_at"])
    told = []
    if answer == RSVP.Answer.WAITING and previous != answer:
        told.append(_personal_notice(event, EventNotice.Kind.WAITING, user))
    if previous == RSVP.Answer.ATTENDING and answer != previous:
        promoted = _fill_places_and_tell(event)
        if promoted:
            told.append(_personal_notice(event, EventNotice.Kind.PLACE_RELEASED, user))
    if told:
        tasks.notify_after_commit()
    return rsvp


def _locked(event):
    """The event's row, locked until the transaction ends: answers, changes and the worker's
    announcement of it queue on this lock, so none of them reads a place or a state another
    is changing."""
    return Event.objects.select_for_update(of=("self",)).select_related("venue").get(pk=event.pk)


def _places_taken(event):
    return RSVP.objects.holding_places().filter(event=event).count()


def fill_places(event):
    """Move people up from the waiting list, in order, while the venue has room; returns
    their RSVPs. Call with the event row locked (as answer_event does)."""
    if event.capacity is None:
        free = RSVP.objects.waiting().filter(event=event).count()
    else:
        free = event.capacity - _places_taken(event)
    promoted = list(RSVP.objects.waiting().filter(event=event).select_related("user")[:free])
    for rsvp in promoted:
        rsvp.answer, rsvp.waiting_since = RSVP.Answer.ATTENDING, None
        rsvp.save(update_fields=["answer", "waiting_since", "updated_at"])
    return promoted


def _fill_places_and_tell(event):
    if event.registration_settings is not None:
        # A registration's freed places are offered, each for a while, not given at once.
        registration.offer_places(event)
        return []
    promoted = fill_places(event)
    EventNotice.objects.bulk_create(
        EventNotice(
            event=event, kind=EventNotice.Kind.PLACE_GIVEN, user=rsvp.user, sequence=event.sequence
        )
        for rsvp in promoted
    )
    return promoted


def _personal_notice(event, kind, user):
    return EventNotice.objects.create(event=event, kind=kind, user=user, sequence=event.sequence)


@transaction.atomic
def refill_places_at(*, venue):
    """After a venue gained places (or lost its limit): at each of its upcoming events, move
    people up from the waiting list while there is room; the worker tells each of them.
    Returns the RSVPs moved up."""
    promoted = []
    for event in Event.objects.upcoming().scheduled().filter(venue=venue):
        promoted += _fill_places_and_tell(_locked(event))
    if promoted:
        tasks.notify_after_commit()
    return promoted


# Creating --------------------------------------------------------------------------------------


@transaction.atomic
def create_events(*, events):
    """Save new events; those still to come are marked waiting for their announcement, which
    the worker sends once committed, one email per member for the whole batch. Returns the
    events that will be announced."""
    announced = []
    for event in events:
        if event.accepts_rsvps():
            tasks.queue_announcement(event)
            announced.append(event)
        event.full_clean()
        event.save()
    if announced:
        tasks.announce_after_commit()
    return announced


def create_event(*, event):
    """Save one new event (the admin's add form); True when it will be announced."""
    return bool(create_events(events=[event]))


def meeting_slug(day, title="Network meeting"):
    return f"{slugify(title)}-{day:%Y-%m-%d}"


@dataclass(frozen=True)
class PlannedMeeting:
    """One row of "Schedule a year": a date, and a venue (None: to be confirmed) and organiser."""

    day: dt.date
    venue: object = None
    organiser: object = None


@transaction.atomic
def schedule_network_meetings(*, meetings, starts, ends, title, description=""):
    """Create a network meeting for each planned date that has none yet, titled with its
    venue's town, through `create_events`: the worker announces them in one email per
    member. Returns (created, skipped)."""
    planned_events, skipped = [], []
    for planned in sorted(meetings, key=lambda planned: planned.day):
        day = planned.day
        slug = meeting_slug(day, title)
        already = (
            Event.objects.filter(kind=Event.Kind.NETWORK_MEETING, starts_at__date=day).exists()
            or Event.objects.filter(slug=slug).exists()
        )
        if already:
            skipped.append(day)
            continue
        planned_events.append(
            Event(
                kind=Event.Kind.NETWORK_MEETING,
                title=meeting_title(title, planned.venue),
                slug=slug,
                description=description,
                starts_at=times.uk_datetime(day, starts),
                ends_at=times.uk_datetime(day, ends),
                venue=planned.venue,
                organiser=planned.organiser,
            )
        )
    create_events(events=planned_events)
    return planned_events, skipped


# Changing and cancelling -----------------------------------------------------------------------


@transaction.atomic
def change_event(*, event, by=None):
    """Save an edit of an existing event (the admin's change form). When its time, venue or
    status changed: the sequence rises (Event.save), a title naming the old venue's town
    names the new one, the worker tells those invited (a cancellation with its reason), and
    a venue with more places moves people up from the waiting list. Returns the notice
    recorded, or None when nothing they need to hear changed (a typo in the description)."""
    previous = _locked(event)
    changed = event.changed_since(previous)
    if "venue_id" in changed and event.title == previous.title:
        event.title = retitled_for_venue(event.title, previous.venue, event.venue)
    event.full_clean()
    event.save()
    notice = _record_change(event, previous, by=by)
    if "venue_id" in changed:
        _fill_places_and_tell(event)
    if notice is not None:
        tasks.notify_after_commit()
    return notice


@transaction.atomic
def cancel_event(*, event, reason, by=None):
    """Cancel a scheduled event with a reason (its sequence rises); the worker tells everyone
    invited. Returns the notice recorded, or None for an event already cancelled."""
    notice = _cancel(event, reason, by=by)
    if notice is not None:
        tasks.notify_after_commit()
    return notice


@transaction.atomic
def cancel_events(*, events, reason, by=None):
    """Cancel each scheduled event, as `cancel_event` does, all or none. Returns the events
    cancelled (already-cancelled ones are left as they are)."""
    cancelled = [event for event in events if _cancel(event, reason, by=by) is not None]
    if cancelled:
        tasks.notify_after_commit()
    return cancelled


def _cancel(event, reason, *, by):
    current = _locked(event)
    if current.is_cancelled:
        return None
    previous = copy.copy(current)
    current.cancel(reason)
    notice = _record_change(current, previous, by=by)
    event.refresh_from_db()
    return notice


def _record_change(event, previous, *, by):
    """The notice of a saved change from `previous` (the row as it was, still locked), or
    None when no time, venue or status changed. An event still waiting for its
    announcement is one nobody invited has heard of: the announcement will carry the new
    details, and of its cancellation only those who answered are told."""
    changed = event.changed_since(previous)
    if not changed:
        return None
    cancelled = event.is_cancelled and not previous.is_cancelled
    return EventNotice.objects.create(
        event=event,
        kind=EventNotice.Kind.CANCELLED if cancelled else EventNotice.Kind.CHANGED,
        sequence=event.sequence,
        changed_fields=changed,
        venue_confirmed="venue_id" in changed and previous.venue_id is None,
        announced=previous.announcement_queued_at is None,
        changed_by=by,
    )


# Attendance ------------------------------------------------------------------------------------


def attendance_candidates(event):
    """People to list on the attendance page: those who answered, and those already recorded,
    with whether each is ticked (recorded, or, before anything is recorded, said attending)."""
    from network.models import User

    recorded = set(Attendance.objects.filter(event=event).values_list("user_id", flat=True))
    answers = dict(RSVP.objects.filter(event=event).values_list("user_id", "answer"))
    people = User.objects.filter(pk__in={*recorded, *answers}).order_by(
        "last_name", "first_name", "email"
    )
    return [
        {
            "user": person,
            "answer": answers.get(person.pk, ""),
            "ticked": person.pk in recorded
            if recorded
            else answers.get(person.pk) == RSVP.Answer.ATTENDING,
        }
        for person in people
    ]


@transaction.atomic
def record_attendance(*, event, users, recorded_by, now=None):
    """Make the event's attendance exactly `users`; each keeps the agency recorded before,
    or gets the first of their agencies (by name). Returns (added, removed) counts."""
    from network.models import Membership

    now = now or timezone.now()
    wanted = {user.pk for user in users}
    existing = set(Attendance.objects.filter(event=event).values_list("user_id", flat=True))
    # Guests checked in at the door are not on this list of members: they stay.
    removed, _ = (
        Attendance.objects.filter(event=event, user__isnull=False)
        .exclude(user_id__in=wanted)
        .delete()
    )
    agency_of = {}
    for user_id, agency_id in (
        Membership.objects.approved()
        .filter(user_id__in=wanted - existing)
        .order_by("-agency__name")
        .values_list("user_id", "agency_id")
    ):
        agency_of[user_id] = agency_id  # the last one written is the first by name
    Attendance.objects.bulk_create(
        [
            Attendance(
                event=event,
                user_id=user_id,
                agency_id=agency_of.get(user_id),
                recorded_by=recorded_by,
                recorded_at=now,
            )
            for user_id in sorted(wanted - existing)
        ]
    )
    return len(wanted - existing), removed
