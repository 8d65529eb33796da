"""The annual report counts the year's actions by group, with a chart and its CSV."""

import csv
import datetime as dt
import io

import pytest

from reports.annual import build_report
from tests.factories import EventFactory, WorkingGroupFactory

from .conftest import TODAY, ActionFactory, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]


@pytest.fixture
def actions_2017(agency, meeting):
    group = WorkingGroupFactory(name="Lead agencies at the point of rescue")
    group_meeting = EventFactory(working_group=group, starts_at=at(dt.date(2017, 6, 1)))
    due = dt.date(2017, 12, 31)
    made = {"owner_agency": agency, "due_on": due}
    ActionFactory(meeting=meeting, status="done", closed_on=due, **made)  # on time
    ActionFactory(meeting=meeting, status="done", closed_on=TODAY, **made)  # late
    ActionFactory(meeting=meeting, **made)  # open past its date: late
    ActionFactory(meeting=meeting, owner_agency=agency, due_on=dt.date(2018, 3, 1))  # open
    ActionFactory(
        meeting=meeting, status="dropped", drop_reason="Superseded", closed_on=due, **made
    )
    ActionFactory(
        meeting=group_meeting,
        working_group=group,
        status="done",
        closed_on=dt.date(2017, 7, 1),
        **made,
    )
    ActionFactory(meeting=EventFactory(starts_at=at(dt.date(2018, 1, 4))), **made)  # 2018
    return group


def test_the_report_counts_actions_agreed_on_time_late_and_open_by_group(actions_2017):
    report = build_report(2017)
    assert {k: v for k, v in report.numbers.items() if k.startswith("actions")} == {
        "actions_agreed": 6,
        "actions_on_time": 2,
        "actions_late": 2,
        "actions_open": 1,
    }
    assert report.tables["actions-by-group"].rows == [
        ["Network meetings", 5, 1, 2, 1, 1],
        ["Lead agencies at the point of rescue", 1, 1, 0, 0, 0],
        ["All groups", 6, 2, 2, 1, 1],
    ]
    chart = report.charts["actions"]
    assert chart.categories == ["Network meetings", "Lead agencies at the point of rescue"]
    assert chart.summary == ("6 actions agreed in 2017: 2 done on time, 2 late, 1 open, 1 dropped.")


@pytest.mark.parametrize(
    "role,status",
    [
        ("anonymous", 302),
        ("pending", 404),
        ("other_member", 404),
        ("member", 404),
        ("officer", 200),
    ],
)
def test_the_actions_csv_is_for_officers(client_for_role, role, status, actions_2017):
    response = client_for_role(role).get("/reports/2017/actions-by-group.csv")
    assert response.status_code == status
    if status == 200:
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == ["Group", "Agreed", "Done on time", "Late", "Open", "Dropped"]
        assert rows[-1] == ["All groups", "6", "2", "2", "1", "1"]


def test_the_csv_refuses_a_post(officer_client):
    assert officer_client.post("/reports/2017/actions-by-group.csv").status_code == 405


def test_the_report_page_shows_the_actions_chart(officer_client, actions_2017):
    html = officer_client.get("/reports/2017/").content.decode()
    assert "6 actions were agreed in 2017" in html
    assert 'id="actions-by-group-caption"' in html
