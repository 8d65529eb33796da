"""Demo registration: the next Anti-Slavery Day conference open to everyone, with a
capacity, two questions of its own and a few registrations. Idempotent. Rows are written
directly, so loading the demo emails nobody."""

import datetime as dt

from django.utils import timezone

from events.models import RSVP, Event, Question, RegistrationSettings
from network.models import User

CAPACITY = 120
QUESTIONS = [
    (
        Question.Kind.ONE,
        "Which afternoon workshop would you like?",
        "Supply chains\nVictim care\nCounty lines",
        True,
    ),
    (
        Question.Kind.SEVERAL,
        "Which topics should the next conference cover?",
        "Labour exploitation\nCriminal exploitation\nSexual exploitation\nDomestic servitude",
        False,
    ),
]
MEMBERS = [
    ("police@example.org", "West Midlands Police", "Detective sergeant"),
    ("barnardos@example.org", "Barnardo's", "Independent child trafficking guardian"),
]
GUESTS = [
    (
        "Sam Okafor",
        "sam.okafor@example.org",
        "Birmingham Hospitals Trust",
        "Safeguarding nurse",
        True,
    ),
    ("Ruth Evans", "ruth.evans@example.org", "Citizens Advice Sandwell", "Adviser", True),
    ("Tom Price", "tom.price@example.org", "Price & Sons Logistics", "Operations manager", False),
]


def next_conference(now=None):
    now = now or timezone.now()
    return (
        Event.objects.filter(
            kind=Event.Kind.CONFERENCE, slug__startswith="anti-slavery-day-conference-"
        )
        .upcoming(now)
        .first()
    )


def load_registration(stdout):
    event = next_conference()
    if event is None:
        return
    if event.registration_deadline is None:
        event.registration_deadline = timezone.localtime(event.starts_at).date() - dt.timedelta(
            days=7
        )
        event.save()
    settings, _ = RegistrationSettings.objects.get_or_create(
        event=event,
        defaults={
            "audience": RegistrationSettings.Audience.EVERYONE,
            "is_open": True,
            "capacity": CAPACITY,
        },
    )
    for position, (kind, text, choices, required) in enumerate(QUESTIONS, start=1):
        Question.objects.get_or_create(
            registration=settings,
            text=text,
            defaults={"kind": kind, "choices": choices, "required": required, "position": position},
        )
    first_question = settings.questions.order_by("position").first()
    now = timezone.now()
    for email, organisation, role in MEMBERS:
        user = User.objects.filter(email=email).first()
        if user is None or RSVP.objects.filter(event=event, user=user).exists():
            continue
        rsvp = RSVP(
            event=event,
            user=user,
            answer=RSVP.Answer.ATTENDING,
            organisation=organisation,
            job_role=role,
            photo_consent=True,
            photo_consent_at=now,
            answers={str(first_question.pk): "Victim care"},
        )
        rsvp.issue_ticket()
        rsvp.save()
    for name, email, organisation, role, confirmed in GUESTS:
        if RSVP.objects.filter(event=event, guest_email=email).exists():
            continue
        rsvp = RSVP(
            event=event,
            guest_name=name,
            guest_email=email,
            organisation=organisation,
            job_role=role,
            answer=RSVP.Answer.ATTENDING,
            confirmed_at=now if confirmed else None,
            photo_consent=False,
            photo_consent_at=now,
            answers={str(first_question.pk): "Supply chains"},
        )
        rsvp.issue_ticket()
        rsvp.save()
    stdout.write(
        f"Demo registration: {event.title} open to everyone, {settings.capacity} places, "
        f"{RSVP.objects.counted().filter(event=event).count()} registered."
    )
