"""/account/notifications/: which emails a person gets; the one signed unsubscribe link and
view, for every kind and for members and public newsletter subscribers alike."""

import re

import pytest
from django.core import signing
from django.test import Client

from network import notifications
from network.models import NotificationPreferences, User
from network.notifications import Kind
from newsletters.models import Subscriber
from tests.factories import MembershipFactory, SubscriberFactory
from wmasn import mail
from wmasn.mail.models import OutgoingEmail

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


def wants(user, kind):
    return User.objects.filter(pk=user.pk).wanting(kind).exists()


def queue(person, kind):
    """An email of `kind` to `person` waiting in the outbox."""
    content = mail.store_content(mail.RenderedEmail(subject="Hello", text="Hello."))
    [email] = mail.queue_emails(content, [person.email], kind=kind)
    return email


def test_saving_switches_kinds_off_and_chooses_invitations(member_client, member):
    response = member_client.post(
        URL, choices(newsletter=None, reminders=None, calendar_invitations="True")
    )
    assert response.status_code == 302
    preferences = NotificationPreferences.objects.get(user=member)
    assert (
        preferences.newsletter,
        preferences.meetings,
        preferences.reminders,
        preferences.pledge_reminders,
    ) == (False, True, False, True)
    assert preferences.calendar_invitations is True
    assert notifications.wants_invitations(member)
    assert [kind for kind in Kind if wants(member, kind)] == [Kind.MEETINGS, Kind.PLEDGE_REMINDERS]
    page = member_client.get(URL).content.decode()
    [invitations] = re.findall(
        r'<input[^>]*name="calendar_invitations"[^>]*value="True"[^>]*>', page
    )
    assert "checked" in invitations
    [newsletter] = re.findall(r'<input[^>]*name="newsletter"[^>]*>', page)
    assert "checked" not in newsletter


def test_turning_the_newsletter_back_on(member_client, member):
    notifications.switch(member, Kind.NEWSLETTER, on=False)
    member_client.post(URL, choices())
    assert wants(member, Kind.NEWSLETTER)


def test_switching_a_kind_off_on_the_page_drops_its_waiting_emails(member_client, member):
    waiting_reminder = queue(member, Kind.REMINDERS)
    waiting_meeting = queue(member, Kind.MEETINGS)
    member_client.post(URL, choices(reminders=None))
    assert not OutgoingEmail.objects.filter(pk=waiting_reminder.pk).exists()
    assert OutgoingEmail.objects.filter(pk=waiting_meeting.pk).exists()


def test_bad_input_is_a_form_error(member_client, member):
    response = member_client.post(URL, choices(calendar_invitations="maybe"))
    assert response.status_code == 400
    assert (
        "errorlist" in response.content.decode() or "invalid-feedback" in response.content.decode()
    )
    assert not NotificationPreferences.objects.filter(user=member).exists()


def test_a_person_without_choices_gets_every_kind_without_invitations(member):
    assert all(wants(member, kind) for kind in Kind)
    assert not notifications.wants_invitations(member)


def test_an_inactive_person_gets_no_kind(member):
    User.objects.filter(pk=member.pk).update(is_active=False)
    assert not any(wants(member, kind) for kind in Kind)


# The one unsubscribe link and view ----------------------------------------------------------

OLD_NEWSLETTER = "/newsletters/unsubscribe/{}/"


def path_of(url):
    return url.removeprefix("http://testserver")


def link(person, kind):
    return path_of(notifications.unsubscribe_url(person, kind))


@pytest.mark.parametrize("kind", list(Kind))
def test_a_get_or_head_asks_and_changes_nothing(client_for_role, role, member, kind):
    waiting = queue(member, kind)
    client = client_for_role(role)
    response = client.get(link(member, kind))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>Stop {kind.label}</h1>" in html and "member@example.org" in html
    assert '<form method="post">' in html
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-cache" in response["Cache-Control"]
    assert client.head(link(member, kind)).status_code == 200
    assert all(wants(member, each) for each in Kind), "link scanners change nothing"
    assert OutgoingEmail.objects.filter(pk=waiting.pk, state="pending").exists()


@pytest.mark.parametrize("kind", list(Kind))
def test_one_click_post_switches_off_that_kind_only_and_its_waiting_emails(member, kind):
    waiting = {each: queue(member, each) for each in Kind}
    client = Client(enforce_csrf_checks=True)  # mail clients send no CSRF token, no cookie
    response = client.post(link(member, kind), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "Done: the portal no longer sends" in response.content.decode()
    assert not wants(member, kind)
    assert all(wants(member, other) for other in Kind if other != kind)
    left = set(OutgoingEmail.objects.values_list("kind", flat=True))
    assert left == {str(other) for other in Kind if other != kind}
    assert not OutgoingEmail.objects.filter(pk=waiting[kind].pk).exists()


def test_the_link_authorises_whoever_is_logged_in(client_for_role, role, member, other_member):
    response = client_for_role(role).post(link(other_member, Kind.REMINDERS))
    assert response.status_code == 200
    assert not wants(other_member, Kind.REMINDERS)
    assert wants(member, Kind.REMINDERS), "the link's person, not the one logged in"


def test_posting_twice_is_harmless(anon_client, member):
    for _ in range(2):
        assert anon_client.post(link(member, Kind.MEETINGS)).status_code == 200
    assert NotificationPreferences.objects.get(user=member).meetings is False


def test_the_page_says_when_already_off(anon_client, member):
    notifications.switch(member, Kind.MEETINGS, on=False)
    html = anon_client.get(link(member, Kind.MEETINGS)).content.decode()
    assert "already does not send meeting announcements and changes to member@" in html
    assert '<form method="post">' not in html


def test_an_inactive_account_is_told_it_gets_nothing_and_a_post_still_holds(anon_client, member):
    """An inactive account is emailed nothing; its one-click POST is still recorded, so the
    choice stands if an officer reactivates the account."""
    User.objects.filter(pk=member.pk).update(is_active=False)
    html = anon_client.get(link(member, Kind.NEWSLETTER)).content.decode()
    assert "already does not send the newsletter to member@example.org" in html
    assert anon_client.post(link(member, Kind.NEWSLETTER)).status_code == 200
    User.objects.filter(pk=member.pk).update(is_active=True)
    assert not wants(member, Kind.NEWSLETTER)
    assert wants(member, Kind.MEETINGS)


def test_a_deleted_accounts_link_changes_nothing(anon_client, member):
    from network.privacy import delete_account

    url = link(member, Kind.MEETINGS)
    delete_account(user=member)
    for response in (anon_client.get(url), anon_client.post(url)):
        assert response.status_code == 200
        html = response.content.decode()
        assert "already sends nothing to the address this link was for" in html
        assert "deleted-" not in html
    assert not NotificationPreferences.objects.filter(user=member).exists()


def test_the_header_function_builds_rfc_8058_headers(member):
    url = notifications.unsubscribe_url(member, Kind.REMINDERS)
    assert notifications.unsubscribe_headers(url) == {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def salted(payload, salt=notifications.UNSUBSCRIBE_SALT):
    return signing.dumps(payload, salt=salt)


@pytest.mark.parametrize(
    "token",
    [
        "forged",
        "",
        salted({"u": 1, "k": "reminders"}, salt="another-salt"),
        salted({"u": 1, "k": "everything"}),
        salted({"k": "meetings"}),
        salted({"u": 1, "s": 1, "k": "meetings"}),
        salted({"u": "one", "k": "meetings"}),
        salted({"x": 1, "k": "meetings"}),
        salted([1, "meetings"]),
        salted("member@example.org", salt="newsletters.unsubscribe"),
    ],
)
def test_a_forged_or_tampered_link_is_a_friendly_404(anon_client, member, token):
    for path in (f"/account/notifications/unsubscribe/{token}/", OLD_NEWSLETTER.format(token)):
        if not token:
            path = path.replace("//", "/x/")
        for response in (anon_client.get(path), anon_client.head(path), anon_client.post(path)):
            assert response.status_code == 404
        assert "This unsubscribe link does not work" in anon_client.get(path).content.decode()
    assert all(wants(member, kind) for kind in Kind)


def test_a_link_with_a_changed_character_is_a_404(anon_client, member):
    path = link(member, Kind.MEETINGS)
    assert anon_client.post(path.replace("/unsubscribe/", "/unsubscribe/x")).status_code == 404
    assert wants(member, Kind.MEETINGS)


@pytest.mark.parametrize("path", ["/account/notifications/unsubscribe/{}/", OLD_NEWSLETTER])
def test_unsubscribe_wrong_method(anon_client, member, path):
    token = notifications.unsubscribe_token(member, Kind.MEETINGS)
    assert anon_client.put(path.format(token)).status_code == 405
    assert anon_client.delete(path.format(token)).status_code == 405


# Links already emailed keep working ---------------------------------------------------------


def test_the_old_newsletter_link_of_a_member_still_unsubscribes(anon_client, member):
    """Newsletters went out with /newsletters/unsubscribe/<pk signed by its own salt>/."""
    path = OLD_NEWSLETTER.format(salted(member.pk, salt="newsletters.unsubscribe"))
    html = anon_client.get(path).content.decode()
    assert "Stop the newsletter" in html and "member@example.org" in html
    assert wants(member, Kind.NEWSLETTER)
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not wants(member, Kind.NEWSLETTER)
    assert wants(member, Kind.MEETINGS)


def test_the_old_link_of_a_public_subscriber_still_forgets_them(anon_client, db):
    subscriber = SubscriberFactory(email="sam@example.net")
    path = OLD_NEWSLETTER.format(salted(subscriber.pk, salt="newsletters.subscriber.unsubscribe"))
    assert "sam@example.net" in anon_client.get(path).content.decode()
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "Your subscription has been deleted" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_a_new_link_is_served_at_the_old_address_too(anon_client, member):
    token = notifications.unsubscribe_token(member, Kind.REMINDERS)
    assert anon_client.post(OLD_NEWSLETTER.format(token)).status_code == 200
    assert not wants(member, Kind.REMINDERS)


# Public subscribers: the same link, the same view -------------------------------------------


def test_a_subscriber_gets_the_same_link_and_unsubscribing_forgets_them(anon_client, db):
    subscriber = SubscriberFactory(email="sam@example.net")
    waiting = queue(subscriber, Kind.NEWSLETTER)
    path = link(subscriber, Kind.NEWSLETTER)
    assert path.startswith("/account/notifications/unsubscribe/")
    html = anon_client.get(path).content.decode()
    assert "sam@example.net" in html and "deleted with your name and organisation" in html

    assert anon_client.post(path).status_code == 200

    assert not Subscriber.objects.exists()
    assert not OutgoingEmail.objects.filter(pk=waiting.pk, state="pending").exists()
    again = anon_client.post(path)
    assert again.status_code == 200, "a mail client's second one-click POST is harmless"
    assert "already sends nothing" in again.content.decode()


def test_a_subscriber_link_cannot_name_another_kind(anon_client, db):
    subscriber = SubscriberFactory()
    token = salted({"s": subscriber.pk, "k": "meetings"})
    assert anon_client.post(f"/account/notifications/unsubscribe/{token}/").status_code == 404
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()


def test_an_unconfirmed_subscriber_is_told_they_get_nothing(anon_client, db):
    subscriber = SubscriberFactory(confirmed_at=None)
    html = anon_client.get(link(subscriber, Kind.NEWSLETTER)).content.decode()
    assert f"already does not send the newsletter to {subscriber.email}" in html
    assert '<form method="post">' not in html


# The privacy registry and the migration ------------------------------------------------------


def test_download_my_data_has_every_choice(member):
    from network.privacy import export_user_data

    notifications.switch(member, Kind.NEWSLETTER, on=False)
    preferences = export_user_data(member)["notification_preferences"]
    assert preferences["newsletter"] is False and preferences["meetings"] is True
    assert "newsletter_opt_out" not in export_user_data(member)["profile"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_every_newsletter_opt_out_across_and_back():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("network", "0006_membership_decided_index")]
    after = [("network", "0008_remove_user_newsletter_opt_out")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        apps = executor.loader.project_state(before).apps
        OldUser = apps.get_model("network", "User")
        OldPreferences = apps.get_model("network", "NotificationPreferences")
        OldUser.objects.create(email="quiet@example.org", newsletter_opt_out=True)
        chose = OldUser.objects.create(email="chose@example.org", newsletter_opt_out=True)
        OldPreferences.objects.create(user=chose, reminders=False)
        keen = OldUser.objects.create(email="keen@example.org")
        OldPreferences.objects.create(user=keen, meetings=False)
        OldUser.objects.create(email="never@example.org")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
    rows = dict(NotificationPreferences.objects.values_list("user__email", "newsletter").order_by())
    assert rows == {
        "quiet@example.org": False,
        "chose@example.org": False,
        "keen@example.org": True,
    }
    # Read only the columns the migration touched: later migrations add more.
    chose_reminders = NotificationPreferences.objects.filter(user__email="chose@example.org")
    assert list(chose_reminders.values_list("reminders", flat=True)) == [False]
    assert sorted(User.objects.wanting(Kind.NEWSLETTER).values_list("email", flat=True)) == [
        "keen@example.org",
        "never@example.org",
    ]

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        OldUser = executor.loader.project_state(before).apps.get_model("network", "User")
        opted_out = OldUser.objects.filter(newsletter_opt_out=True).values_list("email", flat=True)
        assert sorted(opted_out) == ["chose@example.org", "quiet@example.org"]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_a_member_who_was_never_asked_is_in_the_newsletter_audience(db):
    member = MembershipFactory().user
    assert wants(member, Kind.NEWSLETTER)


def test_officers_see_and_change_a_persons_choices_in_the_admin(officer_client, member):
    url = f"/admin/network/user/{member.pk}/change/"
    page = officer_client.get(url).content.decode()
    assert 'name="notification_preferences-0-newsletter"' in page
    assert "newsletter_opt_out" not in page
