"""Officers approve, reject and end memberships in the admin; agencies admin and CSV export."""

import csv
import datetime as dt
import io
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from network.models import Agency, Membership, User
from tests.factories import (
    AgencyContactFactory,
    AgencyFactory,
    AreaFactory,
    MembershipFactory,
    PendingMembershipFactory,
    UserFactory,
)
from wmasn.spreadsheets import csv_safe

MEMBERSHIPS_URL = reverse("admin:network_membership_changelist")
AGENCIES_URL = reverse("admin:network_agency_changelist")


def run_action(client, url, action, objects, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra}
    return client.post(url, data)


# The pending list


def test_pending_requests_are_listed_oldest_first(officer_client, agency, other_agency):
    now = timezone.now()
    newer = PendingMembershipFactory(agency=agency, requested_at=now - dt.timedelta(days=1))
    older = PendingMembershipFactory(agency=other_agency, requested_at=now - dt.timedelta(days=9))
    approved = MembershipFactory(agency=agency)
    response = officer_client.get(MEMBERSHIPS_URL)
    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert listed == [older, newer]
    assert approved not in listed


def test_status_filter_shows_all_or_one_status(officer_client, member, pending_user):
    response = officer_client.get(MEMBERSHIPS_URL, {"status": "all"})
    assert len(response.context["cl"].result_list) == 2
    response = officer_client.get(MEMBERSHIPS_URL, {"status": "approved"})
    assert [m.user for m in response.context["cl"].result_list] == [member]


def test_membership_admin_filters_by_sector_and_agency(officer_client, agency, other_agency):
    theirs = PendingMembershipFactory(agency=other_agency)
    PendingMembershipFactory(agency=agency)
    response = officer_client.get(MEMBERSHIPS_URL, {"agency__sector__exact": "third"})
    assert list(response.context["cl"].result_list) == [theirs]
    response = officer_client.get(MEMBERSHIPS_URL, {"agency__id__exact": other_agency.pk})
    assert list(response.context["cl"].result_list) == [theirs]


def test_membership_admin_search(officer_client, agency):
    wanted = PendingMembershipFactory(agency=agency, user__email="findme@example.org")
    PendingMembershipFactory(agency=agency)
    response = officer_client.get(MEMBERSHIPS_URL, {"q": "findme"})
    assert list(response.context["cl"].result_list) == [wanted]


@pytest.mark.parametrize("role_name", ["pending", "other_member", "member"])
def test_non_staff_cannot_open_the_membership_admin(client_for_role, role_name):
    response = client_for_role(role_name).get(MEMBERSHIPS_URL)
    assert response.status_code == 302
    assert "login" in response.url


# Approve, reject, end


def test_officer_approves_and_the_user_is_emailed(
    officer_client, officer, pending_user, agency, django_capture_on_commit_callbacks
):
    membership = Membership.objects.get(user=pending_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(officer_client, MEMBERSHIPS_URL, "approve", [membership])
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    assert membership.decided_by == officer
    assert membership.decided_at is not None
    assert not membership.auto_approved
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [pending_user.email]
    assert "approved" in mail.outbox[0].subject
    assert "/agencies/west-midlands-police/" in mail.outbox[0].body
    assert User.objects.get(pk=pending_user.pk).is_member_of(agency)


def test_officer_rejects_and_the_user_is_emailed(
    officer_client, officer, pending_user, agency, django_capture_on_commit_callbacks
):
    membership = Membership.objects.get(user=pending_user)
    with django_capture_on_commit_callbacks(execute=True):
        run_action(officer_client, MEMBERSHIPS_URL, "reject", [membership])
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REJECTED
    assert membership.decided_by == officer
    assert membership.decided_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [pending_user.email]
    assert "not approved" in mail.outbox[0].subject
    assert not User.objects.get(pk=pending_user.pk).is_member


def test_approve_action_skips_already_approved(officer_client, member, pending_user):
    approved = Membership.objects.get(user=member)
    pending = Membership.objects.get(user=pending_user)
    response = run_action(
        officer_client,
        MEMBERSHIPS_URL + "?status=all",
        "approve",
        [approved, pending],
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Membership.Status.APPROVED
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Approved 1" in m for m in messages)
    assert any("already approved" in m for m in messages)


def test_reject_action_refuses_approved_memberships(officer_client, member):
    membership = Membership.objects.get(user=member)
    run_action(officer_client, MEMBERSHIPS_URL + "?status=all", "reject", [membership])
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED


def test_ending_a_membership_removes_access_at_once(officer_client, member_client, member, agency):
    edit = reverse("network:agency-edit", args=[agency.slug])
    assert member_client.get(edit).status_code == 200
    membership = Membership.objects.get(user=member)
    run_action(officer_client, MEMBERSHIPS_URL + "?status=all", "end", [membership])
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ENDED
    assert membership.ended_at is not None
    # The same logged-in session loses member access on its very next request.
    assert member_client.get(edit).status_code == 404
    detail = member_client.get(reverse("network:agency-detail", args=[agency.slug]))
    assert "Members only" not in detail.text


def test_member_cannot_run_the_approve_action(member_client, pending_user):
    membership = Membership.objects.get(user=pending_user)
    response = run_action(member_client, MEMBERSHIPS_URL, "approve", [membership])
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


def test_status_is_read_only_on_the_change_form(officer_client, pending_user):
    membership = Membership.objects.get(user=pending_user)
    url = reverse("admin:network_membership_change", args=[membership.pk])
    response = officer_client.get(url)
    assert response.status_code == 200
    assert 'name="status"' not in response.text


# Agencies admin


def test_agency_admin_filters_and_search(officer_client, agency, other_agency):
    proposed = AgencyFactory(name="Proposed Charity", status=Agency.Status.PROPOSED)
    area = AreaFactory(name="Walsall", slug="walsall")
    other_agency.areas.add(area)
    cl = officer_client.get(AGENCIES_URL, {"status__exact": "proposed"}).context["cl"]
    assert list(cl.result_list) == [proposed]
    cl = officer_client.get(AGENCIES_URL, {"sector__exact": "third"}).context["cl"]
    assert list(cl.result_list) == [other_agency]
    cl = officer_client.get(AGENCIES_URL, {"areas__id__exact": area.pk}).context["cl"]
    assert list(cl.result_list) == [other_agency]
    cl = officer_client.get(AGENCIES_URL, {"q": "police"}).context["cl"]
    assert list(cl.result_list) == [agency]


def test_agency_change_page_shows_memberships_and_contacts_inline(officer_client, member, agency):
    AgencyContactFactory(agency=agency, name="Inline Contact")
    response = officer_client.get(reverse("admin:network_agency_change", args=[agency.pk]))
    assert response.status_code == 200
    assert escape(str(member)) in response.text  # a drawn name may be O'Brien
    assert "Inline Contact" in response.text


def test_officer_approves_a_proposed_agency(officer_client):
    proposed = AgencyFactory(status=Agency.Status.PROPOSED)
    run_action(officer_client, AGENCIES_URL, "approve_proposed", [proposed])
    proposed.refresh_from_db()
    assert proposed.status == Agency.Status.ACTIVE


def test_csv_export_of_the_directory(officer_client, member, agency, other_agency):
    agency.areas.add(AreaFactory(name="Region-wide", slug="region-wide"))
    AgencyContactFactory(agency=agency, name="Dana Named", email="dana@example.org")
    evil = AgencyFactory(name='=HYPERLINK("http://evil.example")', public_phone="+44 121 496 0000")
    response = run_action(officer_client, AGENCIES_URL, "export_csv", [agency, other_agency, evil])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_slug = {row["slug"]: row for row in rows}
    assert set(by_slug) == {agency.slug, other_agency.slug, evil.slug}
    police = by_slug["west-midlands-police"]
    assert police["name"] == "West Midlands Police"
    assert police["sector"] == "Public sector"
    assert police["areas"] == "Region-wide"
    assert "dana@example.org" in police["contacts"]
    assert police["approved_members"] == "1"
    assert by_slug[evil.slug]["name"] == '\'=HYPERLINK("http://evil.example")'
    assert by_slug[evil.slug]["public_phone"] == "'+44 121 496 0000"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Barnardo's", "Barnardo's"),
        (None, ""),
        (3, "3"),
    ],
)
def test_csv_cells_are_safe_from_formula_injection(value, expected):
    assert csv_safe(value) == expected


@pytest.mark.parametrize("role_name", ["anonymous", "pending", "member"])
def test_csv_export_is_staff_only(client_for_role, role_name, agency):
    response = run_action(client_for_role(role_name), AGENCIES_URL, "export_csv", [agency])
    assert response.status_code == 302
    assert "login" in response.url


# Users admin


def test_user_admin_lists_by_email_and_shows_memberships(officer_client, member, agency):
    response = officer_client.get(reverse("admin:network_user_changelist"), {"q": member.email})
    assert list(response.context["cl"].result_list) == [member]
    response = officer_client.get(reverse("admin:network_user_change", args=[member.pk]))
    assert response.status_code == 200
    assert "West Midlands Police" in response.text
    assert 'name="username"' not in response.text


def test_officer_adds_a_user_by_email(officer_client):
    response = officer_client.post(
        reverse("admin:network_user_add"),
        {
            "email": "New.Person@Example.org",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase-9",
            "password2": "a-long-enough-passphrase-9",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.filter(email="new.person@example.org").exists()


def test_officer_cannot_make_a_superuser(officer_client):
    user = UserFactory()
    url = reverse("admin:network_user_change", args=[user.pk])
    response = officer_client.get(url)
    assert response.status_code == 200
    assert 'name="is_superuser"' not in response.text


def test_officer_cannot_change_a_superuser(officer_client):
    boss = User.objects.create_superuser(email="boss@example.org", password="x")
    response = officer_client.get(reverse("admin:network_user_change", args=[boss.pk]))
    # Officers may view but not edit a superuser.
    assert 'name="email"' not in response.text


# Memberships of proposed agencies


@pytest.fixture
def proposed_request(db):
    from network import services as membership_service

    proposer = UserFactory(first_name="Asha", last_name="Patel")
    agency, membership = membership_service.propose_agency(
        user=proposer, name="Safe Haven Birmingham", sector="third"
    )
    return membership


def test_membership_list_shows_the_agency_status(officer_client, proposed_request, agency):
    PendingMembershipFactory(agency=agency)
    response = officer_client.get(MEMBERSHIPS_URL)
    html = response.content.decode()
    assert "agency status" in html.lower()
    assert "Proposed, awaiting an officer" in html
    assert "Active" in html
    filtered = officer_client.get(MEMBERSHIPS_URL, {"agency__status__exact": "proposed"})
    assert list(filtered.context["cl"].result_list) == [proposed_request]


def test_plain_approval_of_a_proposed_agencys_member_is_refused_with_the_reason(
    officer_client, proposed_request, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(officer_client, MEMBERSHIPS_URL, "approve", [proposed_request])
    assert response.status_code == 302
    shown = [str(m) for m in response.wsgi_request._messages]
    assert any(
        "Not approved" in m and "Safe Haven Birmingham is still only a proposed agency" in m
        for m in shown
    ), shown
    proposed_request.refresh_from_db()
    assert proposed_request.status == Membership.Status.PENDING
    assert proposed_request.agency.status == Agency.Status.PROPOSED
    assert mail.outbox == []


def test_approval_with_the_agency_approves_both_and_says_so(
    officer_client, proposed_request, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(
            officer_client, MEMBERSHIPS_URL, "approve_with_agency", [proposed_request]
        )
    shown = [str(m) for m in response.wsgi_request._messages]
    assert any(
        "Approved 1 membership(s). Also approved the proposed agency Safe Haven Birmingham" in m
        for m in shown
    ), shown
    proposed_request.refresh_from_db()
    assert proposed_request.status == Membership.Status.APPROVED
    assert proposed_request.agency.status == Agency.Status.ACTIVE
    assert proposed_request.user.is_member_of(proposed_request.agency)
    [message] = [m for m in mail.outbox if m.to == [proposed_request.user.email]]
    assert "Hello Asha Patel" in message.body
    assert "Safe Haven Birmingham is approved with it" in message.body


def test_approval_with_agency_of_an_active_agency_is_a_plain_approval(
    officer_client, agency, django_capture_on_commit_callbacks
):
    pending = PendingMembershipFactory(agency=agency)
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(officer_client, MEMBERSHIPS_URL, "approve_with_agency", [pending])
    shown = [str(m) for m in response.wsgi_request._messages]
    assert shown == ["Approved 1 membership(s)."]
    assert "approved with it" not in mail.outbox[-1].body


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member"])
def test_only_officers_approve_with_the_agency(client_for_role, role, proposed_request):
    response = run_action(
        client_for_role(role), MEMBERSHIPS_URL, "approve_with_agency", [proposed_request]
    )
    assert response.status_code == 302 and "/login/" in response["Location"]
    proposed_request.refresh_from_db()
    assert proposed_request.status == Membership.Status.PENDING


def test_the_approval_email_promises_only_the_access_the_rule_grants(
    db, agency, django_capture_on_commit_callbacks
):
    """Rendered for a membership that gives no access (its agency proposed), it promises none."""
    from network import services as membership_service

    pending = PendingMembershipFactory(agency=agency)
    membership_service.approve(membership=pending, by=None)
    Agency.objects.filter(pk=agency.pk).update(status=Agency.Status.PROPOSED)
    pending.agency.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        membership_service._email_user(pending, "approved")
    body = mail.outbox[-1].body
    assert "You can now see meeting venues" not in body
    assert "is approved.\n\nYour agency:" in body


# One-click decisions on the membership's page and the desk (issue 25)


def decide_url(membership):
    return reverse("admin:network_membership_decide", args=[membership.pk])


def test_change_page_of_a_pending_request_has_approve_and_decline(officer_client, pending_user):
    membership = Membership.objects.get(user=pending_user)
    html = officer_client.get(
        reverse("admin:network_membership_change", args=[membership.pk])
    ).content.decode()
    assert f'action="{decide_url(membership)}"' in html
    assert 'value="Approve"' in html and 'value="Decline"' in html


def test_change_page_of_an_approved_membership_has_no_decision(officer_client, member):
    membership = Membership.objects.get(user=member)
    html = officer_client.get(
        reverse("admin:network_membership_change", args=[membership.pk])
    ).content.decode()
    assert decide_url(membership) not in html


def test_approve_button_approves_and_emails_like_the_action(
    officer_client, officer, pending_user, agency, django_capture_on_commit_callbacks
):
    membership = Membership.objects.get(user=pending_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(decide_url(membership), {"decision": "approve"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:network_membership_change", args=[membership.pk])
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    assert membership.decided_by == officer
    assert [m.to for m in mail.outbox] == [[pending_user.email]]
    assert "approved" in mail.outbox[0].subject
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Approved 1 membership(s)."]


def test_decline_button_rejects_and_returns_to_the_desk(
    officer_client, pending_user, django_capture_on_commit_callbacks
):
    membership = Membership.objects.get(user=pending_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            decide_url(membership), {"decision": "decline", "next": "/admin/"}
        )
    assert response["Location"] == "/admin/"
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REJECTED
    assert "not approved" in mail.outbox[0].subject


def test_decision_buttons_keep_the_service_rules(officer_client, member):
    membership = Membership.objects.get(user=member)
    response = officer_client.post(decide_url(membership), {"decision": "decline"})
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Only a pending request can be rejected" in m for m in messages)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED


def test_approve_button_for_a_proposed_agency_needs_the_agency_too(officer_client):
    proposed = AgencyFactory(status=Agency.Status.PROPOSED)
    membership = PendingMembershipFactory(agency=proposed)
    officer_client.post(decide_url(membership), {"decision": "approve"})
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING
    officer_client.post(decide_url(membership), {"decision": "approve_with_agency"})
    membership.refresh_from_db()
    proposed.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    assert proposed.status == Agency.Status.ACTIVE


def test_decision_refuses_an_unknown_decision_and_an_outside_next(officer_client, pending_user):
    membership = Membership.objects.get(user=pending_user)
    assert officer_client.post(decide_url(membership), {"decision": "delete"}).status_code == 400
    response = officer_client.post(
        decide_url(membership), {"decision": "decline", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("admin:network_membership_change", args=[membership.pk])


def test_decision_is_post_only(officer_client, pending_user):
    membership = Membership.objects.get(user=pending_user)
    assert officer_client.get(decide_url(membership)).status_code == 405
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member"])
def test_only_officers_decide(client_for_role, role, agency):
    membership = PendingMembershipFactory(agency=agency)
    response = client_for_role(role).post(decide_url(membership), {"decision": "approve"})
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


def test_membership_filters_have_distinct_titles(officer_client, pending_user):
    """Issue 25: the membership's and the agency's status were both "By status"."""
    html = officer_client.get(MEMBERSHIPS_URL).content.decode()
    titles = re.findall(r"By ([\w ]+?)\s*</", html)
    assert "membership status" in titles and "agency status" in titles
    assert len(titles) == len(set(titles))


def test_membership_list_keeps_to_five_short_columns(officer_client, pending_user):
    """Issue 25: at 1,280 px ten columns pushed Status out of view."""
    response = officer_client.get(MEMBERSHIPS_URL)
    headers = re.findall(
        r'<th scope="col" class="[^"]*?([\w-]+-column|column-\w+)', response.content.decode()
    )
    assert headers == [
        "action-checkbox-column",
        "column-person",
        "column-agency_display",
        "column-status",
        "column-requested",
        "column-decided",
    ]
    assert pending_user.email in response.content.decode()
