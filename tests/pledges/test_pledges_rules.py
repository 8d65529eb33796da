"""Pledge rules: the pledge year, database constraints, QuerySet methods and write functions."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from network.models import Agency
from pledges.models import Pledge, PledgeReminder
from pledges.services import (
    add_progress_update,
    coming_pledge_year,
    current_pledge_year,
    pledge_year_for_event,
    record_conference_pledges,
    record_pledge,
)
from tests.factories import (
    AgencyFactory,
    ConferenceFactory,
    EventFactory,
    MembershipFactory,
    PledgeFactory,
)

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    "today,year",
    [
        (dt.date(2018, 1, 1), 2018),
        (dt.date(2018, 10, 17), 2018),
        (dt.date(2018, 10, 18), 2018),
        (dt.date(2018, 12, 31), 2018),
    ],
)
def test_current_pledge_year_is_the_calendar_year(today, year):
    assert current_pledge_year(today) == year
    assert coming_pledge_year(today) == year + 1


@pytest.mark.django_db
def test_pledge_made_at_the_october_conference_is_for_the_following_year():
    conference = ConferenceFactory(
        starts_at=timezone.make_aware(dt.datetime(2017, 10, 18, 9, 30), LONDON)
    )
    assert pledge_year_for_event(conference) == 2018


# Database constraints ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field,value",
    [
        ("year", 1999),
        ("year", 2101),
        ("status", "bogus"),
        ("visibility", "everyone"),
    ],
)
def test_database_rejects_invalid_pledges(field, value):
    pledge = PledgeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.filter(pk=pledge.pk).update(**{field: value})


@pytest.mark.django_db
def test_database_accepts_the_edges_of_the_year_range():
    PledgeFactory(year=2000)
    PledgeFactory(year=2100)
    assert Pledge.objects.count() == 2


@pytest.mark.django_db
def test_reminder_is_unique_per_agency_kind_year_and_day():
    agency = AgencyFactory()
    fields = {"agency": agency, "kind": "year_end", "year": 2018, "sent_on": dt.date(2018, 11, 1)}
    PledgeReminder.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        PledgeReminder.objects.create(**fields)
    PledgeReminder.objects.create(**{**fields, "sent_on": dt.date(2018, 11, 2)})


# QuerySet methods --------------------------------------------------------------------


@pytest.mark.django_db
def test_editable_by_is_own_agencies_for_members_and_all_for_officers(
    member, other_member, officer, pending_user, agency, other_agency
):
    own = PledgeFactory(agency=agency)
    theirs = PledgeFactory(agency=other_agency)

    assert list(Pledge.objects.editable_by(member)) == [own]
    assert list(Pledge.objects.editable_by(other_member)) == [theirs]
    assert list(Pledge.objects.editable_by(pending_user)) == []
    assert set(Pledge.objects.editable_by(officer)) == {own, theirs}


@pytest.mark.django_db
def test_needing_report_is_made_or_in_progress_for_the_year():
    made = PledgeFactory(year=2018, status=Pledge.Status.MADE)
    going = PledgeFactory(year=2018, status=Pledge.Status.IN_PROGRESS)
    PledgeFactory(year=2018, status=Pledge.Status.ACHIEVED)
    PledgeFactory(year=2018, status=Pledge.Status.NOT_ACHIEVED)
    PledgeFactory(year=2017, status=Pledge.Status.MADE)

    assert set(Pledge.objects.needing_report(2018)) == {made, going}


@pytest.mark.django_db
def test_counts_and_years_come_from_the_database(django_assert_num_queries):
    third = AgencyFactory(sector=Agency.Sector.THIRD)
    PledgeFactory.create_batch(3, agency=third, year=2018, status=Pledge.Status.ACHIEVED)
    PledgeFactory(year=2017)

    with django_assert_num_queries(3):
        statuses = Pledge.objects.for_year(2018).status_counts()
        sectors = Pledge.objects.for_year(2018).sector_counts()
        years = Pledge.objects.years()

    assert statuses == {"achieved": 3}
    assert sectors == {"third": 3}
    assert years == [2018, 2017]


# Write functions ---------------------------------------------------------------------


@pytest.mark.django_db
def test_record_pledge_validates_before_saving():
    agency = AgencyFactory()
    with pytest.raises(ValidationError):
        record_pledge(agency=agency, year=1990, text="Too early")
    with pytest.raises(ValidationError):
        record_pledge(agency=agency, year=2018, text="   ")
    assert not Pledge.objects.exists()


@pytest.mark.django_db
def test_add_progress_update_records_the_author_and_moves_the_status(member, agency):
    pledge = PledgeFactory(agency=agency)

    update = add_progress_update(pledge=pledge, note="Done.", status="achieved", author=member)

    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.ACHIEVED
    assert (update.author, update.status, update.note) == (member, "achieved", "Done.")


@pytest.mark.django_db
def test_add_progress_update_with_a_bad_status_saves_nothing(member, agency):
    pledge = PledgeFactory(agency=agency)

    with pytest.raises(ValidationError):
        add_progress_update(pledge=pledge, note="x", status="bogus", author=member)

    assert not pledge.updates.exists()
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.MADE


@pytest.mark.django_db
def test_record_conference_pledges_is_all_or_nothing(officer):
    conference = ConferenceFactory()
    good = {"agency": AgencyFactory(), "text": "Good", "visibility": "public"}
    bad = {"agency": AgencyFactory(), "text": "", "visibility": "public"}

    with pytest.raises(ValidationError):
        record_conference_pledges(event=conference, rows=[good, bad], created_by=officer)
    assert not Pledge.objects.exists()

    pledges = record_conference_pledges(event=conference, rows=[good], created_by=officer)
    assert [(p.year, p.made_at, p.created_by) for p in pledges] == [(2018, conference, officer)]


@pytest.mark.django_db
def test_record_conference_pledges_needs_a_conference(officer):
    meeting = EventFactory()
    row = {"agency": AgencyFactory(), "text": "x", "visibility": "public"}
    with pytest.raises(ValidationError):
        record_conference_pledges(event=meeting, rows=[row], created_by=officer)


@pytest.mark.django_db
def test_member_of_a_proposed_agency_cannot_edit_its_pledges():
    proposed = AgencyFactory(status=Agency.Status.PROPOSED)
    user = MembershipFactory(agency=proposed).user
    PledgeFactory(agency=proposed)
    assert not Pledge.objects.editable_by(user).exists()


@pytest.mark.django_db
def test_of_active_agencies_leaves_out_proposed_agencies_pledges():
    active = PledgeFactory(agency=AgencyFactory(status=Agency.Status.ACTIVE))
    PledgeFactory(agency=AgencyFactory(status=Agency.Status.PROPOSED))
    assert list(Pledge.objects.of_active_agencies()) == [active]
