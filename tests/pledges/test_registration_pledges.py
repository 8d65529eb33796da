"""The conference's pledge form from a ticket: the agency filled in, and the pledge records
who made it and from which registration."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event, RegistrationSettings
from events.registration import checkin, services
from pledges.models import Pledge
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended_conference(db):
    start = timezone.now() - dt.timedelta(days=1)
    event = EventFactory(
        kind=Event.Kind.CONFERENCE,
        title="Anti-Slavery Day conference",
        slug="asd-conference",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=6),
    )
    RegistrationSettings.objects.create(event=event, audience="everyone", is_open=True)
    return event


def test_the_ticket_links_to_the_pledge_form_and_the_pledge_records_the_registration(
    member_client, member, agency, officer, ended_conference
):
    rsvp = services.register_member(event=ended_conference, user=member, details={})
    checkin.check_in(event=ended_conference, rsvp=rsvp, by=officer)
    ticket = member_client.get(
        reverse("events:ticket", args=[ended_conference.slug, rsvp.ticket_secret])
    )
    link = reverse("pledges:pledge-create") + f"?registration={rsvp.ticket_secret}"
    assert link in ticket.content.decode()

    form = member_client.get(link).context["form"]
    assert form.initial["made_at"] == ended_conference.pk
    assert form.single_agency == agency
    response = member_client.post(
        link,
        {
            "agency": agency.pk,
            "year": form.initial["year"],
            "text": "Train every front-line officer to spot exploitation.",
            "visibility": "public",
            "made_at": ended_conference.pk,
        },
    )
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert (pledge.registration, pledge.created_by, pledge.made_at) == (
        rsvp,
        member,
        ended_conference,
    )


def test_someone_elses_registration_is_not_recorded(member_client, other_member, ended_conference):
    theirs = services.register_member(event=ended_conference, user=other_member, details={})
    link = reverse("pledges:pledge-create") + f"?registration={theirs.ticket_secret}"
    form = member_client.get(link).context["form"]
    assert "made_at" not in form.initial


def test_guests_get_no_pledge_link(client, officer, ended_conference):
    rsvp = services.confirm_guest(
        rsvp=services.register_guest(
            event=ended_conference, name="G", email="g@example.org", details={}
        )
    )
    checkin.check_in(event=ended_conference, rsvp=rsvp, by=officer)
    page = client.get(reverse("events:ticket", args=[ended_conference.slug, rsvp.ticket_secret]))
    assert "Make your agency's pledge" not in page.content.decode()
    assert "certificate.pdf" in page.content.decode()
