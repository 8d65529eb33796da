"""Invitations: an officer invites a person to an agency; the link sets a name and password and
makes them an approved member at once; expired, revoked or used links give a clear page."""

import datetime as dt
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from network import invitations
from network.models import Invitation, Membership, User
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"


@pytest.fixture
def invite(officer, agency, django_capture_on_commit_callbacks):
    """Invite an address; returns (invitation, the link's path)."""

    def make(email="new.person@example.org", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = invitations.invite(email=email, agency=agency, by=officer, **kwargs)
        return invitation, link_in(mail.outbox[-1])

    return make


def link_in(message):
    return re.search(r"http://testserver(/invitations/[\w-]+/)", message.body).group(1)


def test_officer_invites_one_person_from_the_admin(
    officer_client, agency, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            "/admin/network/invitation/add/",
            {
                "email": "Lead@Example.org",
                "first_name": "Lee",
                "last_name": "Lead",
                "agency": agency.pk,
            },
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "lead@example.org"
    assert invitation.state() == Invitation.State.OPEN
    (message,) = mail.outbox
    assert message.to == ["lead@example.org"]
    assert "West Midlands Police" in message.subject
    assert "/invitations/" in message.body and "14 days" in message.body
    # Only a hash of the secret is stored.
    assert link_in(message).split("/")[2] not in invitation.token_hash


def test_accepting_sets_name_and_password_and_approves_at_once(client, invite, agency, officer):
    invitation, link = invite(first_name="Nia")
    page = client.get(link)
    assert page.status_code == 200
    assert 'value="Nia"' in page.content.decode()
    response = client.post(
        link,
        {
            "first_name": "Nia",
            "last_name": "Newcomer",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/membership/"
    user = User.objects.get(email="new.person@example.org")
    assert user.get_full_name() == "Nia Newcomer"
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    membership = Membership.objects.get(user=user, agency=agency)
    assert membership.status == Membership.Status.APPROVED and membership.decided_by == officer
    assert user.is_member_of(agency)
    # Logged in straight away.
    assert client.get("/membership/").context["user"] == user
    invitation.refresh_from_db()
    assert invitation.accepted_by == user


def test_accepting_twice_gives_a_clear_page(client, invite):
    _, link = invite()
    data = {"first_name": "A", "last_name": "B", "password1": PASSWORD, "password2": PASSWORD}
    client.post(link, data)
    again = client.post(link, data)
    assert again.status_code == 200
    assert "already been accepted" in again.content.decode()
    assert User.objects.filter(email="new.person@example.org").count() == 1


def test_expired_invitation_gives_a_clear_page(client, invite):
    invitation, link = invite()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    for response in (client.get(link), client.post(link, {"first_name": "A"})):
        assert response.status_code == 200
        assert "This invitation expired" in response.content.decode()
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_revoked_then_resent(client, invite, officer, django_capture_on_commit_callbacks):
    invitation, link = invite()
    invitations.revoke(invitation=invitation)
    response = client.get(link)
    assert response.status_code == 200 and "withdrawn" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        invitations.send(invitation=invitation, by=officer)
    new_link = link_in(mail.outbox[-1])
    assert new_link != link
    # The old link is dead; the new one works.
    assert client.get(link).status_code == 404
    assert client.get(new_link).status_code == 200
    assert "Choose your name" in client.get(new_link).content.decode()


def test_already_a_member_is_told_so(client, invite, agency):
    MembershipFactory(agency=agency, user__email="new.person@example.org")
    _, link = invite()
    response = client.get(link)
    assert response.status_code == 200
    assert "already a member of West Midlands Police" in response.content.decode()
    assert "<form" not in response.content.decode().split("<main")[1].split("</main>")[0]


def test_existing_account_joins_with_one_click(client, invite, agency):
    user = UserFactory(email="new.person@example.org")
    _, link = invite()
    page = client.get(link).content.decode()
    assert "You already have an account" in page
    response = client.post(link)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Membership.objects.get(user=user, agency=agency).status == Membership.Status.APPROVED


def test_weak_or_mismatched_password_is_a_form_error(client, invite):
    _, link = invite()
    weak = client.post(
        link, {"first_name": "A", "last_name": "B", "password1": "123", "password2": "123"}
    )
    assert weak.status_code == 200 and "There is a problem" in weak.content.decode()
    mismatch = client.post(
        link,
        {"first_name": "A", "last_name": "B", "password1": PASSWORD, "password2": PASSWORD + "x"},
    )
    assert "do not match" in mismatch.content.decode()
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_unknown_link_and_wrong_method(client, invite):
    _, link = invite()
    assert client.get("/invitations/not-a-real-token/").status_code == 404
    assert client.put(link).status_code == 405


@pytest.mark.parametrize("role", ["pending", "other_member", "member", "officer"])
def test_signed_in_people_accepting_make_the_invitees_account(client_for_role, role, invite):
    _, link = invite()
    client = client_for_role(role)
    response = client.post(
        link, {"first_name": "A", "last_name": "B", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/membership/").context["user"].email == "new.person@example.org"


def test_every_person_of_an_import_is_invited_by_one_action(
    officer_client, agency, other_agency, django_capture_on_commit_callbacks
):
    pending = [
        Invitation.objects.create(email=f"p{i}@example.org", agency=agency) for i in range(3)
    ]
    accepted = Invitation.objects.create(
        email="done@example.org", agency=other_agency, accepted_at=timezone.now()
    )
    listed = officer_client.get("/admin/network/invitation/?state=not_sent").content.decode()
    assert all(i.email in listed for i in pending) and accepted.email not in listed
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(
            "/admin/network/invitation/",
            {"action": "send_selected", "_selected_action": [i.pk for i in [*pending, accepted]]},
        )
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{i}@example.org" for i in range(3)]
    assert all(
        i.state() == Invitation.State.OPEN
        for i in Invitation.objects.filter(pk__in=[p.pk for p in pending])
    )


def test_revoke_action(officer_client, invite):
    invitation, _ = invite()
    officer_client.post(
        "/admin/network/invitation/",
        {"action": "revoke_selected", "_selected_action": [invitation.pk]},
    )
    invitation.refresh_from_db()
    assert invitation.state() == Invitation.State.REVOKED


def test_the_admins_state_filter_agrees_with_each_invitations_state(officer_client, agency):
    now = timezone.now()
    week = dt.timedelta(days=7)

    def make(email, **fields):
        return Invitation.objects.create(
            email=email, agency=agency, expires_at=fields.pop("expires_at", now + week), **fields
        )

    make("new@example.org")
    make("new-and-stale@example.org", expires_at=now - week)  # never sent: not "expired"
    make("open@example.org", sent_at=now)
    make("expired@example.org", sent_at=now - 2 * week, expires_at=now - week)
    make("revoked@example.org", sent_at=now, revoked_at=now)
    make("accepted@example.org", sent_at=now, accepted_at=now, revoked_at=now)
    for state in Invitation.State.values:
        expected = {i.email for i in Invitation.objects.all() if i.state(now) == state}
        assert {i.email for i in Invitation.objects.in_state(state, now)} == expected, state
        page = officer_client.get(f"/admin/network/invitation/?state={state}").content.decode()
        for invitation in Invitation.objects.all():
            assert (invitation.email in page) == (invitation.email in expected), (state, invitation)
