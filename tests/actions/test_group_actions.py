"""A working group's lead agency records the group's actions from the site; nobody else can
(404 for GET and POST alike), except officers."""

import datetime as dt

import pytest

from actions.models import Action, StatusChange
from tests.factories import EventFactory, GroupMembershipFactory, WorkingGroupFactory

from .conftest import TODAY, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]


@pytest.fixture
def group(agency, member):
    """A group led by `agency` (the member's), with the member in it."""
    group = WorkingGroupFactory(slug="rescue", lead_agency=agency)
    GroupMembershipFactory(group=group, user=member)
    return group


def url(group):
    return f"/actions/groups/{group.slug}/new/"


def form(group, agency, **changes):
    data = {
        "title": "Draft the lead agency protocol",
        "meeting": "",
        "owner_agency": agency.pk,
        "owner_person": "",
        "agreed_on": TODAY.isoformat(),
        "due_on": (TODAY + dt.timedelta(days=30)).isoformat(),
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "role,status",
    [
        ("anonymous", 302),
        ("pending", 404),
        ("other_member", 404),
        ("member", 200),
        ("officer", 200),
    ],
)
def test_only_the_lead_agency_and_officers_get_the_form(client_for_role, role, status, group):
    response = client_for_role(role).get(url(group))
    assert response.status_code == status


@pytest.mark.parametrize(
    "role,status",
    [
        ("anonymous", 302),
        ("pending", 404),
        ("other_member", 404),
        ("member", 302),
        ("officer", 302),
    ],
)
def test_only_the_lead_agency_and_officers_record(client_for_role, role, status, group, agency):
    response = client_for_role(role).post(url(group), form(group, agency))
    assert response.status_code == status
    assert Action.objects.exists() is (role in ("member", "officer"))


def test_the_form_refuses_a_put(member_client, group):
    assert member_client.put(url(group)).status_code == 405


def test_the_recorded_action_belongs_to_the_group_and_is_audited(
    member_client, member, group, agency
):
    meeting = EventFactory(working_group=group, starts_at=at(dt.date(2018, 1, 8)))
    response = member_client.post(
        url(group), form(group, agency, meeting=meeting.pk, owner_person=member.pk)
    )
    action = Action.objects.get()
    assert response["Location"] == f"/actions/{action.pk}/"
    assert (action.working_group, action.meeting, action.owner_person) == (group, meeting, member)
    assert action.created_by == member
    assert StatusChange.objects.get(action=action).changed_by == member
    assert action.title in member_client.get("/groups/rescue/").content.decode()


def test_only_the_groups_members_agencies_own_and_its_members_are_named(
    member_client, group, agency, other_agency, other_member
):
    response = member_client.post(url(group), form(group, other_agency))
    assert "owner_agency" in response.context["form"].errors
    response = member_client.post(url(group), form(group, agency, owner_person=other_member.pk))
    assert "owner_person" in response.context["form"].errors
    assert not Action.objects.exists()


def test_a_due_date_is_required(member_client, group, agency):
    response = member_client.post(url(group), form(group, agency, due_on=""))
    assert "due_on" in response.context["form"].errors


def test_a_closed_group_takes_no_new_actions_from_its_lead(member_client, officer_client, group):
    group.status = "closed"
    group.save()
    assert member_client.get(url(group)).status_code == 404
    assert officer_client.get(url(group)).status_code == 200


def test_the_group_page_offers_the_form_to_its_lead_only(member_client, other_member_client, group):
    assert url(group) in member_client.get("/groups/rescue/").content.decode()
    assert url(group) not in other_member_client.get("/groups/rescue/").content.decode()


def test_the_forms_date_inputs_hold_iso_dates(member_client, group):
    """A date input's value must be YYYY-MM-DD (the Nu checker), not the language's 06/12/2026."""
    html = member_client.get(url(group)).content.decode()
    assert f'name="agreed_on" value="{TODAY.isoformat()}"' in html
