"""The pledge wall, recording a pledge, a pledge's page and editing it, for every role."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from network.models import Agency
from pledges.models import Pledge, PledgeUpdate
from tests.conftest import ROLES
from tests.factories import (
    AgencyFactory,
    ConferenceFactory,
    EventFactory,
    MembershipFactory,
    PledgeFactory,
    PledgeUpdateFactory,
    UserFactory,
)
from wmasn.concurrency import version_of

LONDON = ZoneInfo("Europe/London")
WALL = reverse("pledges:pledge-list")
NEW = reverse("pledges:pledge-create")
SEES_MEMBERS_ONLY = {"other_member", "member", "officer"}


@pytest.fixture(autouse=True)
def mid_2018():
    """The pledge year is the calendar year: freeze it so tests never depend on today."""
    with time_machine.travel(dt.datetime(2018, 6, 1, 12, tzinfo=LONDON), tick=False):
        yield


def edit_url(pledge):
    return reverse("pledges:pledge-edit", args=[pledge.pk])


def detail_url(pledge):
    return reverse("pledges:pledge-detail", args=[pledge.pk])


# The wall ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_wall_shows_public_pledges_to_everyone_and_members_only_to_members(
    role, client_for_role, agency, other_agency
):
    PledgeFactory(agency=agency, text="Public pledge for 2018")
    PledgeFactory(agency=other_agency, text="Secret pledge", visibility=Pledge.Visibility.MEMBERS)
    client = client_for_role(role)

    response = client.get(WALL)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Public pledge for 2018" in body
    assert ("Secret pledge" in body) is (role in SEES_MEMBERS_ONLY)
    if role in SEES_MEMBERS_ONLY:
        assert "Members only" in body


def test_wall_defaults_to_the_current_pledge_year(anon_client, agency):
    PledgeFactory(agency=agency, year=2018, text="This year's pledge")
    PledgeFactory(agency=agency, year=2017, text="Last year's pledge")
    PledgeFactory(agency=agency, year=2019, text="Next year's pledge")

    response = anon_client.get(WALL)

    assert response.context["year"] == 2018
    assert [p.text for p in response.context["page_obj"]] == ["This year's pledge"]


def test_wall_year_selector_lists_years_with_pledges(anon_client, agency):
    PledgeFactory(agency=agency, year=2016)
    PledgeFactory(agency=agency, year=2017, text="Last year's pledge")

    response = anon_client.get(WALL, {"year": "2017"})

    assert response.context["year"] == 2017
    assert [p.text for p in response.context["page_obj"]] == ["Last year's pledge"]
    choices = [value for value, _ in response.context["form"].fields["year"].choices]
    assert choices == [2018, 2017, 2016]


def test_wall_year_selector_hides_years_with_only_members_only_pledges(anon_client, agency):
    PledgeFactory(agency=agency, year=2015, visibility=Pledge.Visibility.MEMBERS)

    response = anon_client.get(WALL)

    assert [v for v, _ in response.context["form"].fields["year"].choices] == [2018]


@pytest.mark.parametrize("year", ["abc", "1999", "2017; DROP TABLE", "99999999999999999999"])
def test_wall_with_an_invalid_year_shows_an_error_and_the_current_year(anon_client, agency, year):
    PledgeFactory(agency=agency, year=2018, text="This year's pledge")

    response = anon_client.get(WALL, {"year": year})

    assert response.status_code == 200
    assert response.context["year"] == 2018
    assert "year" in response.context["form"].errors
    assert "There is a problem" in response.content.decode()


def test_wall_filters_by_sector_agency_and_status(anon_client, agency, other_agency):
    police = PledgeFactory(agency=agency, status=Pledge.Status.ACHIEVED, text="Police pledge")
    charity = PledgeFactory(agency=other_agency, text="Charity pledge")

    def texts(**params):
        response = anon_client.get(WALL, params)
        assert response.status_code == 200
        return [p.text for p in response.context["page_obj"]]

    assert texts(sector="third") == [charity.text]
    assert texts(sector="public") == [police.text]
    assert texts(agency=agency.slug) == [police.text]
    assert texts(status="achieved") == [police.text]
    assert texts(status="made", sector="public") == []
    assert sorted(texts()) == sorted([police.text, charity.text])


def test_wall_ignores_an_unknown_filter_value_with_an_error(anon_client, agency):
    PledgeFactory(agency=agency)

    response = anon_client.get(WALL, {"agency": "no-such-agency", "status": "bogus"})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"agency", "status"}
    assert len(response.context["page_obj"]) == 1


def test_wall_counts_pledges_by_status_and_sector(anon_client, agency, other_agency):
    PledgeFactory.create_batch(2, agency=agency, status=Pledge.Status.ACHIEVED)
    PledgeFactory(agency=other_agency, status=Pledge.Status.IN_PROGRESS)
    PledgeFactory(agency=other_agency, visibility=Pledge.Visibility.MEMBERS)  # not counted
    PledgeFactory(agency=other_agency, year=2017)  # another year

    response = anon_client.get(WALL, {"status": "achieved"})

    statuses = {value: n for value, _, n in response.context["status_counts"]}
    sectors = {value: n for value, _, n in response.context["sector_counts"]}
    assert statuses == {"made": 0, "in_progress": 1, "achieved": 2, "not_achieved": 0}
    assert sectors == {"public": 2, "private": 0, "third": 1}
    assert response.context["total"] == 3


def test_wall_skips_pledges_of_proposed_agencies(anon_client):
    proposed = AgencyFactory(status=Agency.Status.PROPOSED)
    PledgeFactory(agency=proposed, text="Not yet a member agency")

    response = anon_client.get(WALL)

    assert "Not yet a member agency" not in response.content.decode()


@pytest.mark.parametrize("role", ["anonymous", "member"])
def test_wall_query_count_does_not_grow_with_the_number_of_pledges(role, client_for_role):
    client = client_for_role(role)

    def queries_for(n):
        for _ in range(n):
            pledge = PledgeFactory(agency=AgencyFactory(), made_at=ConferenceFactory())
            PledgeUpdateFactory(pledge=pledge)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(WALL).status_code == 200
        return len(ctx.captured_queries)

    assert queries_for(2) == queries_for(25)


def test_wall_rejects_post(anon_client):
    assert anon_client.post(WALL).status_code == 405


# Recording a pledge ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status",
    [("pending", 404), ("other_member", 200), ("member", 200), ("officer", 200)],
)
def test_new_pledge_page_by_role(role, status, client_for_role):
    assert client_for_role(role).get(NEW).status_code == status


def test_new_pledge_sends_anonymous_visitors_to_log_in(anon_client):
    response = anon_client.get(NEW)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_new_pledge_rejects_wrong_methods(member_client):
    assert member_client.put(NEW).status_code == 405
    assert member_client.delete(NEW).status_code == 405


def test_pending_user_cannot_record_a_pledge(pending_client, agency):
    response = pending_client.post(NEW, {"agency": agency.pk, "year": 2018, "text": "x"})
    assert response.status_code == 404
    assert not Pledge.objects.exists()


def test_member_records_a_pledge_for_their_agency(member_client, member, agency):
    response = member_client.post(
        NEW,
        {"agency": agency.pk, "year": "2018", "text": "Train all staff.", "visibility": "public"},
    )

    pledge = Pledge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(pledge)
    assert (pledge.agency, pledge.year, pledge.text) == (agency, 2018, "Train all staff.")
    assert pledge.created_by == member
    assert pledge.status == Pledge.Status.MADE


def test_member_with_one_agency_gets_it_preselected_and_hidden(member_client, agency):
    response = member_client.get(NEW)

    form = response.context["form"]
    assert form.single_agency == agency
    assert form["agency"].is_hidden
    assert form["agency"].value() == agency.pk
    assert form["year"].value() == 2018
    assert f"For <strong>{agency.name}</strong>" in response.content.decode()


def test_member_of_several_agencies_chooses_among_their_own(client, agency, other_agency):
    user = MembershipFactory(agency=agency).user
    MembershipFactory(agency=other_agency, user=user)
    AgencyFactory(name="Not theirs")
    client.force_login(user)

    form = client.get(NEW).context["form"]

    assert not form["agency"].is_hidden
    assert set(form.fields["agency"].queryset) == {agency, other_agency}


def test_forged_agency_in_post_is_a_form_error_and_saves_nothing(member_client, other_agency):
    response = member_client.post(
        NEW,
        {"agency": other_agency.pk, "year": 2018, "text": "Forged", "visibility": "public"},
    )

    assert response.status_code == 200
    assert "agency" in response.context["form"].errors
    assert not Pledge.objects.exists()


def test_officer_records_a_pledge_for_any_agency(officer_client, other_agency):
    response = officer_client.post(
        NEW, {"agency": other_agency.pk, "year": 2019, "text": "Officer", "visibility": "members"}
    )

    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert (pledge.agency, pledge.year, pledge.visibility) == (other_agency, 2019, "members")


def test_pledge_made_at_a_conference_must_be_for_the_following_year(member_client, agency):
    conference = ConferenceFactory()  # 18 October 2017

    wrong = member_client.post(
        NEW, {"agency": agency.pk, "year": 2019, "text": "x", "made_at": conference.pk}
    )
    right = member_client.post(
        NEW,
        {
            "agency": agency.pk,
            "year": 2018,
            "text": "x",
            "visibility": "public",
            "made_at": conference.pk,
        },
    )

    assert "made_at" in wrong.context["form"].errors
    assert right.status_code == 302
    assert Pledge.objects.get().made_at == conference


def test_only_conferences_can_be_where_a_pledge_was_made(member_client, agency):
    meeting = EventFactory()

    response = member_client.post(
        NEW, {"agency": agency.pk, "year": 2018, "text": "x", "made_at": meeting.pk}
    )

    assert "made_at" in response.context["form"].errors
    assert not Pledge.objects.exists()


@pytest.mark.parametrize("year", ["2010", "abc", "2100"])
def test_new_pledge_rejects_years_out_of_range(member_client, agency, year):
    response = member_client.post(NEW, {"agency": agency.pk, "year": year, "text": "x"})
    assert "year" in response.context["form"].errors
    assert not Pledge.objects.exists()


def test_new_pledge_takes_the_year_from_the_reminder_link(member_client):
    form = member_client.get(NEW, {"year": "2019"}).context["form"]
    assert form["year"].value() == 2019


@pytest.mark.parametrize(
    ("day", "year"), [(dt.date(2026, 12, 6), 2027), (dt.date(2026, 6, 1), 2026)]
)
def test_new_pledge_defaults_to_the_year_the_reminders_ask_for(client, member, day, year):
    """Issue 25: in December the reminders ask for next year's pledges; so does the form."""
    with time_machine.travel(dt.datetime.combine(day, dt.time(12)), tick=False):
        client.force_login(member)
        form = client.get(NEW).context["form"]
    assert form["year"].value() == year


def test_empty_pledge_text_is_an_error(member_client, agency):
    response = member_client.post(NEW, {"agency": agency.pk, "year": 2018, "text": "  "})
    assert "text" in response.context["form"].errors
    assert not Pledge.objects.exists()


# A pledge's page -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_public_pledge_page_is_open_to_everyone(role, client_for_role, agency):
    pledge = PledgeFactory(agency=agency, text="Visit every car wash.")

    response = client_for_role(role).get(detail_url(pledge))

    assert response.status_code == 200
    assert "Visit every car wash." in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_members_only_pledge_page_is_404_for_non_members(role, client_for_role, agency):
    pledge = PledgeFactory(agency=agency, visibility=Pledge.Visibility.MEMBERS)

    response = client_for_role(role).get(detail_url(pledge))

    assert response.status_code == (200 if role in SEES_MEMBERS_ONLY else 404)


@pytest.mark.parametrize("role", ROLES)
def test_edit_link_shows_only_to_those_who_may_edit(role, client_for_role, agency):
    pledge = PledgeFactory(agency=agency)

    body = client_for_role(role).get(detail_url(pledge)).content.decode()

    assert (edit_url(pledge) in body) is (role in {"member", "officer"})


def test_pledge_page_shows_progress_with_author_or_agency(anon_client, agency):
    pledge = PledgeFactory(agency=agency, status=Pledge.Status.IN_PROGRESS)
    author = UserFactory(first_name="Khizra", last_name="Dhindsa")
    PledgeUpdateFactory(pledge=pledge, author=author, note="First step done.")
    PledgeUpdateFactory(pledge=pledge, author=None, note="Account since deleted.")

    body = anon_client.get(detail_url(pledge)).content.decode()

    assert "First step done." in body
    assert "Khizra Dhindsa" in body
    assert "Account since deleted." in body
    assert f"a member of {agency.name}" in body.replace("&#x27;", "'")
    assert author.email not in body
    assert "In progress" in body


def test_pledge_page_rejects_post_and_unknown_ids(anon_client, agency):
    pledge = PledgeFactory(agency=agency)
    assert anon_client.post(detail_url(pledge)).status_code == 405
    assert anon_client.get(reverse("pledges:pledge-detail", args=[999999])).status_code == 404


# Editing and progress updates ----------------------------------------------------------


@pytest.mark.parametrize(
    "role,status",
    [("pending", 404), ("other_member", 404), ("member", 200), ("officer", 200)],
)
def test_edit_page_by_role(role, status, client_for_role, agency):
    pledge = PledgeFactory(agency=agency)
    assert client_for_role(role).get(edit_url(pledge)).status_code == status


def test_edit_page_sends_anonymous_visitors_to_log_in(anon_client, agency):
    pledge = PledgeFactory(agency=agency)

    for response in (anon_client.get(edit_url(pledge)), anon_client.post(edit_url(pledge))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_edit_page_rejects_wrong_methods(member_client, agency):
    pledge = PledgeFactory(agency=agency)
    assert member_client.put(edit_url(pledge)).status_code == 405
    assert member_client.delete(edit_url(pledge)).status_code == 405


@pytest.mark.parametrize("role", ["pending", "other_member"])
def test_outsider_cannot_edit_or_update_another_agencys_pledge(role, client_for_role, agency):
    pledge = PledgeFactory(agency=agency, text="Original", status=Pledge.Status.MADE)
    client = client_for_role(role)

    edit = client.post(
        edit_url(pledge),
        {
            "pledge-text": "Hijacked",
            "pledge-status": "achieved",
            "pledge-visibility": "members",
            "save_pledge": "1",
        },
    )
    update = client.post(
        edit_url(pledge),
        {"update-note": "Hijacked note", "update-status": "achieved", "add_update": "1"},
    )

    assert edit.status_code == 404
    assert update.status_code == 404
    pledge.refresh_from_db()
    assert (pledge.text, pledge.status, pledge.visibility) == ("Original", "made", "public")
    assert not PledgeUpdate.objects.exists()


def test_member_edits_their_agencys_pledge(member_client, agency):
    pledge = PledgeFactory(agency=agency, text="Original")

    response = member_client.post(
        edit_url(pledge),
        {
            "pledge-text": "Reworded",
            "pledge-status": "in_progress",
            "pledge-visibility": "members",
            "pledge-version": version_of(pledge),
            "save_pledge": "1",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == detail_url(pledge)
    pledge.refresh_from_db()
    assert (pledge.text, pledge.status, pledge.visibility) == (
        "Reworded",
        "in_progress",
        "members",
    )


def test_invalid_edit_shows_errors_and_keeps_the_pledge(member_client, agency):
    pledge = PledgeFactory(agency=agency, text="Original")

    response = member_client.post(
        edit_url(pledge),
        {
            "pledge-text": "",
            "pledge-status": "bogus",
            "pledge-visibility": "public",
            "pledge-version": version_of(pledge),
        },
    )

    assert response.status_code == 200
    assert set(response.context["edit_form"].errors) == {"text", "status"}
    pledge.refresh_from_db()
    assert pledge.text == "Original"


def test_member_adds_a_progress_update_that_moves_the_status(member_client, member, agency):
    pledge = PledgeFactory(agency=agency)

    response = member_client.post(
        edit_url(pledge),
        {
            "update-note": "Half the staff trained.",
            "update-status": "in_progress",
            "add_update": "1",
        },
    )

    assert response.status_code == 302
    update = PledgeUpdate.objects.get()
    assert (update.pledge, update.author, update.note) == (
        pledge,
        member,
        "Half the staff trained.",
    )
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.IN_PROGRESS
    assert "Half the staff trained." in member_client.get(detail_url(pledge)).content.decode()


def test_progress_update_without_a_status_keeps_the_status(member_client, agency):
    pledge = PledgeFactory(agency=agency, status=Pledge.Status.IN_PROGRESS)

    member_client.post(
        edit_url(pledge), {"update-note": "Still going.", "update-status": "", "add_update": "1"}
    )

    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.IN_PROGRESS
    assert PledgeUpdate.objects.get().status == ""


def test_progress_update_needs_a_note(member_client, agency):
    pledge = PledgeFactory(agency=agency)

    response = member_client.post(
        edit_url(pledge), {"update-note": "", "update-status": "achieved", "add_update": "1"}
    )

    assert response.status_code == 200
    assert "note" in response.context["update_form"].errors
    assert not PledgeUpdate.objects.exists()
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.MADE


def test_officer_updates_any_agencys_pledge(officer_client, officer, other_agency):
    pledge = PledgeFactory(agency=other_agency)

    officer_client.post(
        edit_url(pledge), {"update-note": "Checked at the meeting.", "add_update": "1"}
    )

    assert PledgeUpdate.objects.get().author == officer


def test_ended_membership_loses_edit_access(client, agency):
    membership = MembershipFactory(agency=agency)
    pledge = PledgeFactory(agency=agency)
    client.force_login(membership.user)
    assert client.get(edit_url(pledge)).status_code == 200

    membership.status = "ended"
    membership.save()

    assert client.get(edit_url(pledge)).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_wall_links_officers_to_the_conference_capture_page(role, client_for_role):
    body = client_for_role(role).get(WALL).content.decode()
    assert (reverse("admin:pledges_pledge_conference") in body) is (role == "officer")


def wall_queries(client, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(WALL, params)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def test_wall_counts_come_from_the_cache_until_a_pledge_or_agency_changes(
    anon_client, agency, other_agency
):
    PledgeFactory.create_batch(2, agency=agency, status=Pledge.Status.ACHIEVED)
    _, counted = wall_queries(anon_client)
    response, cached = wall_queries(anon_client)
    # Counted: the years and the counts, then the page of pledges (its COUNT is the total).
    # Cached: the page of pledges alone.
    assert (counted, cached) == (3, 1)
    assert response.context["total"] == 2

    PledgeFactory(agency=other_agency, status=Pledge.Status.MADE)
    response, _ = wall_queries(anon_client)
    assert response.context["total"] == 3

    Pledge.objects.filter(agency=agency).update(status=Pledge.Status.NOT_ACHIEVED)
    response, _ = wall_queries(anon_client)
    statuses = {value: n for value, _, n in response.context["status_counts"]}
    assert statuses["not_achieved"] == 2 and statuses["achieved"] == 0

    Agency.objects.filter(pk=other_agency.pk).update(status=Agency.Status.PROPOSED)
    assert wall_queries(anon_client)[0].context["total"] == 2


def test_wall_counts_are_per_audience(anon_client, member_client, agency):
    PledgeFactory(agency=agency)
    PledgeFactory(agency=agency, visibility=Pledge.Visibility.MEMBERS)
    assert wall_queries(anon_client)[0].context["total"] == 1
    assert wall_queries(member_client)[0].context["total"] == 2
    assert wall_queries(anon_client)[0].context["total"] == 1


def test_wall_with_a_huge_year_is_no_error(anon_client, agency):
    assert anon_client.get(WALL, {"year": "9" * 30}).status_code == 200
