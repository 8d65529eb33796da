"""/actions/, an action's page and its owner's update, /decisions/: every role, wrong methods,
and query counts that do not grow with the number of actions."""

import datetime as dt

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action, ProgressNote, StatusChange
from tests.factories import EventFactory, WorkingGroupFactory

from .conftest import TODAY, ActionFactory, DecisionFactory, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]

LIST = "/actions/"
DECISIONS = "/decisions/"


def detail(action):
    return f"/actions/{action.pk}/"


def update(action):
    return f"/actions/{action.pk}/update/"


# Who sees the lists -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status",
    [
        ("anonymous", 302),
        ("pending", 404),
        ("other_member", 200),
        ("member", 200),
        ("officer", 200),
    ],
)
@pytest.mark.parametrize("url", [LIST, DECISIONS])
def test_the_lists_are_for_members_and_officers(client_for_role, role, status, url, own_action):
    response = client_for_role(role).get(url)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", [LIST, DECISIONS])
def test_the_lists_refuse_a_post(member_client, url):
    assert member_client.post(url).status_code == 405


def test_my_agencys_actions_come_first(member_client, own_action, others_action):
    response = member_client.get(LIST)
    assert response.context["my_actions"] == [own_action]
    assert list(response.context["page_obj"]) == [others_action, own_action]
    body = response.content.decode()
    assert body.index("Your agency's open actions") < body.index("The network's actions")


def test_another_agencys_member_sees_the_network_list_only(
    other_member_client, own_action, others_action
):
    response = other_member_client.get(LIST)
    assert response.context["my_actions"] == [others_action]


def test_an_officer_without_an_agency_has_no_own_section(officer_client, own_action):
    response = officer_client.get(LIST)
    assert "Your agency" not in response.content.decode()
    assert list(response.context["page_obj"]) == [own_action]


def test_the_list_shows_open_actions_by_default(member_client, own_action, others_action):
    others_action.status = Action.Status.DONE
    others_action.closed_on = TODAY
    others_action.save()
    response = member_client.get(LIST)
    assert list(response.context["page_obj"]) == [own_action]
    assert list(member_client.get(LIST, {"status": "done"}).context["page_obj"]) == [others_action]
    assert len(member_client.get(LIST, {"status": "any"}).context["page_obj"]) == 2


def test_the_list_filters_by_meeting_group_owner_and_overdue(
    member_client, own_action, others_action, agency, next_meeting
):
    group = WorkingGroupFactory(slug="rescue")
    group_action = ActionFactory(
        meeting=None,
        working_group=group,
        owner_agency=agency,
        agreed_on=TODAY,
        due_on=TODAY + dt.timedelta(days=30),
    )
    page = lambda **q: list(member_client.get(LIST, q).context["page_obj"])  # noqa: E731
    assert page(meeting=own_action.meeting.slug) == [others_action, own_action]
    assert page(group="rescue") == [group_action]
    assert page(owner=agency.slug) == [own_action, group_action]
    assert page(status="overdue") == [others_action]


def test_a_bad_filter_shows_an_error_and_is_ignored(member_client, own_action):
    response = member_client.get(LIST, {"owner": "no-such-agency"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert list(response.context["page_obj"]) == [own_action]


def test_the_list_shows_the_latest_progress(member_client, own_action, member):
    ProgressNote.objects.create(action=own_action, note="First", author=member)
    ProgressNote.objects.create(action=own_action, note="Referral routes agreed", author=member)
    assert "Referral routes agreed" in member_client.get(LIST).content.decode()


# An action's page and its owner's update ------------------------------------------------------


@pytest.mark.parametrize(
    "role,status,can_update",
    [
        ("anonymous", 302, None),
        ("pending", 404, None),
        ("other_member", 200, False),
        ("member", 200, True),
        ("officer", 200, True),
    ],
)
def test_an_actions_page(client_for_role, role, status, can_update, own_action):
    response = client_for_role(role).get(detail(own_action))
    assert response.status_code == status
    if status == 200:
        assert (response.context["form"] is not None) is can_update
        assert ("Update this action" in response.content.decode()) is can_update


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
def test_only_the_owners_members_and_officers_update_an_action(
    client_for_role, role, status, own_action
):
    response = client_for_role(role).post(update(own_action), {"note": "Progress"})
    assert response.status_code == status
    assert ProgressNote.objects.filter(action=own_action).exists() is (
        role in ("member", "officer")
    )


def test_an_officer_without_mfa_updates_only_as_a_member_would(
    settings, officer, officer_client, others_action
):
    settings.WMASN_ADMIN_REQUIRES_MFA = True
    response = officer_client.post(update(others_action), {"note": "Progress"})
    assert response.status_code == 404
    assert not ProgressNote.objects.filter(action=others_action).exists()
    Authenticator.objects.create(
        user=officer, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    assert officer_client.post(update(others_action), {"note": "Progress"}).status_code == 302
    assert ProgressNote.objects.filter(action=others_action).exists()


def test_the_update_refuses_a_get(member_client, own_action):
    assert member_client.get(update(own_action)).status_code == 405


def test_an_unknown_action_is_a_404(member_client):
    assert member_client.get("/actions/999/").status_code == 404
    assert member_client.post("/actions/999/update/", {"note": "x"}).status_code == 404


def test_the_owner_adds_a_dated_note(member_client, member, own_action):
    response = member_client.post(update(own_action), {"note": "Met the police leads."})
    assert response["Location"] == detail(own_action)
    note = own_action.notes.get()
    assert (note.note, note.author, note.created_at.date()) == (
        "Met the police leads.",
        member,
        TODAY,
    )


def test_the_owner_marks_it_done_and_the_change_is_audited(member_client, member, own_action):
    member_client.post(update(own_action), {"note": "", "status": "done"})
    own_action.refresh_from_db()
    assert (own_action.status, own_action.closed_on) == ("done", TODAY)
    change = StatusChange.objects.get(action=own_action)
    assert (change.from_status, change.to_status, change.changed_by) == ("open", "done", member)
    assert "Done" in member_client.get(detail(own_action)).content.decode()


def test_dropping_needs_a_reason(member_client, own_action):
    response = member_client.post(update(own_action), {"status": "dropped", "reason": " "})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    own_action.refresh_from_db()
    assert own_action.status == "open"
    member_client.post(update(own_action), {"status": "dropped", "reason": "Superseded by NRM"})
    own_action.refresh_from_db()
    assert (own_action.status, own_action.drop_reason) == ("dropped", "Superseded by NRM")


def test_an_empty_update_is_refused(member_client, own_action):
    response = member_client.post(update(own_action), {"note": "", "status": ""})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not StatusChange.objects.filter(action=own_action).exists()


# Decisions ----------------------------------------------------------------------------------------


def test_the_register_is_newest_first_and_filters_by_year_and_group(
    member_client, meeting, next_meeting
):
    group = WorkingGroupFactory(slug="nrm")
    older = DecisionFactory(meeting=meeting, text="Adopt the care pathway")
    newer = DecisionFactory(meeting=next_meeting)
    grouped = DecisionFactory(
        meeting=EventFactory(working_group=group, starts_at=at(dt.date(2018, 1, 3)))
    )
    page = lambda **q: list(member_client.get(DECISIONS, q).context["page_obj"])  # noqa: E731
    assert page() == [newer, grouped, older]
    assert page(year="2017") == [older]
    assert page(group="nrm") == [grouped]
    assert "Adopt the care pathway" in member_client.get(DECISIONS).content.decode()


# Query counts -------------------------------------------------------------------------------------


def make_actions(n, agency, other_agency):
    group = WorkingGroupFactory()
    meetings = [EventFactory(starts_at=at(dt.date(2017, 9 + i, 1))) for i in range(3)]
    for i in range(n):
        action = ActionFactory(
            meeting=meetings[i % 3],
            working_group=group if i % 4 == 0 else None,
            owner_agency=agency if i % 2 else other_agency,
            due_on=TODAY + dt.timedelta(days=i - n // 2),
        )
        ProgressNote.objects.create(action=action, note=f"Note {i}")
        DecisionFactory(meeting=meetings[i % 3])


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [LIST, f"{LIST}?status=any", DECISIONS, f"{DECISIONS}?year=2017"])
def test_the_lists_cost_the_same_for_5_and_50_actions(
    member_client, agency, other_agency, url, django_assert_max_num_queries
):
    make_actions(5, agency, other_agency)
    few = count_queries(member_client, url)
    make_actions(45, agency, other_agency)
    with django_assert_max_num_queries(few):
        member_client.get(url)
    assert few <= 12


def test_an_actions_page_costs_the_same_with_many_notes(
    member_client, own_action, django_assert_max_num_queries
):
    ProgressNote.objects.create(action=own_action, note="One")
    few = count_queries(member_client, detail(own_action))
    for i in range(20):
        ProgressNote.objects.create(action=own_action, note=f"Note {i}")
    with django_assert_max_num_queries(few):
        member_client.get(detail(own_action))


def test_the_owner_filter_searches_agency_names(member_client, own_action, others_action):
    page = member_client.get(LIST, {"owner_name": "barnard", "status": "any"})
    assert list(page.context["page_obj"]) == [others_action]


def test_the_meeting_list_is_bounded_but_any_meeting_filters(member_client, agency):
    from actions.forms import MEETINGS_LISTED

    meetings = [
        EventFactory(starts_at=at(dt.date(2015, 1, 1) + dt.timedelta(days=7 * i)))
        for i in range(MEETINGS_LISTED + 2)
    ]
    for meeting in meetings:
        ActionFactory(meeting=meeting, owner_agency=agency)
    response = member_client.get(LIST)
    assert len(response.context["form"].fields["meeting"].widget.choices) == MEETINGS_LISTED + 1
    oldest = meetings[0]
    response = member_client.get(LIST, {"meeting": oldest.slug, "status": "any"})
    assert [a.meeting for a in response.context["page_obj"]] == [oldest]
    assert f'<option value="{oldest.slug}" selected>' in response.content.decode()


def test_an_actions_page_refuses_a_post(member_client, own_action):
    assert member_client.post(detail(own_action), {"note": "x"}).status_code == 405
    assert not ProgressNote.objects.exists()
