"""Audiences, and public subscription: double opt-in with the consent time, one-click
unsubscribe that forgets, and subscribers in "download my data" and account deletion."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from network.privacy import delete_account, export_user_data
from newsletters import sending, subscriptions
from newsletters.audiences import recipients_for
from newsletters.models import Delivery, Issue, Subscriber
from tests.factories import (
    AgencyFactory,
    DeliveryFactory,
    GroupMembershipFactory,
    IssueFactory,
    MembershipFactory,
    SectionFactory,
    SubscriberFactory,
    WorkingGroupFactory,
)
from wmasn.mail.delivery import deliver_due
from wmasn.mail.models import OutgoingEmail

SUBSCRIBE = reverse("newsletters:subscribe")
ARCHIVE = reverse("newsletters:issue-list")


def signup(client, **overrides):
    data = {"name": "Sam Supporter", "email": "Sam@Example.net", "organisation": "A charity"}
    data.update(overrides)
    return client.post(SUBSCRIBE, data)


def confirm_link():
    [message] = [m for m in mail.outbox if "Confirm" in m.subject]
    return re.search(r"http://testserver(/newsletters/subscribe/confirm/\S+/)", message.body)[1]


def test_the_archive_has_the_signup_form(role, client_for_role):
    page = client_for_role(role).get(ARCHIVE).content.decode()
    assert f'action="{SUBSCRIBE}"' in page
    assert 'name="organisation"' in page and 'autocomplete="email"' in page


def test_subscribe_page_for_every_role_and_wrong_method(role, client_for_role):
    client = client_for_role(role)
    assert client.get(SUBSCRIBE).status_code == 200
    assert client.put(SUBSCRIBE).status_code == 405


def test_signup_stores_nothing_confirmed_and_emails_a_link(
    anon_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(anon_client)

    assert response.status_code == 302
    assert response["Location"] == reverse("newsletters:subscribe-sent")
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.organisation) == ("sam@example.net", "A charity")
    assert subscriber.confirmed_at is None
    assert mail.outbox[0].to == ["sam@example.net"]


def test_opening_the_link_asks_and_the_click_is_the_consent(
    anon_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signup(anon_client)
    link = confirm_link()

    assert "Yes, send me the newsletter" in anon_client.get(link).content.decode()
    assert Subscriber.objects.get().confirmed_at is None, "a mail scanner's GET confirms nothing"
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        assert anon_client.post(link).status_code == 200
    assert Subscriber.objects.get().confirmed_at == dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def test_a_confirmation_link_expires_and_cannot_be_forged(
    anon_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signup(anon_client)
    link = confirm_link()

    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        assert anon_client.post(link).status_code == 404
    assert anon_client.post(link.replace(link.split("/")[-2], "forged")).status_code == 404
    assert Subscriber.objects.get().confirmed_at is None


def test_signing_up_again_says_nothing_about_who_subscribes(
    anon_client, django_capture_on_commit_callbacks
):
    SubscriberFactory(email="sam@example.net", name="Sam")
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(anon_client, name="Someone else")

    assert response.status_code == 302
    assert Subscriber.objects.get().name == "Sam", "a stranger cannot rename a subscriber"
    assert mail.outbox[0].subject == "[WMASN] You already receive the newsletter"


@pytest.mark.parametrize(
    "overrides", [{"email": "not-an-address"}, {"name": ""}, {"name": "x" * 201}]
)
def test_bad_signups_are_form_errors(anon_client, overrides):
    response = signup(anon_client, **overrides)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_signups_are_rate_limited(anon_client):
    for n in range(5):
        assert signup(anon_client, email=f"s{n}@example.net").status_code == 302
    assert signup(anon_client, email="s9@example.net").status_code == 429


def test_behind_the_proxy_each_visitor_has_their_own_limit(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    data = {"name": "Sam", "organisation": "A charity"}

    def from_visitor(address, n):
        return client.post(
            SUBSCRIBE, {**data, "email": f"{address}-{n}@example.net"}, HTTP_X_FORWARDED_FOR=address
        )

    for n in range(5):
        assert from_visitor("203.0.113.7", n).status_code == 302
    assert from_visitor("203.0.113.7", 9).status_code == 429
    assert from_visitor("198.51.100.2", 0).status_code == 302


def test_the_daily_job_forgets_unconfirmed_signups_with_no_new_signup(db, time_machine):
    from wmasn.jobs import run_due_jobs

    old = SubscriberFactory(confirmed_at=None)
    confirmed = SubscriberFactory()
    time_machine.move_to(timezone.now() + dt.timedelta(days=8))
    name = "newsletters.purge-unconfirmed-subscribers"
    assert run_due_jobs(names=[name]) == {name: "ran"}
    assert list(Subscriber.objects.values_list("pk", flat=True)) == [confirmed.pk]
    assert old.pk != confirmed.pk


def test_unconfirmed_signups_are_deleted_after_a_week(db):
    old = SubscriberFactory(confirmed_at=None)
    Subscriber.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    confirmed = SubscriberFactory()

    subscriptions.subscribe(name="New", email="new@example.net")

    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        confirmed.email,
        "new@example.net",
    }


@pytest.fixture
def network(db):
    police = AgencyFactory(sector="public")
    charity = AgencyFactory(sector="third")
    MembershipFactory(agency=police, user__email="police@example.org")
    third_member = MembershipFactory(agency=charity, user__email="charity@example.org").user
    group = WorkingGroupFactory()
    GroupMembershipFactory(group=group, user=third_member)
    SubscriberFactory(email="supporter@example.net")
    SubscriberFactory(email="unconfirmed@example.net", confirmed_at=None)
    SubscriberFactory(email="police@example.org")  # a member who also subscribed publicly
    return group


def audience(issue):
    return sorted(r.email for r in recipients_for(issue))


def test_audiences_choose_the_recipients(network):
    members = IssueFactory()
    public = IssueFactory(audience=Issue.Audience.PUBLIC)
    sector = IssueFactory(audience=Issue.Audience.SECTOR, audience_sector="third")
    group = IssueFactory(audience=Issue.Audience.GROUP, audience_group=network)

    assert audience(members) == ["charity@example.org", "police@example.org"]
    assert audience(public) == [
        "charity@example.org",
        "police@example.org",
        "supporter@example.net",
    ]
    assert audience(sector) == ["charity@example.org"]
    assert audience(group) == ["charity@example.org"]
    # The member who also subscribed gets the members' email, once.
    [police] = [r for r in recipients_for(public) if r.email == "police@example.org"]
    assert police.user_id and police.subscriber_id is None


@pytest.mark.parametrize(
    "audience_kind", [Issue.Audience.MEMBERS, Issue.Audience.PUBLIC, Issue.Audience.SECTOR]
)
def test_every_audience_leaves_out_who_switched_the_newsletter_off(network, audience_kind):
    from network import notifications
    from network.models import User

    charity = User.objects.get(email="charity@example.org")
    notifications.switch(charity, notifications.Kind.NEWSLETTER, on=False)
    sector = "third" if audience_kind == Issue.Audience.SECTOR else ""
    issue = IssueFactory(audience=audience_kind, audience_sector=sector)
    group = IssueFactory(audience=Issue.Audience.GROUP, audience_group=network)

    assert "charity@example.org" not in audience(issue)
    assert audience(group) == []


def test_switching_another_kind_off_leaves_the_newsletter(network):
    from network import notifications
    from network.models import User

    charity = User.objects.get(email="charity@example.org")
    for kind in ("meetings", "reminders", "pledge-reminders"):
        notifications.switch(charity, kind, on=False)
    assert "charity@example.org" in audience(IssueFactory())


def test_an_audience_needs_its_sector_or_group(db):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    issue = IssueFactory.build(audience=Issue.Audience.SECTOR, audience_sector="")
    with pytest.raises(ValidationError, match="Choose the sector"):
        issue.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        IssueFactory(audience=Issue.Audience.GROUP, audience_group=None)


def test_subscribers_get_the_email_with_their_own_one_click_unsubscribe(network, anon_client):
    issue = IssueFactory(audience=Issue.Audience.PUBLIC)
    SectionFactory(issue=issue)
    sending.queue_issue(issue)
    sending.send_published_issues()
    deliver_due()
    [message] = [m for m in mail.outbox if m.to == ["supporter@example.net"]]

    assert "because you subscribed" in message.body
    url = message.extra_headers["List-Unsubscribe"].strip("<>").replace("http://testserver", "")
    # RFC 8058: the mail client POSTs, without a CSRF token.
    assert anon_client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Subscriber.objects.filter(email="supporter@example.net").exists()
    sent = Delivery.objects.get(issue=issue, subscriber__isnull=True, user__isnull=True)
    assert sent.email.endswith("@deleted.invalid"), "sent ones keep no address"
    assert sent.message.recipient == sent.email and sent.message.substitutions == {}
    assert not OutgoingEmail.objects.filter(recipient="supporter@example.net").exists()


def test_unsubscribe_page_for_a_subscriber_asks_first(db, anon_client):
    subscriber = SubscriberFactory()
    url = subscriptions.unsubscribe_url(subscriber).replace("http://testserver", "")

    page = anon_client.get(url).content.decode()
    assert subscriber.email in page and "deleted with your name" in page
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()


def test_a_forgotten_subscribers_waiting_emails_are_never_sent(db):
    subscriber = subscriptions.subscribe(name="Sam", email="sam@example.net")
    issue = IssueFactory(audience=Issue.Audience.PUBLIC)
    SectionFactory(issue=issue)
    Subscriber.objects.filter(pk=subscriber.pk).update(confirmed_at=timezone.now())
    sending.queue_issue(issue)
    sending.send_published_issues()  # in the outbox, not sent yet
    assert OutgoingEmail.objects.filter(recipient="sam@example.net").count() == 2

    subscriptions.forget(subscriber)

    assert not OutgoingEmail.objects.filter(recipient="sam@example.net").exists()
    assert deliver_due()["sent"] == 0
    assert set(OutgoingEmail.objects.values_list("state", flat=True)) == {"failed"}


def test_unsent_deliveries_of_a_forgotten_subscriber_are_dropped(db):
    subscriber = SubscriberFactory()
    DeliveryFactory(subscriber=subscriber, email=subscriber.email)

    subscriptions.forget(subscriber)

    assert not Delivery.objects.exists()


def test_download_my_data_includes_a_public_subscription_of_my_address(member):
    SubscriberFactory(email=member.email, organisation="Friends")
    data = export_user_data(member)
    [subscription] = data["newsletter_public_subscriptions"]
    assert subscription["organisation"] == "Friends" and subscription["consent_given_at"]


def test_account_deletion_forgets_a_public_subscription(member):
    SubscriberFactory(email=member.email)
    delete_account(user=member)
    assert not Subscriber.objects.exists()
