"""The membership page, join requests, proposed agencies, leaving, and auto-approval."""

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from network import services as membership_service
from network.models import Agency, Membership
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    OfficerFactory,
    PendingMembershipFactory,
    UserFactory,
)

URL = reverse("network:membership")

MEMBERSHIP_GET_STATUS = {
    "anonymous": 302,
    "pending": 200,
    "other_member": 200,
    "member": 200,
    "officer": 200,
}


@pytest.fixture
def police(db):
    return AgencyFactory(
        name="West Midlands Police",
        slug="west-midlands-police",
        email_domains="west-midlands.police.uk\n@wmp.example.org",
    )


def user_with_address(email, verified):
    user = UserFactory(email=email, verified=False)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


# The page, by role


def test_membership_page_by_role(client_for_role, role):
    response = client_for_role(role).get(URL)
    assert response.status_code == MEMBERSHIP_GET_STATUS[role]
    if role == "anonymous":
        assert response.url.startswith(reverse("account_login"))


def test_membership_page_refuses_other_methods(member_client):
    assert member_client.put(URL).status_code == 405
    assert member_client.delete(URL).status_code == 405


def test_pending_user_sees_pending_status(pending_client, agency):
    response = pending_client.get(URL)
    assert "West Midlands Police" in response.text
    assert "Pending" in response.text
    assert "Withdraw request to West Midlands Police" in response.text


def test_member_sees_approved_status_and_leave_button(member_client, agency):
    response = member_client.get(URL)
    assert "Approved" in response.text
    assert "Leave West Midlands Police" in response.text


def test_join_choices_exclude_approved_and_pending_agencies(
    member_client, member, agency, other_agency
):
    third = AgencyFactory(name="Sandwell Council")
    proposed = AgencyFactory(name="Proposed One", status=Agency.Status.PROPOSED)
    rejected_from = AgencyFactory(name="Rejected From")
    MembershipFactory(user=member, agency=rejected_from, status=Membership.Status.REJECTED)
    pending_at = AgencyFactory(name="Pending At")
    PendingMembershipFactory(user=member, agency=pending_at)
    choices = set(member_client.get(URL).context["join_form"].fields["agency"].queryset)
    assert choices == {other_agency, third, rejected_from}
    assert proposed not in choices


# The agency chooser: a search, never a list of every agency

SEARCH_URL = reverse("network:membership-agency-search")


def test_the_page_lists_no_agency_until_a_search(member_client, other_agency):
    for i in range(30):
        AgencyFactory(name=f"Charity {i:02d}")
    html = member_client.get(URL).content.decode()
    assert "Charity 00" not in html and "Barnardo" not in html
    assert 'name="q"' in html and "Search for your agency first." in html


def test_a_search_lists_at_most_twenty_matching_joinable_agencies(member_client, agency):
    for i in range(30):
        AgencyFactory(name=f"Charity {i:02d}")
    AgencyFactory(name="Dudley Council")
    response = member_client.get(URL, {"q": "charity"})
    html = response.content.decode()
    assert "Charity 00" in html and "Charity 19" in html and "Charity 20" not in html
    assert "Dudley Council" not in html
    assert "20 agencies match" in html
    # The member's own agency is not offered again.
    again = member_client.get(URL, {"q": "police"})
    assert again.context["matches"] == []
    assert "No agency you can join matches" in again.text


def test_joining_an_agency_found_by_search_works_without_javascript(
    member_client, member, other_agency
):
    page = member_client.get(URL, {"q": "barn"}).content.decode()
    assert f'value="{other_agency.pk}"' in page
    response = member_client.post(URL, {"action": "join", "join-agency": other_agency.pk})
    assert response.status_code == 302
    assert Membership.objects.filter(user=member, agency=other_agency).exists()


@pytest.mark.parametrize("role", ["pending", "other_member", "member", "officer"])
def test_the_search_endpoint_answers_signed_in_users(client_for_role, role, agency, other_agency):
    response = client_for_role(role).get(SEARCH_URL, {"q": "a"})
    assert response.status_code == 200
    names = [item["name"] for item in response.json()["results"]]
    assert names == sorted(names)
    assert all(set(item) == {"id", "name"} for item in response.json()["results"])


def test_the_search_endpoint_leaves_out_taken_and_proposed_agencies(
    member_client, agency, other_agency
):
    AgencyFactory(name="Proposed Barn", status=Agency.Status.PROPOSED)
    results = member_client.get(SEARCH_URL, {"q": "barn"}).json()["results"]
    assert [item["id"] for item in results] == [other_agency.pk]
    assert member_client.get(SEARCH_URL, {"q": "police"}).json() == {"results": []}
    assert member_client.get(SEARCH_URL).json() == {"results": []}
    assert member_client.get(SEARCH_URL, {"q": "x" * 5000}).status_code == 200


def test_the_search_endpoint_is_for_signed_in_users_and_get_only(anon_client, member_client):
    response = anon_client.get(SEARCH_URL, {"q": "a"})
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert member_client.post(SEARCH_URL).status_code == 405


def test_the_chooser_script_is_served_from_static(member_client):
    assert "js/agency-search" in member_client.get(URL).text


# Joining


def test_anonymous_post_is_sent_to_log_in(anon_client, agency):
    response = anon_client.post(URL, {"action": "join", "join-agency": agency.pk})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Membership.objects.exists()


def test_user_asks_to_join_and_officers_are_told(
    client, other_agency, django_capture_on_commit_callbacks
):
    officer = OfficerFactory(email="officer@example.org")
    user = UserFactory(email="someone@example.org")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, {"action": "join", "join-agency": other_agency.pk, "join-role": "Caseworker"}
        )
    assert response.status_code == 302
    membership = Membership.objects.get(user=user)
    assert membership.agency == other_agency
    assert membership.status == Membership.Status.PENDING
    assert membership.role == "Caseworker"
    assert not membership.auto_approved
    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert "someone@example.org" in mail.outbox[0].body
    # Still no member access while pending.
    user.refresh_from_db()
    assert not Membership.objects.approved().filter(user=user).exists()


@pytest.mark.parametrize("role_name", ["pending", "other_member", "member", "officer"])
def test_every_signed_in_role_can_ask_to_join(client_for_role, role_name, db):
    target = AgencyFactory(name="Target Agency")
    response = client_for_role(role_name).post(URL, {"action": "join", "join-agency": target.pk})
    assert response.status_code == 302
    assert Membership.objects.filter(agency=target, status="pending").count() == 1


def test_cannot_ask_again_while_approved(member_client, member, agency):
    response = member_client.post(URL, {"action": "join", "join-agency": agency.pk})
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert Membership.objects.get(user=member, agency=agency).status == "approved"


def test_cannot_ask_to_join_a_proposed_agency(member_client):
    proposed = AgencyFactory(status=Agency.Status.PROPOSED)
    response = member_client.post(URL, {"action": "join", "join-agency": proposed.pk})
    assert response.status_code == 200
    assert not Membership.objects.filter(agency=proposed).exists()


def test_join_with_bad_agency_id_is_a_form_error(member_client):
    response = member_client.post(URL, {"action": "join", "join-agency": "not-a-number"})
    assert response.status_code == 200
    assert "There is a problem" in response.text


def test_unknown_action_is_bad_request(member_client):
    assert member_client.post(URL, {"action": "hack"}).status_code == 400


def test_rejected_user_asks_again_on_the_same_row(client, agency):
    user = UserFactory()
    rejected = MembershipFactory(user=user, agency=agency, status=Membership.Status.REJECTED)
    client.force_login(user)
    client.post(URL, {"action": "join", "join-agency": agency.pk})
    assert Membership.objects.filter(user=user, agency=agency).count() == 1
    rejected.refresh_from_db()
    assert rejected.status == Membership.Status.PENDING
    assert rejected.decided_at is None
    assert rejected.decided_by is None


def test_request_membership_refuses_an_open_request(member, agency):
    with pytest.raises(ValidationError):
        membership_service.request_membership(user=member, agency=agency)


# Proposing an agency


def test_user_proposes_an_agency(client, db, django_capture_on_commit_callbacks):
    OfficerFactory()
    user = UserFactory(email="founder@example.org")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL,
            {
                "action": "propose",
                "propose-name": "Hope for Justice",
                "propose-sector": "third",
                "propose-website": "https://hope.example.org/",
                "propose-description": "Helps survivors.",
            },
        )
    assert response.status_code == 302
    agency = Agency.objects.get(name="Hope for Justice")
    assert agency.status == Agency.Status.PROPOSED
    assert agency.slug == "hope-for-justice"
    assert agency.proposed_by == user
    membership = Membership.objects.get(user=user, agency=agency)
    assert membership.status == Membership.Status.PENDING
    assert "proposed" in mail.outbox[0].body
    # Not public until an officer approves it.
    assert client.get(agency.get_absolute_url()).status_code == 404
    assert "Hope for Justice" not in client.get(reverse("network:agency-list")).text


def test_proposing_a_listed_name_is_a_form_error(member_client, agency):
    response = member_client.post(
        URL,
        {"action": "propose", "propose-name": "west midlands police", "propose-sector": "public"},
    )
    assert response.status_code == 200
    assert "ask to join it instead" in response.text
    assert Agency.objects.count() == 1


def test_proposing_without_a_name_or_valid_sector_is_a_form_error(member_client):
    response = member_client.post(
        URL, {"action": "propose", "propose-name": "", "propose-sector": "bogus"}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.text


def test_proposed_slug_is_made_unique(member):
    AgencyFactory(name="Other name", slug="safe-place")
    agency, _ = membership_service.propose_agency(user=member, name="Safe Place", sector="third")
    assert agency.slug == "safe-place-2"


def test_approving_a_proposed_agency_lets_its_pending_member_be_approved(member):
    agency, membership = membership_service.propose_agency(
        user=member, name="Safe Place", sector="third"
    )
    membership_service.approve_agency(agency=agency)
    membership_service.approve(membership=membership, by=None)
    member = type(member).objects.get(pk=member.pk)
    assert member.is_member_of(agency)


def test_approving_a_membership_of_a_proposed_agency_is_refused_with_the_reason(
    member, django_capture_on_commit_callbacks
):
    from django.core import mail

    agency, membership = membership_service.propose_agency(
        user=member, name="Safe Place", sector="third"
    )
    mail.outbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError, match="still only a proposed agency"),
    ):
        membership_service.approve(membership=membership, by=None)
    membership.refresh_from_db()
    agency.refresh_from_db()
    assert membership.status == Membership.Status.PENDING
    assert agency.status == agency.Status.PROPOSED
    assert mail.outbox == []


def test_approving_with_the_agency_approves_both_and_the_email_says_so(
    member, django_capture_on_commit_callbacks
):
    from django.core import mail

    agency, membership = membership_service.propose_agency(
        user=member, name="Safe Place", sector="third"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        membership_service.approve(membership=membership, by=None, with_agency=True)
    agency.refresh_from_db()
    assert agency.status == agency.Status.ACTIVE
    assert type(member).objects.get(pk=member.pk).is_member_of(agency)
    [message] = mail.outbox
    assert "Safe Place is approved with it" in message.body
    assert "You can now see meeting venues" in message.body


# Leaving


def leave_url(membership):
    return reverse("network:membership-leave", args=[membership.pk])


def test_member_leaves_and_loses_access_at_once(member_client, member, agency):
    edit = reverse("network:agency-edit", args=[agency.slug])
    assert member_client.get(edit).status_code == 200
    membership = Membership.objects.get(user=member, agency=agency)
    response = member_client.post(leave_url(membership))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ENDED
    assert membership.ended_at is not None
    assert member_client.get(edit).status_code == 404


def test_pending_user_withdraws_request(pending_client, pending_user):
    membership = Membership.objects.get(user=pending_user)
    pending_client.post(leave_url(membership))
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ENDED
    assert membership.decided_at is not None


@pytest.mark.parametrize(
    ("role_name", "expected"),
    [("anonymous", 302), ("pending", 404), ("other_member", 404), ("officer", 404)],
)
def test_nobody_else_can_end_a_membership(client_for_role, role_name, expected, member, agency):
    membership = Membership.objects.get(user=member)
    response = client_for_role(role_name).post(leave_url(membership))
    assert response.status_code == expected
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED


def test_leave_refuses_get(member_client, member):
    membership = Membership.objects.get(user=member)
    assert member_client.get(leave_url(membership)).status_code == 405
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED


def test_leaving_twice_is_a_message_not_an_error(member_client, member):
    membership = Membership.objects.get(user=member)
    member_client.post(leave_url(membership))
    response = member_client.post(leave_url(membership), follow=True)
    assert response.status_code == 200
    assert "Only an approved or pending membership can be ended." in response.text


# Auto-approval by verified email domain


def test_verified_address_on_listed_domain_is_approved_automatically(
    police, django_capture_on_commit_callbacks
):
    user = user_with_address("jo@west-midlands.police.uk", verified=True)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        membership = membership_service.request_membership(user=user, agency=police)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    assert membership.auto_approved
    assert membership.decided_at >= before
    assert membership.decided_by is None
    assert mail.outbox[0].to == ["jo@west-midlands.police.uk"]
    assert "approved" in mail.outbox[0].subject


def test_domain_listed_with_at_sign_also_matches(police):
    user = user_with_address("sam@wmp.example.org", verified=True)
    membership = membership_service.request_membership(user=user, agency=police)
    assert membership.status == Membership.Status.APPROVED


def test_unverified_address_on_listed_domain_stays_pending(police):
    user = user_with_address("jo@west-midlands.police.uk", verified=False)
    membership = membership_service.request_membership(user=user, agency=police)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING
    assert not membership.auto_approved
    assert membership.decided_at is None


@pytest.mark.parametrize(
    "email", ["jo@evil-west-midlands.police.uk", "jo@police.uk", "west-midlands.police.uk@x.org"]
)
def test_lookalike_domains_are_not_approved(police, email):
    user = user_with_address(email, verified=True)
    membership = membership_service.request_membership(user=user, agency=police)
    assert membership.status == Membership.Status.PENDING


def test_auto_approval_through_the_page(client, police):
    user = user_with_address("jo@west-midlands.police.uk", verified=True)
    client.force_login(user)
    response = client.post(URL, {"action": "join", "join-agency": police.pk}, follow=True)
    assert "you are now a member" in response.text
    assert Membership.objects.get(user=user).auto_approved


def test_confirming_the_address_approves_the_pending_request(
    client, police, django_capture_on_commit_callbacks
):
    user = user_with_address("jo@west-midlands.police.uk", verified=False)
    membership = membership_service.request_membership(user=user, agency=police)
    assert membership.status == Membership.Status.PENDING
    address = EmailAddress.objects.get(user=user)
    key = EmailConfirmationHMAC(address).key
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_confirm_email", args=[key]))
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.verified
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    assert membership.auto_approved
    assert any("approved" in m.subject for m in mail.outbox)


def test_confirming_an_address_off_the_domain_approves_nothing(client, police):
    user = user_with_address("jo@example.org", verified=False)
    membership = membership_service.request_membership(user=user, agency=police)
    address = EmailAddress.objects.get(user=user)
    client.force_login(user)
    client.post(reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key]))
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


# Database constraints


def test_one_membership_per_user_and_agency(member, agency):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=member, agency=agency)


def test_decision_must_be_recorded(agency):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=UserFactory(), agency=agency, status=Membership.Status.APPROVED, decided_at=None
        )


def test_status_must_be_known(agency):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=UserFactory(), agency=agency, status="maybe", decided_at=timezone.now()
        )


def test_rejected_membership_cannot_be_automatic(agency):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=UserFactory(),
            agency=agency,
            status=Membership.Status.REJECTED,
            decided_at=timezone.now(),
            auto_approved=True,
        )


def test_agency_slugs_are_unique(agency):
    with pytest.raises(IntegrityError), transaction.atomic():
        AgencyFactory(name="Another name", slug=agency.slug)


def test_agency_sector_must_be_known(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        AgencyFactory(sector="fourth")
