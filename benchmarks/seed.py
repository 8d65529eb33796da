"""Seed a network of a given size quickly with bulk inserts (no per-row signals or hashing)."""

import datetime as dt

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.utils import timezone

from actions.models import Action, Decision, ProgressNote
from events.models import RSVP, CalendarToken, Event, Venue
from network.models import Agency, Area, GroupMembership, Membership, Resource, User, WorkingGroup
from newsletters.models import Issue, Section
from pledges.models import Pledge, PledgeUpdate
from reports.models import ReportPublication
from survey.models import AgencyService, Service

BENCH_PASSWORD = "wmasn-bench"
MEMBER_EMAIL = "member0@bench.example.org"
OFFICER_EMAIL = "officer@bench.example.org"


def session_for(user):
    """A logged-in session for this user, as the login view would leave it: its key."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


AREAS = ["Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton"]
SECTORS = [Agency.Sector.PUBLIC, Agency.Sector.PRIVATE, Agency.Sector.THIRD]


def seed_actions(count, *, agencies, meetings, group, now):
    """`count` actions agreed at past meetings (a quarter in the working group), each with a
    progress note; half open (some overdue), the rest done or dropped; one decision per five."""
    past = [m for m in meetings if m.starts_at < now] or meetings[:1]
    today = timezone.localdate(now)
    rows = []
    for i in range(count):
        meeting = past[i % len(past)]
        agreed = timezone.localdate(meeting.starts_at)
        status = [
            Action.Status.OPEN,
            Action.Status.DONE,
            Action.Status.OPEN,
            Action.Status.DROPPED,
        ][i % 4]
        due = agreed + dt.timedelta(days=30 + i % 90)
        rows.append(
            Action(
                title=f"Action {i}: agree the referral route with the local authority",
                meeting=meeting,
                working_group=group if i % 4 == 1 else None,
                owner_agency=agencies[i % len(agencies)],
                agreed_on=agreed,
                due_on=due,
                status=status,
                drop_reason="Overtaken by the NRM reform."
                if status == Action.Status.DROPPED
                else "",
                closed_on=None if status == Action.Status.OPEN else min(due, today),
            )
        )
    rows = Action.objects.bulk_create(rows)
    ProgressNote.objects.bulk_create(
        [ProgressNote(action=a, note="Discussed with partners; next step agreed.") for a in rows]
    )
    Decision.objects.bulk_create(
        [
            Decision(
                text=f"Decision {i}: the network adopted the paper.", meeting=past[i % len(past)]
            )
            for i in range(count // 5)
        ]
    )


def seed(*, agencies, members, events, pledges, issues, actions=0, now=None):
    """Create a network of the given size; returns what the page measurements need."""
    now = now or timezone.now()
    areas = Area.objects.bulk_create(
        [Area(name=name, slug=name.lower(), order=i) for i, name in enumerate(AREAS)]
        + [Area(name="Region-wide", slug="region-wide", is_region_wide=True, order=99)]
    )
    agency_rows = Agency.objects.bulk_create(
        [
            Agency(
                name=f"Agency {i:05d}",
                slug=f"agency-{i:05d}",
                sector=SECTORS[i % 3],
                description="An agency working against modern slavery. " * 3,
                website=f"https://agency{i}.example.org/",
                public_email=f"info@agency{i}.example.org",
                email_domains=f"agency{i}.example.org",
            )
            for i in range(agencies)
        ]
    )
    Agency.areas.through.objects.bulk_create(
        [
            Agency.areas.through(agency_id=a.pk, area_id=areas[i % len(areas)].pk)
            for i, a in enumerate(agency_rows)
        ]
    )

    password = make_password(BENCH_PASSWORD)
    users = User.objects.bulk_create(
        [
            User(
                email=f"member{i}@bench.example.org",
                first_name="Member",
                last_name=str(i),
                password=password,
            )
            for i in range(members)
        ]
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
    )
    Membership.objects.bulk_create(
        [
            Membership(
                user=u,
                agency=agency_rows[i % len(agency_rows)],
                status=Membership.Status.APPROVED,
                decided_at=now,
            )
            for i, u in enumerate(users)
        ]
    )

    venues = Venue.objects.bulk_create(
        [
            Venue(
                name=f"Venue {i}",
                address=f"{i} Colmore Row\nBirmingham",
                postcode="B3 2BJ",
                host_agency=agency_rows[i % len(agency_rows)],
            )
            for i in range(max(1, events // 50))
        ]
    )
    group = WorkingGroup.objects.create(
        name="Lead agencies at the point of rescue",
        slug="lead-agencies",
        purpose="Agree lead agencies at the point of rescue.",
        lead_agency=agency_rows[0],
    )
    GroupMembership.objects.bulk_create(
        [GroupMembership(group=group, user=u) for u in users[: min(len(users), 50)]]
    )
    # Events from eleven months back to two years ahead, some cancelled: every one is in
    # the feeds (which carry the last twelve months and everything to come).
    start = now - dt.timedelta(days=330)
    span_days = 1060
    event_rows = []
    for i in range(events):
        starts = start + dt.timedelta(days=span_days * i / max(events, 1), hours=10)
        starts = starts.replace(minute=0, second=0, microsecond=0)
        cancelled = i % 40 == 7
        event_rows.append(
            Event(
                kind=Event.Kind.NETWORK_MEETING if i % 3 else Event.Kind.WORKSHOP,
                title=f"Network meeting {i}",
                slug=f"event-{i:05d}",
                description="Agenda: updates from agencies; the NRM pathway; AOB.",
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2, minutes=30),
                venue=venues[i % len(venues)],
                organiser=agency_rows[i % len(agency_rows)],
                working_group=group if i % 25 == 0 else None,
                status=Event.Status.CANCELLED if cancelled else Event.Status.SCHEDULED,
                cancellation_reason="Venue unavailable." if cancelled else "",
            )
        )
    event_rows = Event.objects.bulk_create(event_rows)
    rsvps = []
    for i, event in enumerate(event_rows):
        for k in range(min(len(users), 5)):
            user = users[(i * 7 + k * 13) % len(users)]
            rsvps.append(RSVP(event=event, user=user, answer=RSVP.Answer.ATTENDING))
    RSVP.objects.bulk_create(rsvps, ignore_conflicts=True)

    pledge_rows = Pledge.objects.bulk_create(
        [
            Pledge(
                agency=agency_rows[i % len(agency_rows)],
                year=now.year - (i % 3),
                text=f"Pledge {i}: train every front-line worker to spot the signs.",
                status=list(Pledge.Status)[i % 4],
                visibility=(Pledge.Visibility.MEMBERS if i % 5 == 4 else Pledge.Visibility.PUBLIC),
                created_by=users[i % len(users)],
            )
            for i in range(pledges)
        ]
    )
    PledgeUpdate.objects.bulk_create(
        [
            PledgeUpdate(
                pledge=p, note="Progress reported at the network meeting.", author=p.created_by
            )
            for p in pledge_rows
        ]
    )

    services = Service.objects.bulk_create(
        [
            Service(name=label, slug=value, category=value, order=i)
            for i, (value, label) in enumerate(Service.Category.choices)
        ]
    )
    agency_services = AgencyService.objects.bulk_create(
        [
            AgencyService(agency=a, service=services[i % len(services)])
            for i, a in enumerate(agency_rows)
        ]
    )
    AgencyService.areas.through.objects.bulk_create(
        [
            AgencyService.areas.through(agencyservice_id=s.pk, area_id=areas[i % len(areas)].pk)
            for i, s in enumerate(agency_services)
        ]
    )
    Resource.objects.bulk_create(
        [
            Resource(
                kind=Resource.Kind.HELPLINE, title="Modern Slavery Helpline", phone="08000 121 700"
            ),
            Resource(kind=Resource.Kind.FORM, title="NRM forms", url="https://www.gov.uk/"),
        ]
    )

    issue_rows = Issue.objects.bulk_create(
        [
            Issue(
                title=f"Issue {i}",
                slug=f"issue-{i:04d}",
                issue_date=(now - dt.timedelta(days=30 * i)).date(),
                summary="News from the network.",
                status=Issue.Status.PUBLISHED,
                publish_at=now - dt.timedelta(days=30 * i),
            )
            for i in range(issues)
        ]
    )
    Section.objects.bulk_create(
        [
            Section(
                issue=issue,
                order=k,
                heading=f"Section {k}",
                body="Some **news** with [a link](https://example.org/).\n\n- one\n- two",
                agency=agency_rows[(i + k) % len(agency_rows)],
            )
            for i, issue in enumerate(issue_rows)
            for k in range(5)
        ]
    )

    seed_actions(actions, agencies=agency_rows, meetings=event_rows, group=group, now=now)

    # Fresh statistics, as autovacuum would give a live database, so plans are realistic.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    member = User.objects.get(email=MEMBER_EMAIL)
    token = CalendarToken.regenerate_for(member)
    officer = User.objects.create_user(
        OFFICER_EMAIL, BENCH_PASSWORD, first_name="Bench", last_name="Officer", is_staff=True
    )
    officer.groups.add(Group.objects.get_or_create(name="Network officers")[0])
    Authenticator.objects.create(user=officer, type=Authenticator.Type.TOTP, data={"secret": "B"})
    # The public annual report is timed too: published, as an officer would.
    ReportPublication.objects.create(year=now.year, published_by=officer)
    return {
        "member_email": MEMBER_EMAIL,
        "officer_email": OFFICER_EMAIL,
        "member_session": session_for(member),
        "officer_session": session_for(officer),
        "member_agency_slug": agency_rows[0].slug,
        "event_slug": event_rows[len(event_rows) - 1].slug,
        "pledge_id": pledge_rows[0].pk,
        "group_slug": group.slug,
        "issue_slug": issue_rows[0].slug,
        "token": token.raw_token,
    }
