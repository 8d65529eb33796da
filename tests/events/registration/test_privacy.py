"""Guests' data: seen, downloaded and erased by an emailed link; erased 12 months after the
event by the retention job, the counts kept. Members' registrations are in their download."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import RSVP, Attendance, Event
from events.registration import checkin, jobs, privacy, services
from network.privacy import export_user_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest(conference):
    return services.confirm_guest(
        rsvp=services.register_guest(
            event=conference,
            name="Gail Guest",
            email="gail@example.org",
            details={"organisation": "Red Cross", "photo_consent": True},
        )
    )


def data_link(client, sent, email="gail@example.org"):
    _, emails = sent(client.post, reverse("events:guest-data-request"), {"email": email})
    (message,) = [m for m in emails if m.subject == "[WMASN] Your event registrations"]
    url = re.search(r"http://\S+/events/my-registrations/\S+/", message.body).group(0)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member", "officer"])
def test_anyone_may_ask_for_the_link(client_for_role, role):
    response = client_for_role(role).get(reverse("events:guest-data-request"))
    assert response.status_code == 200


def test_the_link_shows_downloads_and_erases_a_guests_data(client, guest, sent):
    url = data_link(client, sent)
    page = client.get(url)
    assert "Gail Guest" in page.content.decode() and "Red Cross" in page.content.decode()
    download = client.get(url, {"download": "1"}).json()
    (registration,) = download["registrations"]
    assert registration["photo_consent"] is True and registration["photo_consent_at"]
    response = client.post(url, {"action": "erase"})
    assert response.status_code == 302
    guest.refresh_from_db()
    assert (guest.guest_name, guest.guest_email, guest.organisation) == ("", "", "")
    assert guest.answer == "apologies"  # the place is given up, for the next person waiting
    assert client.get(url).context["registrations"] == []


def test_an_unknown_address_gets_no_email_but_the_same_answer(client, sent):
    _, emails = sent(
        client.post, reverse("events:guest-data-request"), {"email": "nobody@example.org"}
    )
    assert emails == []


def test_a_forged_link_is_not_found(client):
    assert client.get(reverse("events:guest-data", args=["forged"])).status_code == 404


@pytest.mark.parametrize("method", ["put", "delete"])
def test_guest_data_pages_refuse_other_methods(client, method):
    assert getattr(client, method)(reverse("events:guest-data-request")).status_code == 405
    token = privacy.data_link_token("gail@example.org")
    url = reverse("events:guest-data", args=[token])
    assert getattr(client, method)(url).status_code == 405


def test_guests_are_erased_12_months_after_the_event_and_counts_stay(conference, guest, officer):
    checkin.check_in(event=conference, rsvp=guest, by=officer)
    Event.objects.filter(pk=conference.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=400),
        ends_at=timezone.now() - dt.timedelta(days=400) + dt.timedelta(hours=6),
    )
    assert privacy.erase_old_guest_data(now=timezone.now() - dt.timedelta(days=40)) == 0
    assert jobs.erase_old_guest_registrations() == 1
    guest.refresh_from_db()
    assert guest.guest_email == "" and guest.photo_consent is None
    assert Attendance.objects.filter(event=conference).count() == 1
    assert RSVP.objects.filter(event=conference).count() == 1
    assert jobs.erase_old_guest_registrations() == 0


def test_a_members_registration_is_in_their_download(conference, member):
    services.register_member(
        event=conference, user=member, details={"job_role": "Detective", "dietary_needs": "Vegan"}
    )
    (rsvp,) = export_user_data(member)["rsvps"]
    assert (rsvp["job_role"], rsvp["dietary_needs"]) == ("Detective", "Vegan")
    assert rsvp["ticket_code"]


def test_erasing_a_guest_scrubs_the_emails_sent_to_them(client, guest, sent):
    from wmasn.mail.models import EmailContent, OutgoingEmail

    url = data_link(client, sent)
    stored = OutgoingEmail.objects.filter(recipient="gail@example.org")
    assert stored.exists()  # the confirmation, the ticket and the data link
    contents = list(stored.values_list("content_id", flat=True))
    client.post(url, {"action": "erase"})
    assert not OutgoingEmail.objects.filter(recipient__iexact="gail@example.org").exists()
    for content in EmailContent.objects.filter(pk__in=contents):
        assert "Gail Guest" not in content.text + content.html + content.subject
        assert "gail@example.org" not in content.text + content.html
