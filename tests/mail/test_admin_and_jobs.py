"""What the chair sees (the outbox, bounces, the no-worker and overdue-jobs banner), and
sign-up surviving an SMTP outage."""

import datetime as dt

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from wmasn import jobs, mail
from wmasn.mail.delivery import deliver_due, record_bounce
from wmasn.mail.models import BouncedAddress, OutgoingEmail

pytestmark = pytest.mark.django_db

OUTBOX = reverse("admin:mail_outgoingemail_changelist")
NO_WORKER = "no mail worker has been seen for ten minutes"


def queue(*addresses, subject="Your membership"):
    content = mail.store_content(mail.RenderedEmail(subject=subject, text="Hello.\n"))
    return mail.queue_emails(content, list(addresses), kind="membership-decision")


# Sign-up and password reset never depend on the mail server being up.


def test_sign_up_during_an_smtp_outage_is_not_an_error(anon_client, smtp_server):
    smtp_server.stop()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = anon_client.post(
            "/accounts/signup/",
            {
                "first_name": "New",
                "last_name": "Person",
                "email": "new.person@example.org",
                "password1": "a-long-and-unusual-passphrase-2018",
                "password2": "a-long-and-unusual-passphrase-2018",
            },
        )
    assert response.status_code == 302
    waiting = OutgoingEmail.objects.get(recipient="new.person@example.org")
    assert waiting.kind == "account:email_confirmation_signup"
    assert waiting.state == OutgoingEmail.State.PENDING
    assert waiting.attempts == 1

    smtp_server.start()
    waiting.next_try_at = timezone.now()
    waiting.save()
    assert deliver_due()["sent"] == 1
    [(recipient, raw)] = smtp_server.handler.received
    assert recipient == "new.person@example.org"
    assert b"/accounts/confirm-email/" in raw


# The outbox in the admin.


def test_officer_sees_and_filters_the_outbox(officer_client):
    queue("a@example.org")
    [failed] = queue("b@example.org", subject="Meeting cancelled")
    failed.state = OutgoingEmail.State.FAILED
    failed.last_reply = "550 5.1.1 no such user"
    failed.save()
    page = officer_client.get(OUTBOX).content.decode()
    assert "a@example.org" in page and "Meeting cancelled" in page
    page = officer_client.get(OUTBOX, {"state__exact": "failed"}).content.decode()
    assert "b@example.org" in page and "a@example.org" not in page
    assert "550 5.1.1 no such user" in page
    detail = officer_client.get(reverse("admin:mail_outgoingemail_change", args=[failed.pk]))
    assert detail.status_code == 200
    assert "Hello." in detail.content.decode()


@pytest.mark.parametrize("role", ["anonymous", "pending", "member"])
def test_only_officers_see_the_outbox(client_for_role, role):
    queue("a@example.org")
    response = client_for_role(role).get(OUTBOX)
    assert response.status_code == 302
    assert "a@example.org" not in response.content.decode()


def test_the_outbox_is_read_only(officer_client):
    [email] = queue("a@example.org")
    assert officer_client.get(reverse("admin:mail_outgoingemail_add")).status_code == 403
    url = reverse("admin:mail_outgoingemail_change", args=[email.pk])
    officer_client.post(url, {"recipient": "evil@example.org", "state": "sent"})
    email.refresh_from_db()
    assert email.recipient == "a@example.org"


def test_retry_action_sends_failed_emails_again(officer_client, django_capture_on_commit_callbacks):
    from django.core import mail as django_mail

    [failed, sent] = queue("a@example.org", "b@example.org")
    OutgoingEmail.objects.filter(pk=failed.pk).update(state="failed", attempts=3)
    OutgoingEmail.objects.filter(pk=sent.pk).update(state="sent")
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(
            OUTBOX, {"action": "retry", "_selected_action": [failed.pk, sent.pk], "index": 0}
        )
    failed.refresh_from_db()
    assert failed.state == OutgoingEmail.State.SENT
    assert [message.to for message in django_mail.outbox] == [["a@example.org"]]


def test_officer_clears_a_suppressed_address(officer_client):
    record_bounce("gone@example.org", "550 no such user")
    record_bounce("gone@example.org", "550 no such user")
    bounce = BouncedAddress.objects.get()
    url = reverse("admin:mail_bouncedaddress_changelist")
    assert "gone@example.org" in officer_client.get(url).content.decode()
    officer_client.post(url, {"action": "clear", "_selected_action": [bounce.pk], "index": 0})
    assert not BouncedAddress.objects.exists()


# The banner on every admin page.


def test_admin_warns_when_mail_waits_and_no_worker_was_seen(officer_client, time_machine):
    queue("a@example.org")
    assert NO_WORKER in officer_client.get(reverse("admin:index")).content.decode()
    assert NO_WORKER in officer_client.get(OUTBOX).content.decode()

    jobs.run_due_jobs(worker="worker one", names=[])
    assert NO_WORKER not in officer_client.get(reverse("admin:index")).content.decode()
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=11))
    assert NO_WORKER in officer_client.get(reverse("admin:index")).content.decode()


def test_no_banner_when_nothing_waits(officer_client):
    assert NO_WORKER not in officer_client.get(reverse("admin:index")).content.decode()


def test_admin_warns_about_overdue_jobs(officer_client, time_machine):
    jobs.run_due_jobs(worker="worker one")
    page = officer_client.get(reverse("admin:index")).content.decode()
    assert "Periodic jobs overdue" not in page
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=3))
    jobs.record_heartbeat("worker one")
    page = officer_client.get(reverse("admin:index")).content.decode()
    assert (
        "Periodic jobs overdue: mail.deliver, mail.read-inbox, meeting-announcements, "
        "newsletters.send-published" in page
    )
    jobs_page = officer_client.get(reverse("admin:jobs_jobrun_changelist")).content.decode()
    assert "Overdue" in jobs_page and "pledges.reminders" in jobs_page


# Privacy: the outbox is part of "download my data" and of account deletion.


def test_download_and_deletion_cover_the_outbox(member):
    from network.privacy import delete_account, export_user_data

    queue(member.email.upper(), subject="Your membership")
    [other] = queue("someone.else@example.org")
    assert export_user_data(member)["emails_sent_to_you"][0]["subject"] == "Your membership"
    delete_account(user=member)
    mine = OutgoingEmail.objects.exclude(pk=other.pk).get()
    assert mine.recipient.endswith("@deleted.invalid")
    assert mine.state == OutgoingEmail.State.FAILED
    assert deliver_due()["sent"] == 1  # only the other person's
