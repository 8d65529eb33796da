"""Actions where people already look: a meeting's page (its actions, and matters arising before
it), a working group's page, and the chair's desk; the same actions on each."""

import datetime as dt
import re

import pytest

from actions.models import Action
from tests.factories import EventFactory, GroupMembershipFactory, WorkingGroupFactory

from .conftest import TODAY, ActionFactory, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]


def event_page(client, event):
    response = client.get(f"/events/{event.slug}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "role,sees",
    [
        ("anonymous", False),
        ("pending", False),
        ("other_member", True),
        ("member", True),
        ("officer", True),
    ],
)
def test_a_meetings_page_lists_its_actions_for_members(client_for_role, role, sees, own_action):
    html = event_page(client_for_role(role), own_action.meeting)
    assert ("Actions agreed at this meeting" in html) is sees
    assert (own_action.title in html) is sees


def test_the_next_meeting_lists_matters_arising(
    member_client, own_action, others_action, next_meeting
):
    done = ActionFactory(
        meeting=own_action.meeting,
        status=Action.Status.DONE,
        closed_on=TODAY,
        title="Launch the Policy and Procedure",
    )
    html = event_page(member_client, next_meeting)
    arising = html[html.index("Matters arising") :]
    assert own_action.title in arising
    assert others_action.title in arising
    assert done.title not in arising
    assert "Overdue" in arising  # others_action was due on 5 January


def test_a_conference_has_no_matters_arising(member_client, own_action):
    conference = EventFactory(
        kind="conference", slug="anti-slavery-day-2018", starts_at=at(dt.date(2018, 1, 18))
    )
    assert "Matters arising" not in event_page(member_client, conference)


def test_a_past_meeting_has_no_matters_arising(member_client, own_action):
    assert "Matters arising" not in event_page(member_client, own_action.meeting)


def test_officers_get_the_link_to_record_actions(officer_client, member_client, meeting):
    link = f"/admin/actions/action/add/?meeting={meeting.pk}"
    assert link in event_page(officer_client, meeting)
    assert link not in event_page(member_client, meeting)


@pytest.mark.parametrize(
    "role,sees",
    [
        ("anonymous", False),
        ("pending", False),
        ("other_member", True),
        ("member", True),
        ("officer", True),
    ],
)
def test_a_groups_page_shows_its_actions_and_progress(client_for_role, role, sees, agency):
    from actions.models import ProgressNote

    group = WorkingGroupFactory(slug="rescue")
    meeting = EventFactory(working_group=group, starts_at=at(dt.date(2017, 11, 2)))
    action = ActionFactory(
        meeting=meeting, working_group=group, owner_agency=agency, title="Write the rescue protocol"
    )
    ProgressNote.objects.create(action=action, note="Draft protocol circulated")
    elsewhere = ActionFactory(title="Someone else's action")
    response = client_for_role(role).get("/groups/rescue/")
    html = response.content.decode()
    assert ("Draft protocol circulated" in html) is sees
    assert (action.title in html) is sees
    assert elsewhere.title not in html


def test_a_group_meeting_reviews_the_groups_own_actions(member_client, agency, own_action):
    group = WorkingGroupFactory()
    GroupMembershipFactory(group=group)
    first = EventFactory(working_group=group, starts_at=at(dt.date(2017, 11, 2)))
    group_action = ActionFactory(meeting=first, working_group=group, owner_agency=agency)
    second = EventFactory(working_group=group, starts_at=at(dt.date(2018, 2, 2)))
    arising = event_page(member_client, second).split("Matters arising")[1]
    assert group_action.title in arising
    assert own_action.title not in arising


def desk(client):
    html = client.get("/admin/").content.decode()
    found = re.search(
        r'data-desk="actions-overdue">\s*<a href="([^"]+)"><strong>(\d+)</strong>', html
    )
    return (int(found.group(2)), found.group(1).replace("&amp;", "&")) if found else None, html


def test_the_desk_shows_overdue_actions_and_links_to_them(
    officer_client, own_action, others_action
):
    (count, url), html = desk(officer_client)
    assert count == 1
    assert others_action.title in html
    listed = officer_client.get(url).context["cl"].result_list
    assert list(listed) == [others_action]


def test_the_desk_line_goes_once_the_action_is_done(officer_client, others_action):
    Action.objects.filter(pk=others_action.pk).update(status="done", closed_on=TODAY)
    line, _html = desk(officer_client)
    assert line is None


def test_every_surface_shows_the_same_actions(officer_client, agency, other_agency):
    """One group's actions, agreed at its December meeting: the meeting page, the group page,
    the next meeting's matters arising, the desk, the report and the newsletter insert agree."""
    from actions.summaries import progress_between
    from reports.annual import build_report

    group = WorkingGroupFactory(slug="pathway", name="NRM pathway")
    december = EventFactory(working_group=group, starts_at=at(dt.date(2017, 12, 4)))
    january = EventFactory(working_group=group, starts_at=at(dt.date(2018, 1, 22)))
    overdue = ActionFactory(
        meeting=december,
        working_group=group,
        owner_agency=agency,
        title="Map the referral routes",
        due_on=dt.date(2018, 1, 3),
    )
    open_one = ActionFactory(
        meeting=december,
        working_group=group,
        owner_agency=other_agency,
        title="Write the survivor leaflet",
        due_on=dt.date(2018, 2, 3),
    )
    titles = {overdue.title, open_one.title}

    def shown(html):
        return {title for title in titles if title in html}

    assert shown(event_page(officer_client, december).split("Matters arising")[0]) == titles
    assert shown(event_page(officer_client, january).split("Matters arising")[1]) == titles
    assert shown(officer_client.get("/groups/pathway/").content.decode()) == titles
    _line, desk_html = desk(officer_client)
    assert shown(desk_html) == {overdue.title}
    row = build_report(2017).tables["actions-by-group"].rows[0]
    assert row == ["NRM pathway", 2, 0, 1, 1, 0]
    insert = progress_between(at(dt.date(2017, 11, 1)), at(TODAY)).as_html()
    assert shown(insert) == titles
