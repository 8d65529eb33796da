"""The chair's desk on the admin front page: each line appears when something needs
attention, links to the admin list that resolves it, and goes away once it is resolved."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from events.models import Event, EventDocument
from events.tasks import announce_waiting
from network.models import Agency
from tests.factories import (
    AgencyFactory,
    EventFactory,
    PendingMembershipFactory,
    PledgeFactory,
    RSVPFactory,
    WorkingGroupFactory,
)
from tests.files import PDF_BYTES, upload
from wmasn import jobs, mail
from wmasn.jobs.models import JobRun
from wmasn.mail.models import InboundMessage, OutgoingEmail
from wmasn.uploads import validate_upload

pytestmark = pytest.mark.django_db


def desk(client):
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    return {
        key: (int(count), href.replace("&amp;", "&"), text.strip())
        for key, href, count, text in re.findall(
            r'data-desk="([\w-]+)">\s*<a href="([^"]+)"><strong>(\d+)</strong>([^<]*)</a>', html
        )
    }, html


def changelist_names(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_desk_says_nothing_needs_attention_when_all_is_done(officer_client):
    jobs.run_due_jobs(worker="worker one")
    lines, html = desk(officer_client)
    assert lines == {}
    assert "Nothing needs attention." in html


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member"])
def test_desk_is_only_for_officers(client_for_role, role):
    response = client_for_role(role).get("/admin/")
    assert response.status_code == 302
    assert "Needs attention" not in response.content.decode()


def test_staff_who_are_not_officers_see_no_desk(client, db):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    PendingMembershipFactory()
    editor = UserFactory(email="editor@example.org", is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename="change_issue"))
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Needs attention" not in html and "membership request" not in html
    assert "Issues" in html  # the admin's own list of what they may change


def test_waiting_requests_oldest_first_with_age(officer_client):
    now = timezone.now()
    newer = PendingMembershipFactory(requested_at=now - dt.timedelta(days=2))
    older = PendingMembershipFactory(requested_at=now - dt.timedelta(days=9))
    lines, html = desk(officer_client)
    count, url, text = lines["membership-requests"]
    assert (count, text) == (2, "membership requests waiting")
    assert html.index(str(older.user)) < html.index(str(newer.user))
    assert "waiting 9 days" in html and "waiting 2 days" in html
    listed = changelist_names(officer_client, url)
    assert older.user.email in listed and newer.user.email in listed

    # Resolving them through the list's approve action empties the line.
    officer_client.post(
        "/admin/network/membership/",
        {"action": "approve", "_selected_action": [older.pk, newer.pk]},
    )
    assert "membership-requests" not in desk(officer_client)[0]


def test_proposed_agencies_line_links_to_the_proposed_list(officer_client):
    proposed = AgencyFactory(name="Proposed Charity", status=Agency.Status.PROPOSED)
    AgencyFactory(name="Settled Council")
    count, url, _ = desk(officer_client)[0]["proposed-agencies"]
    assert count == 1
    listed = changelist_names(officer_client, url)
    assert "Proposed Charity" in listed and "Settled Council" not in listed
    proposed.status = Agency.Status.ACTIVE
    proposed.save()
    assert "proposed-agencies" not in desk(officer_client)[0]


def test_meetings_without_venue_in_the_next_sixty_days(officer_client):
    now = timezone.now()
    soon = EventFactory(
        title="Soon without venue", venue=None, starts_at=now + dt.timedelta(days=10)
    )
    EventFactory(title="Later without venue", venue=None, starts_at=now + dt.timedelta(days=90))
    EventFactory(title="Soon with venue", starts_at=now + dt.timedelta(days=5))
    cancelled = EventFactory(
        title="Cancelled one", venue=None, starts_at=now + dt.timedelta(days=3)
    )
    cancelled.cancel("Room flooded")
    count, url, text = desk(officer_client)[0]["meetings-without-venue"]
    assert count == 1
    assert "next 60 days" in text
    listed = changelist_names(officer_client, url)
    assert "Soon without venue" in listed
    assert "Later without venue" not in listed
    assert "Soon with venue" not in listed
    assert "Cancelled one" not in listed

    soon.venue = Event.objects.get(title="Soon with venue").venue
    soon.save()
    assert "meetings-without-venue" not in desk(officer_client)[0]


def attach(event, kind):
    document = EventDocument(event=event, kind=kind, title=f"{kind} for {event}")
    document.set_upload(validate_upload(upload(f"{kind}.pdf", PDF_BYTES)))
    document.save()


def test_next_meetings_without_papers(officer_client):
    now = timezone.now()
    days = lambda n: now + dt.timedelta(days=n)  # noqa: E731
    group = WorkingGroupFactory(name="Victim care pathway")
    closed = WorkingGroupFactory(name="Old group", status="closed")
    cancelled = EventFactory(title="Cancelled network meeting", starts_at=days(3))
    cancelled.cancel("Room flooded")
    network = EventFactory(title="Next network meeting", starts_at=days(10))
    following = EventFactory(title="Following network meeting", starts_at=days(20))
    group_meeting = EventFactory(
        title="Pathway group meeting", starts_at=days(12), working_group=group
    )
    EventFactory(title="Old group meeting", starts_at=days(4), working_group=closed)
    EventFactory(kind=Event.Kind.CONFERENCE, title="Conference soon", starts_at=days(5))
    EventFactory(
        title="Too far off to worry",
        starts_at=days(40),
        slug="far",
        working_group=(WorkingGroupFactory(name="Later group")),
    )
    attach(group_meeting, EventDocument.Kind.MINUTES)  # minutes are not papers for a meeting

    lines, html = desk(officer_client)
    count, url, text = lines["meetings-without-papers"]
    assert (count, text) == (2, "next meetings without an agenda or papers attached")
    listed = changelist_names(officer_client, url)
    for title in ["Next network meeting", "Pathway group meeting"]:
        assert title in listed
    for title in [
        "Following network meeting",
        "Cancelled network meeting",
        "Old group meeting",
        "Conference soon",
        "Too far off to worry",
    ]:
        assert title not in listed
    papers_line = html.split('data-desk="meetings-without-papers"')[1].split("</li>\n    </ul>")[0]
    assert f'<a href="/admin/events/event/{network.pk}/change/">{network}</a>' in papers_line
    assert f'<a href="/admin/events/event/{group_meeting.pk}/change/">{group_meeting}</a>' in (
        papers_line
    )

    attach(network, EventDocument.Kind.AGENDA)
    count, url, _ = desk(officer_client)[0]["meetings-without-papers"]
    assert count == 1
    assert "Pathway group meeting" in changelist_names(officer_client, url)
    assert following.title not in changelist_names(officer_client, url)

    attach(group_meeting, EventDocument.Kind.PAPER)
    assert "meetings-without-papers" not in desk(officer_client)[0]


def test_agencies_without_a_pledge_this_year(officer_client):
    year = timezone.localdate().year
    pledged = AgencyFactory(name="Pledged Agency")
    PledgeFactory(agency=pledged, year=year)
    silent = AgencyFactory(name="Silent Agency")
    PledgeFactory(agency=silent, year=year - 1)
    count, url, text = desk(officer_client)[0]["agencies-without-pledge"]
    assert (count, text) == (1, f"agency with no pledge for {year}")
    listed = changelist_names(officer_client, url)
    assert "Silent Agency" in listed and "Pledged Agency" not in listed

    PledgeFactory(agency=silent, year=year)
    assert "agencies-without-pledge" not in desk(officer_client)[0]


def test_pledge_filter_shows_agencies_with_a_pledge_too(officer_client):
    PledgeFactory(agency=AgencyFactory(name="Pledged Agency"), year=2030)
    AgencyFactory(name="Silent Agency")
    listed = changelist_names(officer_client, "/admin/network/agency/?pledged=yes&pledge_year=2030")
    assert "Pledged Agency" in listed and "Silent Agency" not in listed
    # A nonsense year falls back to this year rather than failing.
    assert officer_client.get("/admin/network/agency/?pledged=no&pledge_year=x").status_code == 200


def test_next_meetings_with_their_answers(officer_client, member, other_member):
    now = timezone.now()
    meeting = EventFactory(title="Next network meeting", starts_at=now + dt.timedelta(days=3))
    RSVPFactory(event=meeting, user=member)
    RSVPFactory(event=meeting, user=other_member, answer="apologies")
    RSVPFactory(event=meeting, answer="tentative")  # a calendar's "Tentative"
    RSVPFactory(event=meeting, answer="tentative")
    EventFactory(title="Past meeting", starts_at=now - dt.timedelta(days=3))
    html = desk(officer_client)[1].split('id="desk-meetings"')[1]
    table = html.split("</table>")[0]
    assert re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', table)[-3:] == [
        "Attending",
        "Tentative",
        "Apologies",
    ]
    row = re.search(r"Next network meeting.*?</tr>", html, re.S).group(0)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row)[-3:] == ["1", "2", "1"]
    assert "Past meeting" not in html
    assert f"/admin/events/event/{meeting.pk}/change/" in html


def queue(*addresses):
    content = mail.store_content(mail.RenderedEmail(subject="Your membership", text="Hello.\n"))
    return mail.queue_emails(content, list(addresses), kind="membership-decision")


def test_failed_emails_line_links_to_the_failed_list(
    officer_client, django_capture_on_commit_callbacks
):
    failed, sent = queue("failed@example.org", "sent@example.org")
    OutgoingEmail.objects.filter(pk=failed.pk).update(state="failed", attempts=3)
    OutgoingEmail.objects.filter(pk=sent.pk).update(state="sent")
    count, url, _ = desk(officer_client)[0]["emails-failed"]
    assert count == 1
    listed = changelist_names(officer_client, url)
    assert "failed@example.org" in listed and "sent@example.org" not in listed
    # Resolved through the list's "send again" action.
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(url, {"action": "retry", "_selected_action": [failed.pk], "index": 0})
    assert "emails-failed" not in desk(officer_client)[0]


def test_emails_waiting_with_no_worker(officer_client, time_machine):
    queue("waiting@example.org")
    count, url, text = desk(officer_client)[0]["emails-waiting"]
    assert count == 1 and "no mail worker" in text
    assert "waiting@example.org" in changelist_names(officer_client, url)
    jobs.record_heartbeat("worker one")
    assert "emails-waiting" not in desk(officer_client)[0]
    # A worker silent for more than ten minutes counts as none.
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=11))
    assert "emails-waiting" in desk(officer_client)[0]


def test_events_not_announced_within_ten_minutes(officer_client):
    now = timezone.now()
    stuck = EventFactory(
        title="Stuck announcement", announcement_queued_at=now - dt.timedelta(minutes=15)
    )
    EventFactory(title="Just saved", announcement_queued_at=now - dt.timedelta(minutes=1))
    EventFactory(title="Announced long ago", announced_at=now - dt.timedelta(days=3))
    count, url, text = desk(officer_client)[0]["announcements-waiting"]
    assert count == 1
    assert text.startswith("new event not yet announced to members")
    listed = changelist_names(officer_client, url)
    assert "Stuck announcement" in listed and "Just saved" in listed
    assert "Announced long ago" not in listed

    announce_waiting()
    assert not Event.objects.waiting_to_be_announced().filter(pk=stuck.pk).exists()
    assert "announcements-waiting" not in desk(officer_client)[0]


def test_overdue_jobs_line_links_to_those_jobs(officer_client, time_machine):
    jobs.run_due_jobs(worker="worker one")
    assert "jobs-overdue" not in desk(officer_client)[0]
    JobRun.objects.filter(name="pledges.reminders").update(
        last_finished_at=timezone.now() - dt.timedelta(days=3)
    )
    count, url, text = desk(officer_client)[0]["jobs-overdue"]
    assert count == 1 and text.endswith("pledges.reminders")
    listed = changelist_names(officer_client, url)
    assert "pledges.reminders" in listed and "mail.deliver" not in listed
    jobs.run_due_jobs(worker="worker one", names=["pledges.reminders"], force=True)
    assert "jobs-overdue" not in desk(officer_client)[0]


def test_waiting_requests_have_approve_and_decline_buttons(officer_client):
    from network.models import Membership

    waiting = PendingMembershipFactory()
    html = desk(officer_client)[1]
    action = f'action="/admin/network/membership/{waiting.pk}/decide/"'
    assert html.count(action) == 2
    assert 'value="Approve"' in html and 'value="Decline"' in html
    response = officer_client.post(
        f"/admin/network/membership/{waiting.pk}/decide/",
        {"decision": "approve", "next": "/admin/"},
    )
    assert response["Location"] == "/admin/"
    waiting.refresh_from_db()
    assert waiting.status == Membership.Status.APPROVED
    assert "membership-requests" not in desk(officer_client)[0]


def inbound(kind, outcome, sender, days_ago=0):
    return InboundMessage.objects.create(
        key=f"<{sender}-{kind}-{days_ago}@example.org>",
        content_hash="0" * 64,
        received_at=timezone.now() - dt.timedelta(days=days_ago),
        sender=sender,
        subject="Re: Network meeting",
        kind=kind,
        outcome=outcome,
        reason="For officers.",
    )


def test_messages_for_officers_are_on_the_desk_until_marked_dealt_with(officer_client):
    Kind, Outcome = InboundMessage.Kind, InboundMessage.Outcome
    counter = inbound(Kind.COUNTER, Outcome.FOR_OFFICERS, "ann@example.org", days_ago=2)
    words = inbound(Kind.PERSONAL, Outcome.FOR_OFFICERS, "bob@example.org")
    inbound(Kind.AUTO_REPLY, Outcome.IGNORED, "away@example.org")  # nothing to read
    inbound(Kind.PERSONAL, Outcome.FORWARDED, "cat@example.org")  # the network's people have it

    lines, html = desk(officer_client)
    count, url, text = lines["messages-for-officers"]
    assert (count, text) == (2, "messages for officers to read (mark them dealt with there)")
    # Oldest first, each linking to the message.
    block = html.split('data-desk="messages-for-officers"')[1].split("</ul>")[0]
    assert block.index("Proposed new time from ann@example.org") < block.index(
        "Written by a person from bob@example.org"
    )
    assert f"/admin/mail/inboundmessage/{counter.pk}/change/" in block
    received = timezone.localdate(counter.received_at)
    assert f", {received.day} {received:%b %Y}" in block  # when it came, e.g. "4 Dec 2026"
    listed = changelist_names(officer_client, url)
    assert "ann@example.org" in listed and "bob@example.org" in listed
    assert "away@example.org" not in listed and "cat@example.org" not in listed

    response = officer_client.post(
        "/admin/mail/inboundmessage/",
        {"action": "mark_dealt_with", "_selected_action": [counter.pk, words.pk]},
        follow=True,
    )
    assert "2 message(s) marked as dealt with." in response.content.decode()
    assert "messages-for-officers" not in desk(officer_client)[0]
    counter.refresh_from_db()
    assert counter.dealt_with_at is not None
    assert "ann@example.org" not in changelist_names(officer_client, url)


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member"])
def test_only_officers_can_mark_messages_dealt_with(role, client_for_role):
    message = inbound(
        InboundMessage.Kind.COUNTER, InboundMessage.Outcome.FOR_OFFICERS, "ann@example.org"
    )
    client_for_role(role).post(
        "/admin/mail/inboundmessage/",
        {"action": "mark_dealt_with", "_selected_action": [message.pk]},
    )
    message.refresh_from_db()
    assert message.dealt_with_at is None
