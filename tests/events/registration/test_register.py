"""/events/<slug>/register/: members in one click, guests by an emailed link, for every
role; full and closed events say so."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events.models import RSVP, RegistrationSettings
from events.registration import services
from tests.events.registration.conftest import form_data, link_in
from tests.factories import NetworkMemberFactory

pytestmark = pytest.mark.django_db

GUEST = {"name": "Sam Guest", "email": "Sam.Guest@Example.org"}


def register_url(event):
    return reverse("events:register", args=[event.slug])


@pytest.mark.parametrize(
    "role, sees",
    [
        ("anonymous", "we email you a link to confirm"),
        ("pending", "we email you a link to confirm"),
        ("other_member", "Your details are filled in"),
        ("member", "Your details are filled in"),
        ("officer", "Your details are filled in"),
    ],
)
def test_every_role_sees_the_form_it_can_use(client_for_role, conference, role, sees):
    response = client_for_role(role).get(register_url(conference))
    assert response.status_code == 200
    assert sees in response.content.decode()
    assert "Which workshop?" in response.content.decode()


def test_a_members_form_is_filled_in_from_their_agency(member_client, member, conference):
    response = member_client.get(register_url(conference))
    assert response.context["form"].initial["organisation"] == "West Midlands Police"
    assert "name" not in response.context["form"].fields


@pytest.mark.parametrize("role", ["member", "other_member", "officer"])
def test_a_member_registers_in_one_click_and_it_is_their_rsvp(
    client_for_role, conference, role, django_capture_on_commit_callbacks
):
    client = client_for_role(role)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(conference), form_data(conference))
    rsvp = RSVP.objects.get(event=conference)
    assert rsvp.user is not None and rsvp.answer == "attending"
    assert response.status_code == 302
    assert response.url == reverse("events:ticket", args=[conference.slug, rsvp.ticket_secret])
    assert rsvp.answers[str(conference.registration.questions.first().pk)] == "Victim care"
    assert rsvp.photo_consent is False and rsvp.photo_consent_at is not None
    (ticket,) = mail.outbox
    assert ticket.to == [rsvp.user.email]
    assert rsvp.formatted_ticket_code in ticket.body
    assert ticket.attachments[0][0] == "anti-slavery-day-conference.ics"


def test_registering_again_changes_the_answers_not_the_place(member_client, conference):
    member_client.post(register_url(conference), form_data(conference))
    first = RSVP.objects.get(event=conference)
    member_client.post(register_url(conference), form_data(conference, job_role="Detective"))
    again = RSVP.objects.get(event=conference)
    assert (again.pk, again.ticket_code, again.job_role) == (
        first.pk,
        first.ticket_code,
        "Detective",
    )


@pytest.mark.parametrize("role", ["anonymous", "pending"])
def test_a_guest_confirms_by_the_emailed_link_before_the_place_counts(
    client_for_role, conference, role, django_capture_on_commit_callbacks
):
    client = client_for_role(role)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(conference), {**form_data(conference), **GUEST})
    assert response.status_code == 302
    assert response.url == reverse("events:register-sent", args=[conference.slug])
    rsvp = RSVP.objects.get(event=conference)
    assert rsvp.guest_email == "sam.guest@example.org"
    assert RSVP.objects.attending().filter(event=conference).count() == 0
    (message,) = mail.outbox
    confirm = link_in(message, r"http://\S+/register/confirm/\S+/")
    path = confirm.split("://", 1)[1].split("/", 1)[1]

    shown = client.get(f"/{path}")  # mail scanners open links: a GET confirms nothing
    assert shown.status_code == 200
    assert RSVP.objects.attending().filter(event=conference).count() == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(f"/{path}")
    assert confirmed.status_code == 302
    assert RSVP.objects.attending().filter(event=conference).get() == rsvp
    (ticket,) = mail.outbox
    assert "text/calendar" in ticket.attachments[0][2]


def test_a_guest_needs_a_name_and_an_email(anon_client, conference):
    response = anon_client.post(register_url(conference), form_data(conference))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "email"}
    assert not RSVP.objects.exists()


def test_a_required_question_must_be_answered(member_client, conference):
    field = conference.registration.questions.get(text="Which workshop?").field_name
    response = member_client.post(register_url(conference), form_data(conference, **{field: None}))
    assert response.status_code == 400
    assert field in response.context["form"].errors


def test_a_forged_confirmation_link_is_not_found(anon_client, conference):
    url = reverse("events:register-confirm", args=[conference.slug, "1:forged:sig"])
    assert anon_client.post(url).status_code == 404


def test_a_guest_already_registered_is_emailed_their_ticket_not_registered_twice(
    anon_client, conference, sent
):
    rsvp, _ = sent(
        services.register_guest, event=conference, name="Sam", email="sam@example.org", details={}
    )
    sent(services.confirm_guest, rsvp=rsvp)
    _, emails = sent(
        anon_client.post,
        register_url(conference),
        {**form_data(conference), "name": "Sam", "email": "SAM@example.org"},
    )
    assert [m.subject for m in emails] == [
        "[WMASN] You are already registered: Anti-Slavery Day conference"
    ]
    assert RSVP.objects.filter(event=conference).count() == 1


def test_members_only_registration_refuses_guests(anon_client, pending_client, conference):
    RegistrationSettings.objects.filter(event=conference).update(audience="members")
    page = anon_client.get(register_url(conference))
    assert "for members of the network" in page.content.decode()
    assert '<form method="post" novalidate' not in page.content.decode()
    for client in (anon_client, pending_client):
        response = client.post(register_url(conference), {**form_data(conference), **GUEST})
        assert response.status_code == 403
    assert not RSVP.objects.exists()


def test_closed_registration_says_so_and_registers_nobody(member_client, conference):
    RegistrationSettings.objects.filter(event=conference).update(is_open=False)
    page = member_client.get(register_url(conference))
    assert "Registration is closed" in page.content.decode()
    assert member_client.post(register_url(conference), form_data(conference)).status_code == 409
    assert not RSVP.objects.exists()


def test_registration_closes_after_the_deadline_day(member_client, conference):
    conference.registration_deadline = timezone.localdate() - dt.timedelta(days=1)
    conference.save()
    page = member_client.get(register_url(conference))
    assert "The deadline has passed" in page.content.decode()
    assert member_client.post(register_url(conference), form_data(conference)).status_code == 409


def test_an_event_without_registration_has_no_form(member_client):
    from tests.factories import EventFactory

    assert member_client.get(register_url(EventFactory())).status_code == 404


def test_a_full_event_puts_people_on_the_waiting_list(member_client, conference):
    RegistrationSettings.objects.filter(event=conference).update(capacity=1)
    services.register_member(event=conference, user=NetworkMemberFactory(), details={})
    page = member_client.get(register_url(conference))
    assert "is full" in page.content.decode()
    assert "Join the waiting list" in page.content.decode()
    member_client.post(register_url(conference), form_data(conference))
    assert RSVP.objects.waiting().filter(event=conference).count() == 1


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_register_refuses_other_methods(member_client, conference, method):
    assert getattr(member_client, method)(register_url(conference)).status_code == 405


def test_too_many_registrations_from_one_address_are_refused(anon_client, conference, settings):
    from events.registration import views

    data = {**form_data(conference), **GUEST}
    for number in range(views.REGISTRATIONS_PER_HOUR):
        data["email"] = f"guest{number}@example.org"
        assert anon_client.post(register_url(conference), data).status_code == 302
    data["email"] = "one-more@example.org"
    response = anon_client.post(register_url(conference), data)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3600"


def test_unconfirmed_registrations_expire(conference):
    rsvp = services.register_guest(event=conference, name="Sam", email="s@example.org", details={})
    assert services.expire_unconfirmed(now=timezone.now() + dt.timedelta(hours=23)) == 0
    assert services.expire_unconfirmed(now=timezone.now() + dt.timedelta(hours=25)) == 1
    assert not RSVP.objects.filter(pk=rsvp.pk).exists()


def test_the_sent_page_says_to_check_email(anon_client, conference):
    response = anon_client.get(reverse("events:register-sent", args=[conference.slug]))
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()


def test_the_event_page_links_to_open_registration(anon_client, conference):
    page = anon_client.get(conference.get_absolute_url()).content.decode()
    assert register_url(conference) in page


def test_one_click_registers_a_member_when_nothing_else_is_required(member_client, conference):
    conference.registration.questions.filter(required=True).delete()
    form = member_client.get(register_url(conference)).context["form"]
    initial = {name: value for name, value in form.initial.items() if value}
    response = member_client.post(register_url(conference), initial)
    assert response.status_code == 302
    rsvp = RSVP.objects.get(event=conference)
    assert rsvp.organisation == "West Midlands Police"
    assert rsvp.photo_consent is None and rsvp.photo_consent_at is None


def test_officers_see_confirmed_guests_among_the_answers(officer_client, conference):
    services.register_guest(event=conference, name="Una", email="una@example.org", details={})
    gail = services.register_guest(
        event=conference, name="Gail", email="gail@example.org", details={}
    )
    services.confirm_guest(rsvp=gail)
    page = officer_client.get(conference.get_absolute_url()).content.decode()
    assert "Gail (guest)" in page and "gail@example.org" in page
    assert "Una" not in page


def test_the_admins_attendee_export_includes_guests(officer_client, conference, member):
    services.register_member(event=conference, user=member, details={})
    gail = services.register_guest(
        event=conference,
        name="Gail",
        email="gail@example.org",
        details={"organisation": "Red Cross"},
    )
    services.confirm_guest(rsvp=gail)
    response = officer_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "export_attendees_csv", "_selected_action": [conference.pk]},
    )
    body = response.content.decode()
    assert "Gail,gail@example.org,Red Cross" in body
    assert member.email in body


def test_an_answer_on_the_event_page_is_the_registration_with_a_ticket(member_client, conference):
    member_client.post(conference.get_absolute_url(), {"answer": "attending"})
    rsvp = RSVP.objects.get(event=conference)
    assert rsvp.ticket_code and rsvp.ticket_secret
    page = member_client.get(register_url(conference)).content.decode()
    assert reverse("events:ticket", args=[conference.slug, rsvp.ticket_secret]) in page


def test_an_rsvp_from_before_registration_opened_gets_its_ticket_by_saving(
    member_client, member, conference
):
    RSVP.objects.create(event=conference, user=member, answer="attending")
    page = member_client.get(register_url(conference))
    assert "Save your answers below to get your ticket" in page.content.decode()
    response = member_client.post(register_url(conference), form_data(conference))
    assert response.status_code == 302
    assert RSVP.objects.get(event=conference).ticket_secret


def test_officers_find_the_registrations_and_door_pages_from_the_event(
    officer_client, member_client, conference
):
    officers_page = officer_client.get(conference.get_absolute_url()).content.decode()
    assert reverse("events:registrations", args=[conference.slug]) in officers_page
    assert reverse("events:check-in", args=[conference.slug]) in officers_page
    members_page = member_client.get(conference.get_absolute_url()).content.decode()
    assert reverse("events:check-in", args=[conference.slug]) not in members_page
