"""/account/notifications/: which emails a member gets; one-click unsubscribe per kind."""

import re

import pytest
from django.core import signing
from django.test import Client

from network import notifications
from network.models import NotificationPreferences, User
from network.notifications import Kind

pytestmark = pytest.mark.django_db

URL = "/account/notifications/"


def choices(**overrides):
    data = {
        "newsletter": "on",
        "meetings": "on",
        "reminders": "on",
        "pledge_reminders": "on",
        "calendar_invitations": "False",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("role", ["pending", "other_member", "member", "officer"])
def test_every_logged_in_person_sees_their_own_choices(client_for_role, role):
    response = client_for_role(role).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Emails from the network</h1>" in html
    assert "not both, or each meeting shows twice" in html
    assert response.context["user"].email in html


def test_anonymous_is_sent_to_log_in(anon_client):
    for response in (anon_client.get(URL), anon_client.post(URL, choices())):
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_wrong_method_is_refused(member_client):
    assert member_client.put(URL).status_code == 405


def test_saving_switches_kinds_off_and_chooses_invitations(member_client, member):
    response = member_client.post(
        URL, choices(newsletter=None, reminders=None, calendar_invitations="True")
    )
    assert response.status_code == 302
    member.refresh_from_db()
    preferences = NotificationPreferences.objects.get(user=member)
    assert member.newsletter_opt_out is True
    assert (preferences.meetings, preferences.reminders, preferences.pledge_reminders) == (
        True,
        False,
        True,
    )
    assert preferences.calendar_invitations is True
    assert notifications.wants_invitations(member)
    assert not User.objects.filter(pk=member.pk).wanting(Kind.REMINDERS).exists()
    page = member_client.get(URL).content.decode()
    [invitations] = re.findall(
        r'<input[^>]*name="calendar_invitations"[^>]*value="True"[^>]*>', page
    )
    assert "checked" in invitations


def test_turning_the_newsletter_back_on(member_client, member):
    member.newsletter_opt_out = True
    member.save()
    member_client.post(URL, choices())
    member.refresh_from_db()
    assert member.newsletter_opt_out is False


def test_bad_input_is_a_form_error(member_client, member):
    response = member_client.post(URL, choices(calendar_invitations="maybe"))
    assert response.status_code == 400
    assert (
        "errorlist" in response.content.decode() or "invalid-feedback" in response.content.decode()
    )
    assert not NotificationPreferences.objects.filter(user=member).exists()


def test_a_person_without_choices_gets_every_kind_without_invitations(member):
    users = User.objects.filter(pk=member.pk)
    assert all(users.wanting(kind).exists() for kind in Kind)
    assert not notifications.wants_invitations(member)


# One-click unsubscribe -------------------------------------------------------------------------


def unsubscribe_path(user, kind):
    return notifications.unsubscribe_url(user, kind).removeprefix("http://testserver")


@pytest.mark.parametrize("kind", list(Kind))
def test_a_get_asks_and_changes_nothing(anon_client, member, kind):
    response = anon_client.get(unsubscribe_path(member, kind))
    assert response.status_code == 200
    assert f"Stop {kind.label}" in response.content.decode()
    assert User.objects.filter(pk=member.pk).wanting(kind).exists()
    assert response["X-Robots-Tag"] == "noindex"


@pytest.mark.parametrize("kind", list(Kind))
def test_one_click_post_switches_off_that_kind_only(member, kind):
    client = Client(enforce_csrf_checks=True)  # mail clients send no CSRF token
    response = client.post(unsubscribe_path(member, kind), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    users = User.objects.filter(pk=member.pk)
    assert not users.wanting(kind).exists()
    assert all(users.wanting(other).exists() for other in Kind if other != kind)


def test_headers_name_the_one_click_link(member):
    headers = notifications.unsubscribe_headers(member, Kind.REMINDERS)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        headers["List-Unsubscribe"] == f"<{notifications.unsubscribe_url(member, Kind.REMINDERS)}>"
    )


@pytest.mark.parametrize(
    "token",
    [
        "forged",
        signing.dumps({"u": 1, "k": "reminders"}, salt="another-salt"),
        signing.dumps({"u": 1, "k": "everything"}, salt=notifications.UNSUBSCRIBE_SALT),
    ],
)
def test_a_forged_unsubscribe_link_is_a_404(anon_client, member, token):
    path = f"/account/notifications/unsubscribe/{token}/"
    assert anon_client.get(path).status_code == 404
    assert anon_client.post(path).status_code == 404


def test_the_unsubscribe_page_says_when_already_off(anon_client, member):
    notifications.switch(member, Kind.MEETINGS, on=False)
    html = anon_client.get(unsubscribe_path(member, Kind.MEETINGS)).content.decode()
    assert "already gets no meeting announcements and changes" in html


def test_unsubscribe_wrong_method(anon_client, member):
    assert anon_client.put(unsubscribe_path(member, Kind.MEETINGS)).status_code == 405


def test_newsletter_unsubscribe_through_either_link_sets_the_same_switch(anon_client, member):
    anon_client.post(unsubscribe_path(member, Kind.NEWSLETTER))
    member.refresh_from_db()
    assert member.newsletter_opt_out is True
