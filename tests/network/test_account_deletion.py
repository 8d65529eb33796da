"""Deleting one's own account: re-authentication, every effect, and the tombstone left behind."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import RSVP, CalendarToken
from network.models import OFFICERS_GROUP, GroupMembership, Membership, User
from network.privacy import delete_account
from newsletters.models import Delivery, Section
from pledges.models import Pledge, PledgeUpdate
from tests.conftest import ROLES
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    DeliveryFactory,
    IssueFactory,
    MembershipFactory,
    PendingMembershipFactory,
    UserFactory,
    personal_data_for,
)

# Marked so pytest-django orders these with the database tests (client_for_role
# reaches the database only through getfixturevalue).
pytestmark = pytest.mark.django_db

DELETE_URL = reverse("network:account-delete")
NEW_PASSWORD = "a-long-and-unusual-passphrase-2018"


def is_logged_in(client):
    return "_auth_user_id" in client.session


def delete_with_password(client, password=PASSWORD):
    return client.post(DELETE_URL, {"password": password})


# Who may open the page


def test_anonymous_is_sent_to_log_in(anon_client):
    response = anon_client.get(DELETE_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_anonymous_post_changes_nothing(anon_client, member):
    response = delete_with_password(anon_client)

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_active and member.deleted_at is None


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_signed_in_people_see_what_will_happen_and_a_password_field(role, client_for_role):
    response = client_for_role(role).get(DELETE_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Your memberships of agencies end" in html
    assert 'type="password"' in html
    assert 'autocomplete="current-password"' in html
    assert f'href="{reverse("network:account-data")}"' in html


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_wrong_method(member_client, method):
    assert getattr(member_client, method)(DELETE_URL).status_code == 405


# Re-authentication


@pytest.mark.parametrize("password", ["", "wrong-password", "x" * 5000, "pässwörd ☃\u202e"])
def test_wrong_password_is_a_form_error_and_changes_nothing(member_client, member, password):
    personal_data_for(member, label="Mine")

    response = delete_with_password(member_client, password)

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    member.refresh_from_db()
    assert member.is_active
    assert member.deleted_at is None
    assert member.email == "member@example.org"
    assert member.check_password(PASSWORD)
    assert RSVP.objects.filter(user=member).count() == 1
    assert CalendarToken.objects.filter(user=member).exists()
    assert Membership.objects.get(user=member).status == Membership.Status.APPROVED
    assert is_logged_in(member_client)


def test_superuser_cannot_delete_their_account_here(db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)

    response = delete_with_password(client)

    assert response.status_code == 200
    assert "superuser" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active and admin.deleted_at is None


# What deleting does


def test_delete_logs_out_and_redirects_home(member_client, member):
    response = delete_with_password(member_client)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert not is_logged_in(member_client)
    page = member_client.get(response["Location"])
    assert "Your account has been deleted" in page.content.decode()


def test_memberships_end_now(member_client, member, other_agency):
    PendingMembershipFactory(user=member, agency=other_agency)
    rejected = MembershipFactory(
        user=member, agency=AgencyFactory(), status=Membership.Status.REJECTED
    )
    before = timezone.now()

    delete_with_password(member_client)

    memberships = Membership.objects.filter(user=member).exclude(pk=rejected.pk)
    assert memberships.count() == 2
    for membership in memberships:
        assert membership.status == Membership.Status.ENDED
        assert membership.ended_at >= before
        assert membership.decided_at is not None
    rejected.refresh_from_db()
    assert rejected.status == Membership.Status.REJECTED
    member_after = User.objects.get(pk=member.pk)
    assert not member_after.is_member


def test_rsvps_calendar_token_groups_addresses_and_mfa_go(member_client, member, other_member):
    personal_data_for(member, count=2, label="Mine")
    personal_data_for(other_member, label="Theirs")

    delete_with_password(member_client)

    assert not RSVP.objects.filter(user=member).exists()
    assert not CalendarToken.objects.filter(user=member).exists()
    assert not GroupMembership.objects.filter(user=member).exists()
    assert not EmailAddress.objects.filter(user=member).exists()
    assert not Authenticator.objects.filter(user=member).exists()
    # Nobody else's data is touched.
    assert RSVP.objects.filter(user=other_member).count() == 1
    assert CalendarToken.objects.filter(user=other_member).exists()
    assert GroupMembership.objects.filter(user=other_member).count() == 1
    assert EmailAddress.objects.filter(user=other_member).count() == 1
    assert Authenticator.objects.filter(user=other_member).count() == 1


def test_every_login_session_goes(member, other_member):
    phone, laptop, someone_else = Client(), Client(), Client()
    phone.force_login(member)
    laptop.force_login(member)
    someone_else.force_login(other_member)
    assert Session.objects.count() == 3

    delete_with_password(laptop)

    assert Session.objects.count() == 1
    assert phone.get(reverse("network:account-data")).status_code == 302
    assert someone_else.get(reverse("network:account-data")).status_code == 200


def test_pledges_notes_and_sections_stay_without_the_name(member_client, member, agency):
    member.first_name, member.last_name = "Priya", "Sandhu"
    member.save()
    personal_data_for(member, agency=agency, label="Mine")

    delete_with_password(member_client)

    pledge = Pledge.objects.get(text="Mine pledge 0")
    update = PledgeUpdate.objects.get(note="Mine progress 0")
    section = Section.objects.get(heading="Mine section 0")
    assert pledge.agency == agency
    for author in [pledge.created_by, update.author, section.author]:
        assert author.pk == member.pk
        assert str(author) == "Deleted account"
        assert "Priya" not in str(author) and "member@example.org" not in str(author)


def test_sent_newsletters_lose_the_address_and_unsent_ones_are_cancelled(member_client, member):
    sent = DeliveryFactory(user=member, email=member.email, status=Delivery.Status.SENT)
    pending = DeliveryFactory(
        user=member, email=member.email, issue=IssueFactory(), status=Delivery.Status.PENDING
    )

    delete_with_password(member_client)

    assert not Delivery.objects.filter(pk=pending.pk).exists()
    sent.refresh_from_db()
    assert sent.email == f"deleted-{member.pk}@deleted.invalid"
    assert not Delivery.objects.filter(email="member@example.org").exists()


def test_the_user_row_becomes_an_anonymous_tombstone(db):
    officer = UserFactory(
        email="chair@example.org",
        first_name="Ann",
        last_name="Chair",
        job_title="Chair",
        phone="0121 496 0999",
        is_staff=True,
    )
    officer.groups.add(Group.objects.get(name=OFFICERS_GROUP))
    before = timezone.now()

    delete_account(user=officer)

    tombstone = User.objects.get(pk=officer.pk)
    assert tombstone.email == f"deleted-{officer.pk}@deleted.invalid"
    assert (tombstone.first_name, tombstone.last_name) == ("", "")
    assert (tombstone.job_title, tombstone.phone) == ("", "")
    assert not tombstone.has_usable_password()
    assert not tombstone.is_active
    assert not tombstone.is_staff
    assert not tombstone.groups.exists()
    assert tombstone.deleted_at >= before
    assert str(tombstone) == "Deleted account"


def test_officers_see_the_deleted_account_and_when_in_the_admin(officer_client, member):
    delete_account(user=member)

    changelist = officer_client.get(reverse("admin:network_user_changelist"))
    change = officer_client.get(reverse("admin:network_user_change", args=[member.pk]))

    assert changelist.status_code == 200
    assert f"deleted-{member.pk}@deleted.invalid" in changelist.content.decode()
    assert "Deleted at" in changelist.content.decode()
    assert change.status_code == 200
    html = change.content.decode()
    assert "Deleted at" in html
    assert "member@example.org" not in html


def test_a_deleted_account_cannot_log_in_again(member_client, member):
    delete_with_password(member_client)

    client = Client()
    client.post("/accounts/login/", {"login": "member@example.org", "password": PASSWORD})
    assert not is_logged_in(client)
    client.post(
        "/accounts/login/",
        {"login": f"deleted-{member.pk}@deleted.invalid", "password": PASSWORD},
    )
    assert not is_logged_in(client)


def test_the_email_can_sign_up_afresh(member_client, member):
    delete_with_password(member_client)

    response = Client().post(
        "/accounts/signup/",
        {
            "first_name": "Sam",
            "last_name": "Okafor",
            "email": "member@example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    fresh = User.objects.get(email="member@example.org")
    assert fresh.pk != member.pk
    assert fresh.deleted_at is None
    assert not Membership.objects.filter(user=fresh).exists()


def test_officer_deleting_their_account_loses_staff_access(officer_client, officer):
    response = delete_with_password(officer_client)

    assert response.status_code == 302
    officer.refresh_from_db()
    assert not officer.is_staff and not officer.groups.exists()
    assert officer.deleted_at is not None


def test_deleting_twice_is_harmless(member):
    delete_account(user=member)
    first = User.objects.get(pk=member.pk).deleted_at

    delete_account(user=member)

    assert User.objects.get(pk=member.pk).deleted_at >= first
    assert User.objects.filter(pk=member.pk).count() == 1
