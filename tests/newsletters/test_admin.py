"""The admin: writing, previewing, publishing (with the permission only), sending, retrying."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsletters.models import Delivery, Issue
from tests.factories import (
    AgencyFactory,
    DeliveryFactory,
    DraftIssueFactory,
    EventFactory,
    IssueFactory,
    PledgeFactory,
    SectionFactory,
    UserFactory,
)

ADD = reverse("admin:newsletters_issue_add")
CHANGELIST = reverse("admin:newsletters_issue_changelist")
FROM_PORTAL = reverse("admin:newsletters_issue_from_portal")


@pytest.fixture
def editor(db):
    """Staff who may add and change issues but not publish them."""
    user = UserFactory(email="editor@example.org", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="newsletters", codename__in=["add_issue", "change_issue"]
        )
    )
    return user


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


def issue_form(**overrides):
    data = {
        "title": "April 2018",
        "slug": "april-2018",
        "issue_date": "2018-04-01",
        "summary": "Spring news.",
        "status": "draft",
        "publish_at_0": "",
        "publish_at_1": "",
        "audience": "members",
        "audience_sector": "",
        "audience_group": "",
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "0",
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
        "sections-0-order": "10",
        "sections-0-heading": "Welcome",
        "sections-0-body": "Hello **members**.",
        "sections-0-agency": "",
        "sections-0-event": "",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def test_officer_has_the_publish_permission(officer):
    assert officer.has_perm("newsletters.publish_issue")


def test_officer_publishes_now_with_a_section(officer_client, anon_client):
    response = officer_client.post(ADD, issue_form(status="published"))
    assert response.status_code == 302, response.content.decode()[:3000]
    issue = Issue.objects.get(slug="april-2018")
    assert issue.status == Issue.Status.PUBLISHED
    assert issue.publish_at <= timezone.now()
    assert issue.created_by.email == "officer@example.org"
    assert issue.sections.get().heading == "Welcome"
    assert anon_client.get(issue.get_absolute_url()).status_code == 200


def test_officer_schedules_an_issue(officer_client, anon_client):
    later = timezone.localtime(timezone.now() + dt.timedelta(days=2))
    response = officer_client.post(
        ADD,
        issue_form(
            status="published",
            publish_at_0=later.strftime("%d/%m/%Y"),
            publish_at_1=later.strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 302
    issue = Issue.objects.get(slug="april-2018")
    assert issue.is_scheduled
    assert anon_client.get(issue.get_absolute_url()).status_code == 404
    assert "Scheduled for" in officer_client.get(CHANGELIST).content.decode()


def test_editor_can_save_a_draft_but_not_publish(editor_client):
    page = editor_client.get(ADD).content.decode()
    assert 'name="status"' not in page
    response = editor_client.post(ADD, issue_form(status="published"))
    assert response.status_code == 302
    issue = Issue.objects.get(slug="april-2018")
    assert issue.status == Issue.Status.DRAFT
    assert issue.publish_at is None


def test_editor_cannot_use_the_publish_action(editor_client):
    draft = DraftIssueFactory()
    page = editor_client.get(CHANGELIST).content.decode()
    assert "publish_now" not in page
    assert "send_to_members" not in page
    editor_client.post(
        CHANGELIST, {"action": "publish_now", "_selected_action": [draft.pk], "index": 0}
    )
    draft.refresh_from_db()
    assert draft.status == Issue.Status.DRAFT


def test_editor_cannot_change_a_published_issue(editor_client):
    issue = IssueFactory(title="Live")
    url = reverse("admin:newsletters_issue_change", args=[issue.pk])
    page = editor_client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = editor_client.post(url, issue_form(title="Defaced", slug=issue.slug))
    assert response.status_code == 403
    issue.refresh_from_db()
    assert issue.title == "Live"


def test_editor_edits_a_draft_and_views_it_on_site(editor_client):
    draft = DraftIssueFactory(title="Draft")
    url = reverse("admin:newsletters_issue_change", args=[draft.pk])
    response = editor_client.post(url, issue_form(title="Better draft", slug=draft.slug))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Better draft"
    assert draft.status == Issue.Status.DRAFT
    assert editor_client.get(draft.get_absolute_url()).status_code == 200


def test_publish_now_action(officer_client, anon_client):
    draft = DraftIssueFactory()
    scheduled = IssueFactory(publish_at=timezone.now() + dt.timedelta(days=5))
    officer_client.post(
        CHANGELIST,
        {"action": "publish_now", "_selected_action": [draft.pk, scheduled.pk], "index": 0},
    )
    for issue in (draft, scheduled):
        issue.refresh_from_db()
        assert issue.is_published
        assert anon_client.get(issue.get_absolute_url()).status_code == 200


def test_send_to_members_asks_first_with_the_audience_and_the_count(
    officer_client, member, other_member, officer
):
    """Issue 25: "Send to its audience" sent at once, with no count of who gets it."""
    issue = IssueFactory()
    response = officer_client.post(
        CHANGELIST, {"action": "send_to_members", "_selected_action": [issue.pk], "index": 0}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "All members" in html and "3 recipients" in html
    assert 'name="confirm" value="yes"' in html
    assert not Delivery.objects.exists()


def test_a_second_confirmation_sends_nothing_twice(officer_client, member, other_member, officer):
    issue = IssueFactory()
    confirm = {"action": "send_to_members", "_selected_action": [issue.pk], "confirm": "yes"}
    officer_client.post(CHANGELIST, confirm)
    assert Delivery.objects.filter(issue=issue).count() == 3
    again = officer_client.post(CHANGELIST, confirm, follow=True)
    assert "nobody gets it twice" in again.content.decode()
    assert Delivery.objects.filter(issue=issue).count() == 3
    page = officer_client.post(
        CHANGELIST, {"action": "send_to_members", "_selected_action": [issue.pk], "index": 0}
    ).content.decode()
    assert "3 already have it" in page and "nobody new to send to" in page


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member"])
def test_only_publishers_send(client_for_role, role):
    issue = IssueFactory()
    client_for_role(role).post(
        CHANGELIST,
        {"action": "send_to_members", "_selected_action": [issue.pk], "confirm": "yes"},
    )
    assert not Delivery.objects.exists()


def test_send_to_members_only_queues(officer_client, member, other_member, officer):
    issue = IssueFactory()
    draft = DraftIssueFactory()
    response = officer_client.post(
        CHANGELIST,
        {
            "action": "send_to_members",
            "_selected_action": [issue.pk, draft.pk],
            "confirm": "yes",
        },
        follow=True,
    )
    assert "3 new email(s) queued" in response.content.decode()
    assert "publish it before sending" in response.content.decode()
    assert Delivery.objects.filter(issue=issue, status="pending").count() == 3
    assert not Delivery.objects.filter(issue=draft).exists()
    assert mail.outbox == []


def test_changelist_and_change_page_show_delivery_counts(officer_client):
    issue = IssueFactory()
    DeliveryFactory(issue=issue, status="sent")
    DeliveryFactory(issue=issue, status="sent")
    DeliveryFactory(issue=issue, status="failed", last_error="boom")
    changelist = officer_client.get(CHANGELIST).content.decode()
    assert "status__exact=failed" in changelist
    page = officer_client.get(reverse("admin:newsletters_issue_change", args=[issue.pk]))
    assert "2 sent, 0 waiting, 1 failed" in page.content.decode()


def test_section_preview_is_sanitised(officer_client):
    section = SectionFactory(body="**Hi** <script>alert(1)</script>[x](javascript:alert(1))")
    page = officer_client.get(
        reverse("admin:newsletters_issue_change", args=[section.issue.pk])
    ).content.decode()
    assert "<strong>Hi</strong>" in page
    assert "alert(1)</script>" not in page
    assert 'href="javascript:' not in page


def test_sections_are_ordered_by_their_order_number(officer_client):
    issue = DraftIssueFactory()
    SectionFactory(issue=issue, order=20, heading="Second")
    SectionFactory(issue=issue, order=10, heading="First")
    page = officer_client.get(reverse("admin:newsletters_issue_change", args=[issue.pk]))
    html = page.content.decode()
    assert html.index('value="First"') < html.index('value="Second"')


def test_reserved_slug_is_a_form_error(officer_client):
    response = officer_client.post(ADD, issue_form(slug="feed"))
    assert response.status_code == 200
    assert not Issue.objects.filter(slug="feed").exists()


def test_view_on_site_redirects_staff_to_the_draft(officer_client):
    draft = DraftIssueFactory()
    page = officer_client.get(reverse("admin:newsletters_issue_change", args=[draft.pk]))
    assert "View on site" in page.content.decode()
    assert officer_client.get(draft.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("role", ["anonymous", "pending", "member"])
def test_non_staff_cannot_reach_the_issue_admin(client_for_role, role):
    response = client_for_role(role).get(CHANGELIST)
    assert response.status_code == 302
    assert "/login/" in response.url
    response = client_for_role(role).post(FROM_PORTAL)
    assert response.status_code == 302
    assert not Issue.objects.exists()


def test_new_issue_from_the_portal(officer_client):
    now = timezone.now()
    IssueFactory(title="Last", publish_at=now - dt.timedelta(days=30))
    meeting = EventFactory(title="Network meeting May", starts_at=now + dt.timedelta(days=10))
    EventFactory(title="Past meeting", starts_at=now - dt.timedelta(days=40))
    EventFactory(title="Workshop", kind="workshop", starts_at=now + dt.timedelta(days=5))
    newcomer = AgencyFactory(name="Newcomer Trust")
    PledgeFactory(agency=newcomer, text="Train all staff.")
    PledgeFactory(text="Members-only pledge.", visibility="members")

    response = officer_client.post(FROM_PORTAL)
    issue = Issue.objects.get(status=Issue.Status.DRAFT)
    assert response.status_code == 302
    assert response.url == reverse("admin:newsletters_issue_change", args=[issue.pk])
    bodies = "\n".join(s.heading + "\n" + s.body for s in issue.sections.all())
    assert "Network meeting May" in bodies
    assert "Past meeting" not in bodies and "Workshop" not in bodies
    assert "Newcomer Trust" in bodies
    assert "Train all staff." in bodies
    assert "Members-only pledge." not in bodies
    assert issue.sections.get(heading="Network meeting dates").event == meeting
    assert not issue.is_published


def test_new_issue_from_the_portal_needs_post_and_permission(officer_client, client):
    assert officer_client.get(FROM_PORTAL).status_code == 405
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_issue"))
    client.force_login(viewer)
    assert client.post(FROM_PORTAL).status_code == 403
    assert not Issue.objects.exists()


def test_two_drafts_from_the_portal_get_distinct_slugs(officer_client):
    officer_client.post(FROM_PORTAL)
    officer_client.post(FROM_PORTAL)
    assert Issue.objects.count() == 2
    assert len(set(Issue.objects.values_list("slug", flat=True))) == 2


def test_delivery_admin_filters_failures_and_retries_them(officer_client):
    failed = DeliveryFactory(status="failed", attempts=3, last_error="550 mailbox unavailable")
    sent = DeliveryFactory(status="sent", attempts=1)
    url = reverse("admin:newsletters_delivery_changelist")
    page = officer_client.get(url, {"status__exact": "failed"}).content.decode()
    assert failed.email in page and sent.email not in page
    officer_client.post(
        url, {"action": "retry_failed", "_selected_action": [failed.pk, sent.pk], "index": 0}
    )
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert failed.status == Delivery.Status.PENDING
    assert sent.status == Delivery.Status.SENT
    assert officer_client.get(reverse("admin:newsletters_delivery_add")).status_code == 403


def test_issue_list_shows_emails_in_one_column(officer_client):
    """Issue 25: seven columns cut off Failed at 1,280 px."""
    from tests.factories import IssueFactory

    IssueFactory()
    html = officer_client.get("/admin/newsletters/issue/").content.decode()
    assert "column-emails" in html and "column-publish_at" not in html
    assert "0 sent, 0 waiting, 0 failed" in html


def test_a_new_issue_is_dated_today(officer_client, time_machine):
    """Issue 25: "Issue date" had no default, so the first save failed."""
    time_machine.move_to(dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.UTC), tick=False)
    form = officer_client.get(ADD).context["adminform"].form
    assert form["issue_date"].value() == dt.date(2026, 12, 6)
