"""The newsletter editor inserts "progress since the last issue" from the period's actions and
decisions; the same actions the meeting page, the group page, the desk and the report show."""

import datetime as dt

import pytest

from actions.models import Action, ProgressNote
from newsletters.models import Section
from tests.factories import DraftIssueFactory, IssueFactory

from .conftest import TODAY, ActionFactory, DecisionFactory, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]


def insert_url(issue):
    return f"/admin/newsletters/issue/{issue.pk}/insert-progress/"


@pytest.fixture
def period(meeting, agency, other_agency, member, own_action, others_action):
    """Since the November issue: the December meeting's decision and actions, one done, one
    with progress."""
    IssueFactory(title="November 2017", publish_at=at(dt.date(2017, 11, 20)))
    IssueFactory(title="Old", publish_at=at(dt.date(2017, 6, 1)))
    DecisionFactory(meeting=meeting, text="Launch the Policy and Procedure in March.")
    Action.objects.filter(pk=others_action.pk).update(status="done", closed_on=TODAY)
    ProgressNote.objects.create(action=own_action, note="Protocol drafted", author=member)
    ActionFactory(
        meeting=meeting, owner_agency=agency, title="Old news", agreed_on=dt.date(2017, 1, 1)
    )
    return DraftIssueFactory(title="January 2018")


@pytest.mark.parametrize(
    "role,inserted",
    [
        ("anonymous", False),
        ("pending", False),
        ("other_member", False),
        ("member", False),
        ("officer", True),
    ],
)
def test_only_officers_insert_progress(client_for_role, role, inserted, period):
    response = client_for_role(role).post(insert_url(period))
    assert response.status_code == 302
    assert Section.objects.filter(issue=period).exists() is inserted
    if inserted:
        assert response["Location"] == f"/admin/newsletters/issue/{period.pk}/change/"
    else:
        assert "login" in response["Location"]


def test_inserting_needs_a_post(officer_client, period):
    assert officer_client.get(insert_url(period)).status_code == 405
    assert not Section.objects.filter(issue=period).exists()


def test_the_insert_covers_the_period_since_the_last_issue(
    officer_client, period, own_action, others_action, member
):
    officer_client.post(insert_url(period))
    section = Section.objects.get(issue=period)
    assert section.heading == "Progress since the last issue"
    body = section.body
    assert "20 November 2017 and 10 January 2018" in body
    assert "Launch the Policy and Procedure in March." in body
    assert others_action.title in body.split("Actions completed")[1]
    assert "Protocol drafted" in body
    assert own_action.title in body.split("New actions")[1]
    assert "Old news" not in body
    assert str(member) not in body  # agencies are named, people are not


def test_the_insert_goes_after_the_existing_sections(officer_client, period):
    from tests.factories import SectionFactory

    SectionFactory(issue=period, order=30)
    officer_client.post(insert_url(period))
    assert Section.objects.filter(issue=period).order_by("-order").first().order == 40


def test_the_issue_page_offers_the_insert(officer_client, period):
    html = officer_client.get(f"/admin/newsletters/issue/{period.pk}/change/").content.decode()
    assert insert_url(period) in html
