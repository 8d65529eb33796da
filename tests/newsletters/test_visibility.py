"""Who sees which issues: every role against drafts, scheduled and published issues."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AgencyFactory,
    DraftIssueFactory,
    EventFactory,
    IssueFactory,
    SectionFactory,
)

ARCHIVE = reverse("newsletters:issue-list")
FEED = reverse("newsletters:feed")


@pytest.fixture
def issues(db):
    now = timezone.now()
    return {
        "published": IssueFactory(
            title="Published issue", slug="published-issue", publish_at=now - dt.timedelta(days=2)
        ),
        "scheduled": IssueFactory(
            title="Scheduled issue", slug="scheduled-issue", publish_at=now + dt.timedelta(days=3)
        ),
        "draft": DraftIssueFactory(title="Draft issue", slug="draft-issue"),
    }


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member", "officer"])
def test_archive_lists_only_published_issues_for_every_role(client_for_role, role, issues):
    response = client_for_role(role).get(ARCHIVE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Published issue" in body
    assert "Scheduled issue" not in body
    assert "Draft issue" not in body


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member", "officer"])
def test_feed_carries_only_published_issues_for_every_role(client_for_role, role, issues):
    response = client_for_role(role).get(FEED)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Published issue" in body
    assert "Scheduled issue" not in body
    assert "Draft issue" not in body


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member", "officer"])
def test_published_issue_is_public(client_for_role, role, issues):
    response = client_for_role(role).get(issues["published"].get_absolute_url())
    assert response.status_code == 200
    assert "Published issue" in response.content.decode()
    assert "noindex" not in response.content.decode()


@pytest.mark.parametrize("kind", ["draft", "scheduled"])
@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member"])
def test_unpublished_issue_is_404_for_everyone_but_officers(client_for_role, role, kind, issues):
    response = client_for_role(role).get(issues[kind].get_absolute_url())
    assert response.status_code == 404


@pytest.mark.parametrize("kind", ["draft", "scheduled"])
def test_officer_previews_unpublished_issue_uncached_and_unindexed(officer_client, kind, issues):
    response = officer_client.get(issues[kind].get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert issues[kind].title in body
    assert "Draft:" in body or "Scheduled:" in body
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert "no-cache" in response.headers["Cache-Control"]


def test_scheduled_issue_appears_once_its_time_comes(anon_client, issues, time_machine):
    url = issues["scheduled"].get_absolute_url()
    assert anon_client.get(url).status_code == 404
    time_machine.move_to(timezone.now() + dt.timedelta(days=4))
    assert anon_client.get(url).status_code == 200
    assert "Scheduled issue" in anon_client.get(ARCHIVE).content.decode()


def test_unknown_issue_is_404(officer_client, db):
    assert officer_client.get("/newsletters/no-such-issue/").status_code == 404


@pytest.mark.parametrize("url", [ARCHIVE, FEED, "/newsletters/published-issue/"])
def test_wrong_method_is_405(member_client, issues, url):
    assert member_client.post(url).status_code == 405


def test_archive_is_newest_first_and_grouped_by_year(anon_client, db):
    IssueFactory(title="March 2018", slug="march-2018", issue_date=dt.date(2018, 3, 1))
    IssueFactory(title="December 2017", slug="december-2017", issue_date=dt.date(2017, 12, 15))
    IssueFactory(title="July 2018", slug="july-2018", issue_date=dt.date(2018, 7, 1))
    body = anon_client.get(ARCHIVE).content.decode()
    positions = [body.index(t) for t in ["2018</h2>", "July 2018", "March 2018", "2017</h2>"]]
    assert positions == sorted(positions)
    assert body.index("2017</h2>") < body.index("December 2017</a>")


def test_archive_query_count_does_not_grow_with_issues(anon_client, db):
    IssueFactory()
    with CaptureQueriesContext(connection) as one:
        anon_client.get(ARCHIVE)
    IssueFactory.create_batch(15)
    with CaptureQueriesContext(connection) as many:
        response = anon_client.get(ARCHIVE)
    assert response.content.decode().count('class="fw-semibold"') == 16
    assert len(many) == len(one)


def test_issue_page_shows_sections_in_order_and_links_agency_and_event(anon_client, db):
    issue = IssueFactory(title="May 2018", slug="may-2018")
    agency = AgencyFactory(name="Sandwell Council", slug="sandwell-council")
    event = EventFactory(title="Awareness day", slug="awareness-day")
    SectionFactory(issue=issue, order=20, heading="Second", event=event)
    SectionFactory(issue=issue, order=10, heading="First", agency=agency, body="**Bold** news")
    SectionFactory(issue=issue, order=30, heading="Third")
    body = anon_client.get(issue.get_absolute_url()).content.decode()
    assert body.index(">First<") < body.index(">Second<") < body.index(">Third<")
    assert "<strong>Bold</strong> news" in body
    assert f'href="{agency.get_absolute_url()}"' in body
    assert "Awareness day" in body
    assert body.count("<h1") == 1


def test_issue_page_query_count_does_not_grow_with_sections(anon_client, db):
    issue = IssueFactory()
    SectionFactory(issue=issue, agency=AgencyFactory(), event=EventFactory())
    with CaptureQueriesContext(connection) as one:
        anon_client.get(issue.get_absolute_url())
    for _ in range(8):
        SectionFactory(issue=issue, agency=AgencyFactory(), event=EventFactory())
    with CaptureQueriesContext(connection) as many:
        anon_client.get(issue.get_absolute_url())
    assert len(many) == len(one)


def test_staff_with_change_permission_previews_drafts(client, db):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_issue", "change_issue"])
    )
    client.force_login(editor)
    draft = DraftIssueFactory(title="Editor draft")
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_staff_without_issue_permissions_cannot_preview_drafts(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))
    assert client.get(DraftIssueFactory().get_absolute_url()).status_code == 404


def test_archive_is_paged_newest_first(anon_client, db):
    from newsletters.views import ISSUES_PER_PAGE

    start = dt.date(2020, 1, 1)
    for i in range(ISSUES_PER_PAGE + 6):
        IssueFactory(
            title=f"Issue number {i:02d}",
            slug=f"issue-{i:02d}",
            issue_date=start + dt.timedelta(days=31 * i),
        )
    first = anon_client.get(ARCHIVE).content.decode()
    assert first.count('class="fw-semibold"') == ISSUES_PER_PAGE
    assert f"Issue number {ISSUES_PER_PAGE + 5:02d}" in first and "Issue number 00" not in first
    assert 'aria-label="Pages of issues"' in first
    second = anon_client.get(ARCHIVE, {"page": 2}).content.decode()
    assert second.count('class="fw-semibold"') == 6 and "Issue number 00" in second
    assert anon_client.get(ARCHIVE, {"page": "x"}).status_code == 200
