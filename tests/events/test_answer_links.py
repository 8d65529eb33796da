"""The signed "Attending" / "Sending apologies" links in meeting emails."""

import datetime as dt

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from events import notices
from events.models import RSVP
from tests.factories import EventFactory, RSVPFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(db):
    return EventFactory(slug="network-meeting-soon")


def link_path(event, user, answer):
    return notices.answer_links(event, user)[answer].removeprefix("http://testserver")


def answers(event):
    return dict(RSVP.objects.filter(event=event).values_list("user__email", "answer"))


def test_links_point_at_this_event_and_differ_per_answer_and_member(event, member, other_member):
    links = notices.answer_links(event, member)
    assert set(links) == {"attending", "apologies"}
    assert links["attending"].startswith("http://testserver/events/network-meeting-soon/answer/")
    assert links["attending"] != links["apologies"]
    assert notices.answer_links(event, other_member)["attending"] != links["attending"]


@pytest.mark.parametrize("method", ["get", "head"])
def test_opening_a_link_changes_nothing(anon_client, event, member, method):
    response = getattr(anon_client, method)(link_path(event, member, "attending"))
    assert response.status_code == 200
    assert answers(event) == {}
    if method == "get":
        html = response.content.decode()
        assert "Yes, I will attend" in html
        assert 'method="post"' in html
        assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_button_records_the_answer_without_logging_in(event, member):
    client = Client(enforce_csrf_checks=True)
    path = link_path(event, member, "apologies")
    page = client.get(path)
    token = page.context["csrf_token"]
    response = client.post(path, {"csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    assert response["Location"] == path
    assert answers(event) == {member.email: "apologies"}
    after = client.get(path).content.decode()
    assert "Your answer now: <strong>Apologies</strong>" in after
    assert "Send my apologies</button>" not in after


def test_a_post_without_the_csrf_token_is_refused(event, member):
    client = Client(enforce_csrf_checks=True)
    assert client.post(link_path(event, member, "attending")).status_code == 403
    assert answers(event) == {}


def test_a_second_answer_replaces_the_first(anon_client, event, member):
    RSVPFactory(event=event, user=member, answer="apologies")
    anon_client.post(link_path(event, member, "attending"))
    assert answers(event) == {member.email: "attending"}


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "not-a-token",
        lambda token: signing.dumps({"e": 1, "u": 1, "a": "attending"}, salt="other"),
    ],
)
def test_a_forged_link_is_a_404(anon_client, event, member, forge):
    token = notices.answer_token(event, member, "attending")
    path = f"/events/{event.slug}/answer/{forge(token)}/"
    assert anon_client.get(path).status_code == 404
    assert anon_client.post(path).status_code == 404
    assert answers(event) == {}


def test_a_link_cannot_be_turned_into_another_members_or_another_answer(
    anon_client, event, member, other_member
):
    """The payload names the member and the answer; changing either breaks the signature."""
    _payload, stamp_and_signature = notices.answer_token(event, member, "attending").split(":", 1)
    other_payload = notices.answer_token(event, other_member, "apologies").split(":", 1)[0]
    spliced = f"{other_payload}:{stamp_and_signature}"
    assert anon_client.post(f"/events/{event.slug}/answer/{spliced}/").status_code == 404
    assert answers(event) == {}


def test_a_link_for_one_meeting_does_not_work_for_another(anon_client, event, member):
    other_event = EventFactory(slug="another-meeting")
    token = notices.answer_token(event, member, "attending")
    assert anon_client.post(f"/events/{other_event.slug}/answer/{token}/").status_code == 404
    assert answers(other_event) == {} and answers(event) == {}


def test_another_member_logged_in_cannot_use_someone_elses_link(other_member_client, event, member):
    response = other_member_client.post(link_path(event, member, "attending"))
    assert response.status_code == 403
    assert answers(event) == {}


def test_the_member_logged_in_can_use_their_own_link(member_client, event, member):
    assert member_client.post(link_path(event, member, "attending")).status_code == 302
    assert answers(event) == {member.email: "attending"}


def test_a_link_expires_after_the_meeting(anon_client, member):
    past = EventFactory(
        starts_at=timezone.now() - dt.timedelta(days=1),
        ends_at=timezone.now() - dt.timedelta(days=1, hours=-2),
    )
    path = link_path(past, member, "attending")
    page = anon_client.get(path)
    assert page.status_code == 410
    assert "no longer records answers" in page.content.decode()
    assert anon_client.post(path).status_code == 410
    assert answers(past) == {}


def test_a_cancelled_meeting_takes_no_answers(anon_client, event, member):
    path = link_path(event, member, "attending")
    event.cancel("Snow.")
    page = anon_client.get(path)
    assert "is cancelled" in page.content.decode()
    assert "<button" not in page.content.decode().split("<main")[1].split("</main>")[0]
    anon_client.post(path)
    assert answers(event) == {}


def test_a_link_stops_working_when_the_membership_ends(anon_client, event, member):
    path = link_path(event, member, "attending")
    member.memberships.update(status="ended")
    assert anon_client.get(path).status_code == 404
    assert anon_client.post(path).status_code == 404


def test_a_pending_users_link_is_a_404(anon_client, event, pending_user):
    assert anon_client.post(link_path(event, pending_user, "attending")).status_code == 404


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_wrong_methods_are_refused(anon_client, event, member, method):
    response = getattr(anon_client, method)(link_path(event, member, "attending"))
    assert response.status_code == 405
    assert answers(event) == {}


@pytest.mark.parametrize("role", ["anonymous", "pending", "officer"])
def test_the_link_page_looks_the_same_to_any_visitor_but_records_for_its_member(
    client_for_role, role, event, member
):
    client = client_for_role(role)
    path = link_path(event, member, "attending")
    if role == "anonymous":
        assert client.get(path).status_code == 200
        assert client.post(path).status_code == 302
        assert answers(event) == {member.email: "attending"}
    else:
        # Logged in as somebody else: refused, so nobody answers for a colleague by mistake.
        assert client.post(path).status_code == 403
        assert answers(event) == {}
