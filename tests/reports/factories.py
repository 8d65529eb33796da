"""A year of the network built from factories, with its figures known in advance."""

import datetime as dt

from django.utils import timezone

from events.models import Attendance, Event
from network.models import Agency, Membership
from pledges.models import Pledge
from tests.factories import (
    AgencyFactory,
    AreaFactory,
    EventFactory,
    MembershipFactory,
    PledgeFactory,
    PledgeUpdateFactory,
    ProvidedServiceFactory,
    ServiceFactory,
    UserFactory,
)

YEAR = 2025


def at(year, month=6, day=1, hour=12):
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def agency_created(year, **kwargs):
    agency = AgencyFactory(**kwargs)
    Agency.objects.filter(pk=agency.pk).update(created_at=at(year))
    return agency


def member_of(agency, *, joined, ended=None, **user):
    membership = MembershipFactory(
        agency=agency, decided_at=at(joined), **{f"user__{k}": v for k, v in user.items()}
    )
    if ended:
        membership.status = Membership.Status.ENDED
        membership.ended_at = at(ended)
        membership.save()
    return membership.user


def meeting_on(month, day, year=YEAR, **kwargs):
    return EventFactory(
        kind=Event.Kind.NETWORK_MEETING,
        starts_at=at(year, month, day, 10),
        **kwargs,
    )


def attended(event, user, agency):
    return Attendance.objects.create(event=event, user=user, agency=agency)


def build_year(year=YEAR):
    """Three agencies before the year and two in it; two meetings; pledges; services.

    Known figures (for YEAR): see the assertions in test_report.py and test_figures.py.
    """
    police = agency_created(year - 2, name="Police", sector=Agency.Sector.PUBLIC)
    council = agency_created(year - 1, name="Council", sector=Agency.Sector.PUBLIC)
    charity = agency_created(year - 1, name="Charity", sector=Agency.Sector.THIRD)
    solicitors = agency_created(year, name="Solicitors", sector=Agency.Sector.PRIVATE)
    shelter = agency_created(year, name="Shelter", sector=Agency.Sector.THIRD)
    agency_created(year, name="Proposed", sector=Agency.Sector.THIRD, status="proposed")

    officer_a = member_of(police, joined=year - 2, first_name="Ada", last_name="Constable")
    member_of(council, joined=year - 1, ended=year)
    clerk = member_of(council, joined=year, first_name="Cleo", last_name="Clerk")
    worker = member_of(charity, joined=year, first_name="Wes", last_name="Worker")
    lawyer = member_of(solicitors, joined=year, first_name="Lou", last_name="Lawyer")

    january = meeting_on(1, 16, year, title="January meeting")
    march = meeting_on(3, 20, year, title="March meeting")
    cancelled = meeting_on(5, 15, year, title="May meeting")
    cancelled.cancel("Venue unavailable")
    conference = EventFactory(
        kind=Event.Kind.CONFERENCE, title="Conference", starts_at=at(year, 10, 18, 9)
    )
    attended(january, officer_a, police)
    attended(january, clerk, council)
    attended(january, worker, charity)
    attended(march, officer_a, police)
    attended(march, lawyer, solicitors)
    attended(conference, worker, charity)  # not a network meeting
    attended(cancelled, clerk, council)  # recorded by mistake; the meeting did not go ahead

    author = UserFactory(first_name="Pat", last_name="Author")
    made = PledgeFactory(agency=police, year=year, status=Pledge.Status.ACHIEVED, text="Train all")
    PledgeUpdateFactory(pledge=made, note="Everyone trained", author=author)
    PledgeFactory(agency=charity, year=year, status=Pledge.Status.IN_PROGRESS, text="Open beds")
    PledgeFactory(
        agency=council,
        year=year,
        status=Pledge.Status.MADE,
        visibility=Pledge.Visibility.MEMBERS,
        text="Secret plan",
    )
    PledgeFactory(agency=police, year=year - 1, status=Pledge.Status.NOT_ACHIEVED)

    birmingham = AreaFactory(name="Birmingham", slug="birmingham", order=1)
    coventry = AreaFactory(name="Coventry", slug="coventry", order=2)
    region = AreaFactory(name="Region-wide", slug="region-wide", is_region_wide=True, order=9)
    legal = ServiceFactory(name="Legal advice", order=1)
    beds = ServiceFactory(name="Safe house", order=2)
    ProvidedServiceFactory(agency=solicitors, service=legal, areas=[birmingham])
    ProvidedServiceFactory(agency=shelter, service=beds, areas=[region, birmingham])
    ProvidedServiceFactory(agency=charity, service=beds, areas=[coventry])
    return {
        "agencies": [police, council, charity, solicitors, shelter],
        "meetings": [january, march],
        "areas": [birmingham, coventry, region],
        "services": [legal, beds],
        "people": {"officer": officer_a, "clerk": clerk, "worker": worker, "lawyer": lawyer},
        "author": author,
    }
