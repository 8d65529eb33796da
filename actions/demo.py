"""Demo actions and decisions: from the September 2017 table top exercise and the December 2017
network meeting (seed newsletter), some done, some open, one overdue. Idempotent: keyed on
the action's title and meeting; dates relative to today are set once, at the first load."""

import datetime as dt

from django.utils import timezone

from actions.models import Action, Decision, ProgressNote, StatusChange
from events.demo import VENUES, at, upsert_network_meeting
from events.models import Event, Venue
from network.models import Agency, User, WorkingGroup

DECEMBER_2017 = dt.date(2017, 12, 7)
TABLE_TOP = "table-top-exercise-2017"
GROUP = "lead-agencies-point-of-rescue-nrm-pathway"

DONE, OPEN = Action.Status.DONE, Action.Status.OPEN

# (meeting key, in the group?, title, owner agency, owner email, due, status, closed on,
#  [(date, note, author email)]). A due date of None is set relative to today: OPEN ones a
#  month ahead, OVERDUE two weeks ago.
OVERDUE = "overdue"
ACTIONS = [
    (
        TABLE_TOP,
        True,
        "Agree the lead agency at the point of victim rescue for each kind of case",
        "west-midlands-police",
        "police@example.org",
        dt.date(2018, 3, 22),
        DONE,
        dt.date(2018, 3, 15),
        [
            (
                dt.date(2017, 11, 9),
                "First draft of the lead agency table shared with the task and finish group.",
                "police@example.org",
            ),
            (
                dt.date(2018, 3, 15),
                "Agreed by the group and adopted in the Policy and Procedure's appendix.",
                "police@example.org",
            ),
        ],
    ),
    (
        TABLE_TOP,
        True,
        "Map the NRM process and the victim care pathway across the seven areas",
        "barnardos",
        "barnardos@example.org",
        None,
        OPEN,
        None,
        [
            (
                dt.date(2018, 2, 1),
                "Pathway mapped for Birmingham, Sandwell and Wolverhampton; "
                "the other four areas are booked.",
                "barnardos@example.org",
            ),
        ],
    ),
    (
        TABLE_TOP,
        False,
        "Send the services survey to every member agency",
        "west-midlands-police",
        None,
        dt.date(2017, 11, 30),
        DONE,
        dt.date(2017, 11, 20),
        [],
    ),
    (
        "december-2017",
        False,
        "Launch the Pan West Midlands Modern Slavery Policy and Procedure",
        "west-midlands-police",
        "police@example.org",
        dt.date(2018, 1, 31),
        DONE,
        dt.date(2018, 1, 25),
        [
            (
                dt.date(2018, 1, 25),
                "Launched at Lloyd House with the Commissioner; copies "
                "sent to every member agency.",
                "police@example.org",
            ),
        ],
    ),
    (
        "december-2017",
        False,
        "Brief front-line staff in every member agency on the Policy and Procedure",
        "barnardos",
        None,
        OVERDUE,
        OPEN,
        None,
        [],
    ),
    (
        "december-2017",
        False,
        "Report back on the NRM and care pathway mapping at each network meeting",
        "west-midlands-police",
        None,
        None,
        OPEN,
        None,
        [],
    ),
]

DECISIONS = [
    "The network approved the Pan West Midlands Modern Slavery Policy and Procedure, to be "
    "launched in January 2018.",
    "The task and finish group from the table top exercise (lead agencies at the point of "
    "rescue, and the NRM and victim care pathway) reports to every network meeting.",
]


def december_meeting():
    venue = Venue.objects.get(name=VENUES[0][0])
    return upsert_network_meeting(
        DECEMBER_2017, venue=venue, organiser=Agency.objects.get(slug="west-midlands-police")
    )


def local(day):
    return at(day, dt.time(12, 0))


def load_actions(stdout):
    chair = User.objects.get(email="chair@example.org")
    meetings = {
        TABLE_TOP: Event.objects.get(slug=TABLE_TOP),
        "december-2017": december_meeting(),
    }
    group = WorkingGroup.objects.get(slug=GROUP)
    today = timezone.localdate()
    for key, in_group, title, owner, email, due, status, closed, notes in ACTIONS:
        meeting = meetings[key]
        action = Action.objects.filter(title=title, meeting=meeting).first()
        if action is not None:
            continue
        if due is None:
            due = today + dt.timedelta(days=30)
        elif due == OVERDUE:
            due = today - dt.timedelta(days=14)
        action = Action.objects.create(
            title=title,
            meeting=meeting,
            working_group=group if in_group else None,
            owner_agency=Agency.objects.get(slug=owner),
            owner_person=User.objects.get(email=email) if email else None,
            agreed_on=timezone.localdate(meeting.starts_at),
            due_on=due,
            status=status,
            closed_on=closed,
            created_by=chair,
        )
        audit = [StatusChange(action=action, to_status=OPEN, changed_by=chair)]
        if status != OPEN:
            audit.append(
                StatusChange(
                    action=action,
                    from_status=OPEN,
                    to_status=status,
                    changed_by=User.objects.get(email=email) if email else chair,
                )
            )
        for change in audit:
            change.save()
        StatusChange.objects.filter(action=action, to_status=OPEN).update(
            changed_at=local(action.agreed_on)
        )
        if closed:
            StatusChange.objects.filter(action=action, to_status=status).update(
                changed_at=local(closed)
            )
        for day, note, author in notes:
            progress = ProgressNote.objects.create(
                action=action, note=note, author=User.objects.get(email=author)
            )
            ProgressNote.objects.filter(pk=progress.pk).update(created_at=local(day))
    for text in DECISIONS:
        Decision.objects.get_or_create(text=text, defaults={"meeting": meetings["december-2017"]})
    stdout.write(f"Demo actions: {len(ACTIONS)}, and {len(DECISIONS)} decisions")


def load(stdout):
    """The actions app's demo step."""
    load_actions(stdout=stdout)
