"""Emailing an issue: who gets it, never twice, failures recorded and retried, unsubscribing."""

import datetime as dt
import smtplib

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from network import notifications
from network.models import Membership, NotificationPreferences, User
from network.notifications import Kind
from newsletters import sending
from newsletters.models import Delivery
from tests.factories import (
    AgencyFactory,
    DraftIssueFactory,
    IssueFactory,
    MembershipFactory,
    SectionFactory,
    UserFactory,
)
from wmasn.jobs import run_due_jobs
from wmasn.mail.delivery import deliver_due
from wmasn.mail.models import EmailContent, OutgoingEmail


@pytest.fixture
def issue(db):
    issue = IssueFactory(title="March 2018", slug="march-2018", summary="Spring news.")
    SectionFactory(issue=issue, heading="Dates", body="See [the meeting](/events/m/) **soon**.")
    return issue


def recipients_of(issue):
    return set(Delivery.objects.filter(issue=issue).values_list("email", flat=True))


def sent_to():
    return sorted(address for message in mail.outbox for address in message.to)


def test_members_and_officers_are_queued_but_not_others(
    issue, member, other_member, officer, pending_user
):
    outsider = UserFactory(email="outsider@example.org")
    ended = MembershipFactory(user__email="ended@example.org", status=Membership.Status.ENDED).user
    inactive = MembershipFactory(user__email="inactive@example.org", user__is_active=False).user
    assert sending.queue_issue(issue) == 3
    assert recipients_of(issue) == {
        "member@example.org",
        "other@example.org",
        "officer@example.org",
    }
    assert outsider.email not in recipients_of(issue)
    assert {ended.email, inactive.email, pending_user.email}.isdisjoint(recipients_of(issue))


def test_opted_out_members_are_not_queued(issue, member):
    quiet = MembershipFactory(user__email="quiet@example.org").user
    notifications.switch(quiet, Kind.NEWSLETTER, on=False)
    sending.queue_issue(issue)
    assert recipients_of(issue) == {"member@example.org"}


def test_unverified_addresses_are_not_queued(issue, agency):
    MembershipFactory(agency=agency, user__email="unverified@example.org", user__verified=False)
    assert sending.queue_issue(issue) == 0


def test_members_of_a_proposed_agency_are_not_queued(issue):
    MembershipFactory(agency=AgencyFactory(status="proposed"), user__email="new@example.org")
    assert sending.queue_issue(issue) == 0


def test_queueing_twice_adds_only_new_recipients(issue, member):
    assert sending.queue_issue(issue) == 1
    assert sending.queue_issue(issue) == 0
    MembershipFactory(user__email="late@example.org")
    assert sending.queue_issue(issue) == 1
    assert Delivery.objects.filter(issue=issue).count() == 2


def test_a_draft_cannot_be_queued(member):
    with pytest.raises(ValueError):
        sending.queue_issue(DraftIssueFactory())


def send_all():
    """What the worker does: published issues to the outbox, then the outbox to the server."""
    sending.send_published_issues()
    counts = deliver_due()
    return counts["sent"], counts["failed"]


def test_sending_twice_never_emails_anyone_twice(issue, member, other_member, officer):
    sending.queue_issue(issue)
    assert send_all() == (3, 0)
    assert send_all() == (0, 0)
    sending.queue_issue(issue)
    sending.send_published_issues()
    assert send_all() == (0, 0)
    assert sent_to() == ["member@example.org", "officer@example.org", "other@example.org"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert all(d.sent_at and d.attempts == 1 for d in Delivery.objects.all())


def test_the_officers_action_sends_once_the_transaction_commits(
    issue, member, other_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sending.queue_issue(issue)
    assert sent_to() == ["member@example.org", "other@example.org"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_the_issue_is_rendered_once_for_all_its_readers(issue, member, other_member, officer):
    sending.queue_issue(issue)
    sending.send_published_issues()
    assert EmailContent.objects.count() == 1
    assert OutgoingEmail.objects.filter(kind="newsletter").count() == 3
    send_all()
    links = {message.extra_headers["List-Unsubscribe"] for message in mail.outbox}
    assert len(links) == 3, "each reader has their own unsubscribe link"


def test_each_email_has_text_html_and_one_click_unsubscribe(issue, member):
    sending.queue_issue(issue)
    send_all()
    [message] = mail.outbox
    assert message.subject == "[WMASN] Newsletter: March 2018"
    assert "DATES" in message.body and "the meeting [1] soon." in message.body
    assert "**" not in message.body and "](" not in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "<strong>soon</strong>" in html
    # Relative links in a section become absolute in an email.
    assert 'href="http://testserver/events/m/"' in html
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    # The token is timestamped: compare whose link it is, not the string made a second later.
    token = unsubscribe.strip("<>").rstrip("/").rsplit("/", 1)[1]
    link = notifications.read_unsubscribe_link(token)
    assert (link.person, link.kind) == (member, Kind.NEWSLETTER)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = unsubscribe.strip("<>")
    assert url in message.body and url in html
    assert "wmasn-personal" not in message.body + html


def test_scheduled_issue_waits_until_published(member, time_machine):
    scheduled = IssueFactory(publish_at=timezone.now() + dt.timedelta(hours=2))
    sending.queue_issue(scheduled)
    assert send_all() == (0, 0)
    time_machine.move_to(timezone.now() + dt.timedelta(hours=3))
    assert run_due_jobs(names=["newsletters.send-published"]) == {
        "newsletters.send-published": "ran"
    }
    assert deliver_due()["sent"] == 1


def refuse(code, reply):
    return smtplib.SMTPRecipientsRefused({"x": (code, reply.encode())})


@pytest.fixture
def failing_for(monkeypatch):
    """Make the locmem backend refuse one address, as an SMTP server would."""

    def install(bad_address, error):
        original = EmailBackend.send_messages

        def send_messages(self, messages):
            for message in messages:
                if bad_address in message.to:
                    raise error
            return original(self, messages)

        monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
        return lambda: monkeypatch.setattr(EmailBackend, "send_messages", original)

    return install


def test_a_refused_recipient_is_failed_with_the_reply(issue, member, other_member, failing_for):
    sending.queue_issue(issue)
    failing_for("other@example.org", refuse(550, "5.1.1 mailbox unavailable"))
    assert send_all() == (1, 1)
    failed = Delivery.objects.get(email="other@example.org")
    assert failed.status == Delivery.Status.FAILED
    assert failed.attempts == 1
    assert failed.last_error == "550 5.1.1 mailbox unavailable"
    assert sent_to() == ["member@example.org"]


def test_a_temporary_failure_waits_then_is_sent(
    issue, member, other_member, failing_for, time_machine
):
    sending.queue_issue(issue)
    stop_failing = failing_for("other@example.org", refuse(451, "4.3.0 try again later"))
    assert send_all() == (1, 0)
    waiting = Delivery.objects.get(email="other@example.org")
    assert waiting.status == Delivery.Status.PENDING
    assert waiting.last_error == "451 4.3.0 try again later"
    stop_failing()
    assert send_all() == (0, 0), "not before its minute is up"
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=1, seconds=1))
    assert send_all() == (1, 0)
    waiting.refresh_from_db()
    assert waiting.status == Delivery.Status.SENT
    assert waiting.attempts == 2
    assert waiting.last_error == ""
    assert sent_to() == ["member@example.org", "other@example.org"]


def test_a_failed_delivery_is_sent_again_when_an_officer_retries_it(
    issue, member, failing_for, django_capture_on_commit_callbacks
):
    sending.queue_issue(issue)
    stop_failing = failing_for("member@example.org", refuse(550, "5.2.2 mailbox full"))
    send_all()
    stop_failing()
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.retry_failed(Delivery.objects.all()) == 1
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT
    assert sent_to() == ["member@example.org"]


def test_a_user_who_opts_out_after_queueing_is_not_emailed(issue, member):
    sending.queue_issue(issue)
    NotificationPreferences.objects.create(user=member, newsletter=False)
    assert send_all() == (0, 0)
    assert mail.outbox == []


def test_unsubscribing_cancels_an_email_already_in_the_outbox(issue, member):
    sending.queue_issue(issue)
    sending.send_published_issues()
    assert OutgoingEmail.objects.filter(state="pending").count() == 1
    notifications.unsubscribe(member, Kind.NEWSLETTER)
    assert not OutgoingEmail.objects.exists()
    assert not Delivery.objects.exists()
    assert send_all() == (0, 0)


def test_unsubscribing_from_another_kind_leaves_the_newsletter(issue, member):
    sending.queue_issue(issue)
    sending.send_published_issues()
    notifications.unsubscribe(member, Kind.MEETINGS)
    assert send_all() == (1, 0)


# Unsubscribing: the link from an email (network.views.unsubscribe, tested with every kind in
# tests/network/test_notifications.py); here, what it does to an issue's deliveries.


def wants_newsletter(user):
    return User.objects.filter(pk=user.pk).wanting(Kind.NEWSLETTER).exists()


def test_one_click_post_unsubscribes_without_a_csrf_token(member, issue):
    from django.test import Client

    sending.queue_issue(issue)
    client = Client(enforce_csrf_checks=True)
    path = notifications.unsubscribe_url(member, Kind.NEWSLETTER).removeprefix("http://testserver")
    response = client.post(
        path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not wants_newsletter(member)
    assert not Delivery.objects.filter(user=member).exists()
    assert sending.queue_issue(issue) == 0


def test_sent_deliveries_are_kept_when_unsubscribing(issue, member):
    sending.queue_issue(issue)
    send_all()
    notifications.unsubscribe(member, Kind.NEWSLETTER)
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_primary_address_is_used(issue, member):
    EmailAddress.objects.filter(user=member).update(primary=False)
    EmailAddress.objects.create(user=member, email="work@example.org", verified=True, primary=True)
    sending.queue_issue(issue)
    assert recipients_of(issue) == {"work@example.org"}


@pytest.mark.django_db(transaction=True)
def test_a_second_sender_skips_the_email_the_first_is_sending(
    issue, member, other_member, settings
):
    """Two workers at once: a locked outbox row is skipped, then sent once (PostgreSQL only)."""
    import threading

    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("Row locks with SKIP LOCKED need PostgreSQL.")
    # Committed at once here: keep the tasks queued rather than run, so the test sends.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    sending.queue_issue(issue)
    sending.send_published_issues()
    locked, release = threading.Event(), threading.Event()

    def first_sender_holds_a_row():
        try:
            with transaction.atomic():
                OutgoingEmail.objects.select_for_update().get(recipient="member@example.org")
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_sender_holds_a_row)
    thread.start()
    assert locked.wait(10)
    try:
        assert send_all() == (1, 0)
        assert sent_to() == ["other@example.org"]
    finally:
        release.set()
        thread.join()
    assert send_all() == (1, 0)
    assert sent_to() == ["member@example.org", "other@example.org"]
