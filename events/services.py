"""Writes that touch several rows: answering, scheduling a year, cancelling with emails."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from events import notices, tasks, times
from events.models import RSVP, Attendance, Event, meeting_title


@transaction.atomic
def answer_event(*, event, user, answer):
    """Record the user's answer (one RSVP per user and event), minding the venue's capacity:
    past it, "attending" joins the waiting list, and apologies free a place for the first
    one waiting. Both sides are emailed."""
    # Two answers at once queue on this lock, so they cannot both take the last place.
    event = Event.objects.select_for_update(of=("self",)).select_related("venue").get(pk=event.pk)
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
    if answer == RSVP.Answer.WAITING and previous != answer:
        notices.notify_waiting(rsvp)
    if previous == RSVP.Answer.ATTENDING and answer != previous:
        for promoted in fill_places(event):
            notices.notify_place_given(promoted, released_by=user)
    return rsvp


def _places_taken(event):
    return RSVP.objects.attending().filter(event=event).count()


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


@transaction.atomic
def refill_places(event):
    """After the venue or its capacity changed: move people up from the waiting list while
    there is room, and tell each of them."""
    event = Event.objects.select_for_update(of=("self",)).select_related("venue").get(pk=event.pk)
    promoted = fill_places(event)
    for rsvp in promoted:
        notices.notify_place_given(rsvp, released_by=None)
    return promoted


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
    venue's town; once committed, the worker announces them in one email per member
    (events/tasks.py). Returns (created, skipped)."""
    created, skipped = [], []
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
        event = Event(
            kind=Event.Kind.NETWORK_MEETING,
            title=meeting_title(title, planned.venue),
            slug=slug,
            description=description,
            starts_at=times.uk_datetime(day, starts),
            ends_at=times.uk_datetime(day, ends),
            venue=planned.venue,
            organiser=planned.organiser,
        )
        tasks.queue_announcement(event)
        event.full_clean()
        event.save()
        created.append(event)
    if created:
        tasks.announce_after_commit()
    return created, skipped


def cancel_events(*, events, reason):
    """Cancel each scheduled event and tell everyone invited, with the reason.
    Returns the events cancelled (already-cancelled ones are left as they are)."""
    cancelled = []
    for event in events:
        if event.is_cancelled:
            continue
        # Each notice waits for its own commit; a failed email never undoes the cancellation.
        with transaction.atomic():
            event.cancel(reason)
            notices.notify_cancelled(event)
        cancelled.append(event)
    return cancelled


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
    removed, _ = Attendance.objects.filter(event=event).exclude(user_id__in=wanted).delete()
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
