"""The home page is personal: a newcomer's next step, a member's next meeting and answer."""

import datetime as dt

import pytest
from django.utils import timezone

from events.models import RSVP, Event
from tests.factories import (
    EventFactory,
    GroupMembershipFactory,
    RSVPFactory,
    UserFactory,
    VenueFactory,
    WorkingGroupFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_meeting(db):
    venue = VenueFactory(
        name="Sandwell Council House", address="Freeth Street\nOldbury", postcode="B69 3DE"
    )
    starts = timezone.now() + dt.timedelta(days=9)
    return EventFactory(
        title="Network meeting (May)",
        slug="may",
        venue=venue,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
    )


def home(client):
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ["member", "other_member", "officer"])
def test_a_members_home_shows_their_next_meeting_venue_and_answer(
    client_for_role, role, next_meeting, request
):
    client = client_for_role(role)
    user = request.getfixturevalue(role)
    RSVPFactory(event=next_meeting, user=user, answer=RSVP.Answer.APOLOGIES)
    html = home(client)
    assert "your next meeting" in html.lower()
    assert "Network meeting (May)" in html
    assert "Sandwell Council House, Freeth Street, Oldbury, B69 3DE" in html
    assert "Your answer: <strong>Apologies</strong>" in html
    assert "Next step" not in html


def test_a_member_who_has_not_answered_is_asked_to(member_client, next_meeting):
    html = home(member_client)
    assert "You have not answered yet" in html
    assert 'href="/events/may/#rsvp-heading"' in html


def test_the_next_meeting_skips_cancelled_and_past_ones(member_client, next_meeting):
    earlier = timezone.now() + dt.timedelta(days=2)
    EventFactory(title="Called off", starts_at=earlier, ends_at=earlier + dt.timedelta(hours=1))
    Event.objects.get(title="Called off").cancel("Snow")
    past = timezone.now() - dt.timedelta(days=2)
    EventFactory(title="Last time", starts_at=past, ends_at=past + dt.timedelta(hours=1))
    html = home(member_client)
    section = html.split('id="my-next-meeting-heading"')[1].split("</section>")[0]
    assert "Network meeting (May)" in section
    assert "Called off" not in section and "Last time" not in section


def test_a_group_meeting_counts_only_for_its_members_who_show_it(member, member_client):
    group = WorkingGroupFactory(name="Point of rescue")
    soon = timezone.now() + dt.timedelta(days=1)
    EventFactory(
        title="Point of rescue meeting",
        kind=Event.Kind.WORKSHOP,
        working_group=group,
        starts_at=soon,
        ends_at=soon + dt.timedelta(hours=1),
    )
    assert "No meeting is scheduled for you yet." in home(member_client)
    GroupMembershipFactory(group=group, user=member, show_in_calendar=True)
    assert "Point of rescue meeting" in home(member_client)


def test_a_member_without_a_meeting_is_told_so(member_client):
    assert "No meeting is scheduled for you yet." in home(member_client)


def test_a_pending_user_sees_their_request_as_the_next_step(pending_client, next_meeting):
    html = home(pending_client)
    assert "Next step: an officer approves your request" in html
    assert "Your request to join West Midlands Police is with a network officer" in html
    assert "your next meeting" not in html.lower()
    assert "Sandwell Council House" not in html  # no venue before approval


def test_someone_without_a_request_is_asked_to_join_their_agency(client):
    user = UserFactory(first_name="Sam")
    client.force_login(user)
    html = home(client)
    assert "Welcome, Sam. Next step: ask to join your agency" in html
    assert 'href="/membership/">Ask to join your agency</a>' in html


def test_visitors_see_neither(anon_client, next_meeting):
    html = home(anon_client)
    assert "Next step" not in html
    assert "your next meeting" not in html.lower()
    assert "Sandwell Council House" not in html
    assert "Network meeting (May)" in html  # the public list of next meetings


def test_home_refuses_other_methods(member_client):
    assert member_client.post("/").status_code == 405
