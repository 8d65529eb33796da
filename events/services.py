"""Writes that touch several rows: answering, scheduling a year, cancelling with emails."""

from django.db import transaction
from django.utils import timezone

from events import times
from events.emails import send_cancellation_emails
from events.models import RSVP, Attendance, Event


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
