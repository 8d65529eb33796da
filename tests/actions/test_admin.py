"""Officers record actions and decisions in the admin while writing a meeting's minutes."""

import datetime as dt

import pytest

from actions.models import Action, Decision, StatusChange

from .conftest import TODAY, ActionFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/actions/action/add/"


def action_form(meeting, agency, **overrides):
    data = {
        "title": "Launch the Policy and Procedure",
        "meeting": meeting.pk,
        "working_group": "",
        "agreed_on": "2017-12-07",
        "due_on": "2018-03-01",
        "owner_agency": agency.pk,
        "owner_person": "",
        "status": "open",
        "drop_reason": "",
        "closed_on": "",
        "notes-TOTAL_FORMS": "0",
        "notes-INITIAL_FORMS": "0",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "role,status",
    [
        ("anonymous", 302),
        ("pending", 302),
        ("other_member", 302),
        ("member", 302),
        ("officer", 200),
    ],
)
def test_action_and_decision_admin_is_for_officers(client_for_role, role, status, own_action):
    client = client_for_role(role)
    for url in [
        "/admin/actions/action/",
        ADD,
        f"/admin/actions/action/{own_action.pk}/change/",
        "/admin/actions/decision/",
        "/admin/actions/decision/add/",
    ]:
        assert client.get(url).status_code == status, url


def test_the_add_form_for_a_meeting_fills_in_the_meeting_and_its_date(officer_client, meeting):
    response = officer_client.get(f"{ADD}?meeting={meeting.pk}")
    form = response.context["adminform"].form
    assert form.initial["meeting"] == meeting.pk
    assert form.initial["agreed_on"] == dt.date(2017, 12, 7)


def test_save_and_add_another_stays_on_the_meeting(officer_client, officer, meeting, agency):
    response = officer_client.post(ADD, action_form(meeting, agency, _addanother="1"))
    assert response.status_code == 302
    assert response["Location"] == f"{ADD}?meeting={meeting.pk}"
    action = Action.objects.get()
    assert action.created_by == officer
    change = StatusChange.objects.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("", "open", officer)


def test_dropping_without_a_reason_is_refused(officer_client, meeting, agency):
    response = officer_client.post(ADD, action_form(meeting, agency, status="dropped"))
    assert response.status_code == 200
    assert "drop_reason" in response.context["adminform"].form.errors
    assert not Action.objects.exists()


def test_an_officers_status_change_is_audited(officer_client, officer, own_action):
    url = f"/admin/actions/action/{own_action.pk}/change/"
    data = action_form(
        own_action.meeting,
        own_action.owner_agency,
        title=own_action.title,
        due_on="2018-02-01",
        status="done",
    )
    assert officer_client.post(url, data).status_code == 302
    own_action.refresh_from_db()
    assert own_action.status == "done"
    assert own_action.closed_on is not None
    change = own_action.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("open", "done", officer)


def test_a_decision_is_recorded_against_its_meeting(officer_client, meeting):
    response = officer_client.post(
        "/admin/actions/decision/add/",
        {
            "text": "The network approved the Policy and Procedure.",
            "meeting": meeting.pk,
            "document": "",
        },
    )
    assert response.status_code == 302
    assert Decision.objects.get().meeting == meeting


def test_the_admin_list_filters_by_meeting(officer_client, own_action, next_meeting):
    ActionFactory(meeting=next_meeting, title="Something else", due_on=TODAY)
    response = officer_client.get(
        f"/admin/actions/action/?meeting__id__exact={own_action.meeting_id}"
    )
    assert list(response.context["cl"].result_list) == [own_action]
