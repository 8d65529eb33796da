"""Working groups: pages, joining and leaving, closing, and the calendar choice."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from events.models import CalendarToken, Event
from network.models import GroupMembership, WorkingGroup
from tests.factories import (
    EventFactory,
    GroupMembershipFactory,
    MembershipFactory,
    WorkingGroupFactory,
)

LIST_URL = reverse("network:group-list")
SEES_MEMBERS = {"anonymous": False, "pending": False, "other_member": True, "member": True}
SEES_MEMBERS["officer"] = True


@pytest.fixture
def group(agency):
    return WorkingGroupFactory(
        name="Lead agencies at the point of rescue",
        slug="point-of-rescue",
        purpose="Agree lead agencies at the point of rescue.",
        lead_agency=agency,
    )


@pytest.fixture
def closed_group(db):
    return WorkingGroupFactory(
        slug="finished", status=WorkingGroup.Status.CLOSED, closed_at=timezone.now()
    )


@pytest.fixture
def colleague(group):
    """Someone already in the group, with a name only members may see."""
    return GroupMembershipFactory(
        group=group, user__first_name="Khizra", user__last_name="Dhindsa"
    ).user


def url(name, group):
    return reverse(f"network:group-{name}", args=[group.slug])


def in_group(user, group):
    return GroupMembership.objects.filter(user=user, group=group).exists()


# Pages


def test_group_list_for_every_role(role, client_for_role, group, colleague):
    response = client_for_role(role).get(LIST_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert group.name in html
    assert "Agree lead agencies at the point of rescue." in html
    assert "West Midlands Police" in html
    assert "Open" in html
    assert "Dhindsa" not in html  # the list gives counts, never names


def test_group_list_shows_member_count(anon_client, group, colleague):
    GroupMembershipFactory(group=group)
    html = anon_client.get(LIST_URL).content.decode()
    assert re.search(r"Members</dt>\s*<dd[^>]*>2</dd>", html)


def test_group_detail_for_every_role(role, client_for_role, group, colleague):
    response = client_for_role(role).get(url("detail", group))
    html = response.content.decode()
    assert response.status_code == 200
    assert group.purpose in html
    assert "West Midlands Police" in html
    assert ("Khizra Dhindsa" in html) is SEES_MEMBERS[role]
    assert ("Join this group" in html) is (SEES_MEMBERS[role])


def test_unknown_group_is_404(anon_client, db):
    assert anon_client.get("/groups/no-such-group/").status_code == 404


def test_group_detail_lists_upcoming_and_past_meetings(anon_client, group):
    now = timezone.now()
    EventFactory(title="Next rescue meeting", working_group=group)
    EventFactory(
        title="First rescue meeting",
        working_group=group,
        starts_at=now - dt.timedelta(days=30),
    )
    EventFactory(title="Network meeting elsewhere")

    html = anon_client.get(url("detail", group)).content.decode()

    upcoming, past = html.split('id="past-heading"', 1)
    assert "Next rescue meeting" in upcoming and "First rescue meeting" not in upcoming
    assert "First rescue meeting" in past
    assert "Network meeting elsewhere" not in html


def test_closed_group_page_hides_its_future_meetings(anon_client, closed_group):
    EventFactory(title="Cancelled by closing", working_group=closed_group)
    html = anon_client.get(url("detail", closed_group)).content.decode()
    assert "Cancelled by closing" not in html
    assert "no longer takes new members" in html


@pytest.mark.parametrize("page", ["list", "detail"])
def test_group_pages_refuse_post(member_client, group, page):
    target = LIST_URL if page == "list" else url("detail", group)
    assert member_client.post(target).status_code == 405


def query_count(client, target):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(target).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role_name", ["anonymous", "member"])
def test_group_pages_queries_do_not_grow_with_data(role_name, client_for_role, group):
    client = client_for_role(role_name)
    GroupMembershipFactory(group=group)
    EventFactory(working_group=group)
    small_list = query_count(client, LIST_URL)
    small_detail = query_count(client, url("detail", group))

    for _ in range(8):
        other = WorkingGroupFactory(lead_agency=group.lead_agency)
        GroupMembershipFactory(group=other)
        GroupMembershipFactory(group=group)
        EventFactory(working_group=group)
        EventFactory(working_group=group, starts_at=timezone.now() - dt.timedelta(days=9))

    assert query_count(client, LIST_URL) == small_list
    assert query_count(client, url("detail", group)) == small_detail


# Joining and leaving


JOIN_STATUS = {"anonymous": 302, "pending": 403, "other_member": 302, "member": 302}
JOIN_STATUS["officer"] = 302


def test_join_open_group_by_role(role, client_for_role, group, request):
    client = client_for_role(role)

    response = client.post(url("join", group))

    assert response.status_code == JOIN_STATUS[role]
    members = list(group.memberships.values_list("user__email", flat=True))
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
        assert members == []
    elif role == "pending":
        assert members == []
    else:
        assert response["Location"] == url("detail", group)
        assert len(members) == 1


def test_joining_twice_keeps_one_membership(member_client, member, group):
    member_client.post(url("join", group))
    response = member_client.post(url("join", group), follow=True)
    assert b"already in" in response.content
    assert GroupMembership.objects.filter(user=member, group=group).count() == 1


def test_closed_group_cannot_be_joined(member_client, member, closed_group):
    response = member_client.post(url("join", closed_group), follow=True)
    assert response.status_code == 200
    assert b"is closed" in response.content
    assert not in_group(member, closed_group)


def test_join_unknown_group_is_404(member_client, db):
    assert member_client.post("/groups/nope/join/").status_code == 404


def test_member_leaves_open_group(member_client, member, group):
    GroupMembershipFactory(group=group, user=member)
    response = member_client.post(url("leave", group), follow=True)
    assert b"You have left" in response.content
    assert not in_group(member, group)


def test_leaving_a_group_you_are_not_in_changes_nothing(member_client, group, colleague):
    response = member_client.post(url("leave", group), follow=True)
    assert b"You were not in" in response.content
    assert in_group(colleague, group)


def test_closed_group_cannot_be_left(member_client, member, closed_group):
    GroupMembershipFactory(group=closed_group, user=member)
    member_client.post(url("leave", closed_group))
    assert in_group(member, closed_group)


@pytest.mark.parametrize("role_name", ["anonymous", "pending"])
def test_non_members_cannot_leave(role_name, client_for_role, group, pending_user):
    GroupMembershipFactory(group=group, user=pending_user)
    response = client_for_role(role_name).post(url("leave", group))
    assert response.status_code == (302 if role_name == "anonymous" else 403)
    assert in_group(pending_user, group)


@pytest.mark.parametrize("action", ["join", "leave", "calendar"])
def test_group_actions_refuse_get(member_client, group, action):
    assert member_client.get(url(action, group)).status_code == 405


# Closing a group


def test_officer_closes_group_in_admin(officer_client, group):
    response = officer_client.post(
        reverse("admin:network_workinggroup_changelist"),
        {"action": "close_groups", "_selected_action": [group.pk]},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.status == WorkingGroup.Status.CLOSED
    assert group.closed_at is not None


def test_officer_records_an_outcome_shown_on_the_group_page(officer_client, anon_client, group):
    page = reverse("network:group-detail", args=[group.slug])
    assert "Outcome" not in anon_client.get(page).content.decode()
    response = officer_client.get(reverse("admin:network_workinggroup_change", args=[group.pk]))
    assert 'name="outcome"' in response.content.decode()
    group.outcome = "Lead agencies agreed for all <seven> local authority areas."
    group.save()
    html = anon_client.get(page).content.decode()
    assert '<dt class="col-sm-3">Outcome</dt>' in html
    assert "agreed for all &lt;seven&gt; local authority areas." in html


def test_closing_a_group_takes_its_future_meetings_out_of_feeds(officer_client, group):
    now = timezone.now()
    future = EventFactory(working_group=group)
    past = EventFactory(working_group=group, starts_at=now - dt.timedelta(days=20))
    network_meeting = EventFactory()
    assert future in Event.objects.in_feeds()

    officer_client.post(
        reverse("admin:network_workinggroup_changelist"),
        {"action": "close_groups", "_selected_action": [group.pk]},
    )

    in_feeds = set(Event.objects.in_feeds())
    assert future not in in_feeds
    assert past in in_feeds
    assert network_meeting in in_feeds


@pytest.mark.parametrize("role_name", ["pending", "member", "other_member"])
def test_non_officers_cannot_close_groups(role_name, client_for_role, group):
    client_for_role(role_name).post(
        reverse("admin:network_workinggroup_changelist"),
        {"action": "close_groups", "_selected_action": [group.pk]},
    )
    group.refresh_from_db()
    assert group.status == WorkingGroup.Status.OPEN


# Which meetings reach a member's calendar


def set_calendar(client, group, show):
    data = {"show_in_calendar": "on"} if show else {}
    return client.post(url("calendar", group), data)


def test_member_switches_group_meetings_in_calendar(member_client, member, group):
    GroupMembershipFactory(group=group, user=member)

    response = set_calendar(member_client, group, False)

    assert response.status_code == 302
    assert not GroupMembership.objects.get(user=member, group=group).show_in_calendar
    set_calendar(member_client, group, True)
    assert GroupMembership.objects.get(user=member, group=group).show_in_calendar


CALENDAR_STATUS = {"anonymous": 302, "pending": 403, "other_member": 404, "member": 302}
CALENDAR_STATUS["officer"] = 404


def test_calendar_choice_by_role(role, client_for_role, group, member):
    """Only the group's own members have a choice to make; the member here is in it."""
    GroupMembershipFactory(group=group, user=member, show_in_calendar=True)
    response = set_calendar(client_for_role(role), group, False)
    assert response.status_code == CALENDAR_STATUS[role]
    shown = GroupMembership.objects.get(user=member, group=group).show_in_calendar
    assert shown is (role != "member")


def test_group_page_shows_the_calendar_choice_to_group_members(member_client, member, group):
    GroupMembershipFactory(group=group, user=member, show_in_calendar=False)
    html = member_client.get(url("detail", group)).content.decode()
    assert "Show this group&#x27;s meetings in my calendar" in html
    assert "Leave this group" in html
    assert "Join this group" not in html


def test_personal_feed_follows_the_groups_a_member_chose(member_client, member, group):
    other_group = WorkingGroupFactory()
    GroupMembershipFactory(group=group, user=member)
    chosen = EventFactory(working_group=group)
    not_joined = EventFactory(working_group=other_group)
    network_meeting = EventFactory()

    feed = set(Event.objects.in_personal_feed(member))
    assert {chosen, network_meeting} <= feed
    assert not_joined not in feed

    set_calendar(member_client, group, False)
    feed = set(Event.objects.in_personal_feed(member))
    assert chosen not in feed
    assert network_meeting in feed

    member_client.post(url("leave", group))
    member_client.post(url("join", other_group))
    feed = set(Event.objects.in_personal_feed(member))
    assert not_joined in feed
    assert chosen not in feed


def personal_feed_url(user):
    path = f"/calendar/{CalendarToken.regenerate_for(user).raw_token}.ics"
    try:
        resolve(path)
    except Resolver404:
        pytest.skip("The personal calendar feed is not routed yet.")
    return path


def test_personal_ics_feed_follows_the_calendar_choice(member_client, member, group, anon_client):
    GroupMembershipFactory(group=group, user=member)
    EventFactory(title="Rescue pathway meeting", working_group=group)
    EventFactory(title="Network meeting", working_group=None)
    feed_url = personal_feed_url(member)

    body = anon_client.get(feed_url).content.decode()
    assert "Rescue pathway meeting" in body
    assert "Network meeting" in body

    set_calendar(member_client, group, False)
    # The first poll after a change gets the previous version and rebuilds the feed.
    anon_client.get(feed_url)
    body = anon_client.get(feed_url).content.decode()
    assert "Rescue pathway meeting" not in body
    assert "Network meeting" in body


def test_officer_can_join_and_choose_too(officer_client, officer, group):
    officer_client.post(url("join", group))
    assert in_group(officer, group)
    set_calendar(officer_client, group, False)
    assert not GroupMembership.objects.get(user=officer, group=group).show_in_calendar


def test_member_of_several_agencies_joins_once(client, group, member, other_agency):
    MembershipFactory(user=member, agency=other_agency)
    client.force_login(member)
    client.post(url("join", group))
    client.post(url("join", group))
    assert GroupMembership.objects.filter(user=member).count() == 1


def test_people_whose_membership_ended_are_not_listed_or_counted(anon_client, officer, db):
    from network.models import Membership
    from tests.factories import GroupMembershipFactory, MembershipFactory, WorkingGroupFactory

    group = WorkingGroupFactory(name="Pathway group", slug="pathway-group")
    staying = MembershipFactory(user__first_name="Stella", user__last_name="Stays").user
    leaving = MembershipFactory(user__first_name="Lenny", user__last_name="Leaves")
    GroupMembershipFactory(group=group, user=staying)
    GroupMembershipFactory(group=group, user=leaving.user)
    GroupMembershipFactory(group=group, user=officer)

    leaving.status = Membership.Status.ENDED
    leaving.save()

    from django.test import Client

    viewer = Client()
    viewer.force_login(officer)
    detail = viewer.get(group.get_absolute_url())
    names = [m.user.get_full_name() for m in detail.context["memberships"]]
    assert "Stella Stays" in names and "Lenny Leaves" not in names
    assert detail.context["member_count"] == 2
    listing = anon_client.get("/groups/")
    counts = {g.slug: g.member_count for g in listing.context["groups"]}
    assert counts["pathway-group"] == 2
