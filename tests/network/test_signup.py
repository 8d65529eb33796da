"""A new member's first hour: sign-up with a name and an agency (or a proposed one), the
confirmation that logs them in on their next step, and the officers told only then."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client, TestCase

from network.models import Agency, Membership, User
from tests.factories import AgencyFactory, OfficerFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-2018"


def signup(client, **fields):
    data = {
        "first_name": "Sam",
        "last_name": "Okafor",
        "email": "sam.okafor@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **fields,
    }
    # Emails wait for the commit (the outbox): run those callbacks as the request ends.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/accounts/signup/", data)


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    """Follow the confirmation link in `message`; emails it causes go after the commit."""

    def follow(client, message):
        link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", message.body)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(link.group(1))

    return follow


@pytest.fixture
def officer(db):
    return OfficerFactory(email="chair@example.org")


@pytest.fixture
def police(db):
    return AgencyFactory(name="West Midlands Police", slug="wmp", email_domains="police.example")


def test_sign_up_page_asks_for_a_name_and_the_agency(anon_client, police):
    AgencyFactory(name="Hidden proposal", slug="hidden", status=Agency.Status.PROPOSED)
    html = anon_client.get("/accounts/signup/").content.decode()
    for field in ("first_name", "last_name", "agency", "new_agency_name", "new_agency_sector"):
        assert f'name="{field}"' in html
    assert html.index('name="first_name"') < html.index('name="email"')
    assert "West Midlands Police" in html
    assert "Hidden proposal" not in html  # only active agencies are offered
    assert 'autocomplete="given-name"' in html


def test_sign_up_saves_the_name_and_the_email_greets_the_person(anon_client):
    response = signup(anon_client)
    assert response.status_code == 302
    user = User.objects.get(email="sam.okafor@example.org")
    assert (user.first_name, user.last_name, str(user)) == ("Sam", "Okafor", "Sam Okafor")
    [message] = mail.outbox
    assert message.body.startswith("Hello Sam,")


@pytest.mark.parametrize(
    "bad",
    [
        {"first_name": ""},
        {"last_name": "   "},
        {"new_agency_name": "Safe Haven", "new_agency_sector": ""},
        {"new_agency_name": "west midlands police", "new_agency_sector": "public"},
        {"agency": "999999"},
    ],
)
def test_sign_up_with_bad_details_is_a_form_error(anon_client, police, bad):
    response = signup(anon_client, **bad)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not User.objects.filter(email="sam.okafor@example.org").exists()


def test_choosing_an_agency_and_proposing_one_is_a_form_error(anon_client, police):
    response = signup(
        anon_client, agency=police.pk, new_agency_name="Safe Haven", new_agency_sector="third"
    )
    assert response.status_code == 200
    assert "not both" in response.content.decode()
    assert not Agency.objects.filter(name="Safe Haven").exists()


def test_chosen_agency_waits_for_confirmation_before_officers_hear(
    anon_client, police, officer, confirm
):
    signup(anon_client, agency=police.pk)
    membership = Membership.objects.get(user__email="sam.okafor@example.org")
    assert (membership.agency, membership.status) == (police, Membership.Status.PENDING)
    assert [m.to for m in mail.outbox] == [["sam.okafor@example.org"]]  # no officer email yet

    verification = mail.outbox[0]
    mail.outbox.clear()
    response = confirm(anon_client, verification)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert anon_client.session["_auth_user_id"] == str(membership.user_id)  # logged in
    [to_officer] = mail.outbox
    assert to_officer.to == ["chair@example.org"]
    assert "Sam Okafor" in to_officer.subject and "West Midlands Police" in to_officer.subject

    page = anon_client.get("/membership/").content.decode()
    assert "Next step: an officer approves your request" in page
    assert "Your request to join West Midlands Police is with a network officer" in page


def test_a_work_address_on_the_agencys_domain_is_approved_on_confirmation(
    anon_client, police, confirm
):
    signup(anon_client, email="sam@police.example", agency=police.pk)
    assert not Membership.objects.approved().exists()
    verification = mail.outbox[0]
    mail.outbox.clear()
    confirm(anon_client, verification)
    user = User.objects.get(email="sam@police.example")
    assert user.is_member_of(police)
    assert any("approved" in m.subject.lower() for m in mail.outbox)
    page = anon_client.get("/membership/").content.decode()
    assert "Next step" not in page


def test_proposing_an_agency_at_sign_up(anon_client, officer, confirm):
    signup(anon_client, new_agency_name="Safe Haven Birmingham", new_agency_sector="third")
    agency = Agency.objects.get(name="Safe Haven Birmingham")
    assert agency.status == Agency.Status.PROPOSED
    assert agency.proposed_by.email == "sam.okafor@example.org"
    assert Membership.objects.get(agency=agency).status == Membership.Status.PENDING
    verification = mail.outbox[0]
    mail.outbox.clear()
    confirm(anon_client, verification)
    [to_officer] = mail.outbox
    assert "a new agency they proposed" in to_officer.body
    page = anon_client.get("/membership/").content.decode()
    assert "Safe Haven Birmingham (which you proposed) is with a network officer" in page


def test_without_an_agency_the_next_step_is_to_ask_to_join(anon_client, officer, confirm):
    signup(anon_client)
    verification = mail.outbox[0]
    mail.outbox.clear()
    response = confirm(anon_client, verification)
    assert response["Location"] == "/"
    assert mail.outbox == []  # nothing for the officers yet
    page = anon_client.get("/membership/").content.decode()
    assert "Next step: ask to join your agency" in page
    assert 'id="join-heading">Ask to join your agency</h2>' in page


def test_confirming_in_another_browser_confirms_without_logging_in(anon_client, confirm):
    signup(anon_client)
    other = Client()
    response = confirm(other, mail.outbox[0])
    assert response.status_code == 302
    assert "_auth_user_id" not in other.session
    assert EmailAddress.objects.get(email="sam.okafor@example.org").verified


def test_a_second_confirmed_address_does_not_tell_the_officers_again(
    anon_client, police, officer, confirm
):
    signup(anon_client, agency=police.pk)
    confirm(anon_client, mail.outbox[0])
    user = User.objects.get(email="sam.okafor@example.org")
    mail.outbox.clear()
    from network import services

    second = EmailAddress.objects.create(user=user, email="sam@home.example", verified=True)
    from allauth.account.signals import email_confirmed

    email_confirmed.send(sender=EmailAddress, request=None, email_address=second)
    assert not [m for m in mail.outbox if m.to == ["chair@example.org"]]
    assert services.joinable_agencies(user).filter(pk=police.pk).exists() is False


@pytest.mark.parametrize("role", ["pending", "member", "officer"])
def test_logged_in_people_are_sent_away_from_sign_up(client_for_role, role):
    response = client_for_role(role).get("/accounts/signup/")
    assert response.status_code == 302
