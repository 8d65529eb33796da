"""Accounts: sign up, verify, log in, reset, rate limits, logout, and the admin's way in."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client, TestCase

from network.models import User
from tests.factories import PASSWORD, OfficerFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase-2018"


def post(client, url, data, **kwargs):
    """A POST whose emails are sent as after a real commit (they wait for it, in the outbox)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data, **kwargs)


def sign_up(client, email, **extra):
    return post(client, "/accounts/signup/", signup_data(email, **extra))


def signup_data(email, **extra):
    return {
        "first_name": "Sam",
        "last_name": "Okafor",
        "email": email,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **extra,
    }


def log_in(client, email, password):
    return post(client, "/accounts/login/", {"login": email, "password": password})


def is_logged_in(client):
    return "_auth_user_id" in client.session


def link_in(message):
    match = re.search(r"http://testserver(/accounts/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_sign_up_sends_a_verification_email_and_does_not_log_in(anon_client):
    response = sign_up(anon_client, "new.person@example.org")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert not is_logged_in(anon_client)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    assert "WMASN Portal" in mail.outbox[0].body
    assert "example.com" not in mail.outbox[0].body
    assert not EmailAddress.objects.get(email="new.person@example.org").verified


def test_cannot_log_in_before_verifying(anon_client):
    sign_up(anon_client, "new.person@example.org")
    mail.outbox.clear()
    response = log_in(anon_client, "new.person@example.org", NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert not is_logged_in(anon_client)
    # The link was sent moments ago; allauth waits 3 minutes before sending another.
    assert mail.outbox == []


def test_sign_up_verify_then_log_in(anon_client):
    sign_up(anon_client, "new.person@example.org")
    confirm_url = link_in(mail.outbox[0])

    confirm_page = anon_client.get(confirm_url)
    assert confirm_page.status_code == 200
    assert "new.person@example.org" in confirm_page.content.decode()
    anon_client.post(confirm_url)
    assert EmailAddress.objects.get(email="new.person@example.org").verified

    client = Client()
    response = log_in(client, "new.person@example.org", NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_logged_in(client)
    assert client.session["_auth_user_id"] == str(
        User.objects.get(email="new.person@example.org").pk
    )


def test_sign_up_with_a_registered_email_looks_the_same_and_tells_the_owner(anon_client):
    UserFactory(email="known@example.org")
    new_response = post(Client(), "/accounts/signup/", signup_data("unknown@example.org"))
    mail.outbox.clear()
    known_response = sign_up(anon_client, "known@example.org")

    assert known_response.status_code == new_response.status_code == 302
    assert known_response["Location"] == new_response["Location"]
    assert User.objects.filter(email="known@example.org").count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["known@example.org"]
    assert "already" in (mail.outbox[0].subject + mail.outbox[0].body).lower()
    assert not is_logged_in(anon_client)


def test_sign_up_with_bad_input_shows_an_error_summary(anon_client):
    response = anon_client.post(
        "/accounts/signup/", {"email": "not-an-email", "password1": "a", "password2": "b"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert 'href="#id_email"' in html
    assert html.count("<h1") == 1
    assert not User.objects.filter(email="not-an-email").exists()


def password_reset_page(email):
    client = Client()
    response = post(client, "/accounts/password/reset/", {"email": email}, follow=True)
    html = response.content.decode()
    # The token changes with every page; compare the pages without it.
    return response.status_code, response.redirect_chain, re.sub(r'value="[^"]+"', "", html)


def test_password_reset_does_not_reveal_whether_an_email_is_registered():
    UserFactory(email="known@example.org")
    known = password_reset_page("known@example.org")
    unknown = password_reset_page("unknown@example.org")

    assert known == unknown
    assert known[0] == 200
    assert known[1] == [("/accounts/password/reset/done/", 302)]
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["known@example.org", "unknown@example.org"]


def test_password_reset_link_sets_a_new_password(anon_client):
    UserFactory(email="known@example.org")
    post(anon_client, "/accounts/password/reset/", {"email": "known@example.org"})
    reset_url = link_in(mail.outbox[0])
    form_page = anon_client.get(reset_url, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    response = anon_client.post(
        set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert User.objects.get(email="known@example.org").check_password(NEW_PASSWORD)


def test_password_reset_rate_limit_answers_429_with_a_friendly_page(anon_client):
    UserFactory(email="known@example.org")
    statuses = [
        post(anon_client, "/accounts/password/reset/", {"email": "known@example.org"}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
    response = anon_client.post("/accounts/password/reset/", {"email": "known@example.org"})
    assert response.status_code == 429
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Too many attempts" in html
    assert response["Retry-After"]


def test_login_rate_limit_answers_429(anon_client):
    statuses = [
        log_in(anon_client, f"guess{n}@example.org", "wrong").status_code for n in range(31)
    ]
    assert 429 not in statuses[:30]
    assert statuses[30] == 429


def test_repeated_failed_logins_lock_the_account_even_with_the_right_password(anon_client):
    UserFactory(email="known@example.org")
    for _ in range(5):
        log_in(anon_client, "known@example.org", "wrong")
    response = log_in(anon_client, "known@example.org", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert not is_logged_in(anon_client)


def test_logout_by_get_asks_for_confirmation_and_post_logs_out(member_client):
    response = member_client.get("/accounts/logout/")
    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    assert is_logged_in(member_client)

    response = member_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not is_logged_in(member_client)


def test_admin_sends_anonymous_visitors_to_allauths_login(anon_client):
    response = anon_client.get("/admin/", follow=True)
    final_url, status = response.redirect_chain[-1]
    assert status == 302
    assert final_url == "/accounts/login/?next=%2Fadmin%2F"
    assert response.status_code == 200


def test_admin_login_page_itself_goes_through_allauth(anon_client):
    response = anon_client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_admin_refuses_non_staff_members(member_client):
    response = member_client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()


def test_officer_logs_in_through_allauth_and_reaches_the_admin(anon_client, officer):
    response = anon_client.post(
        "/accounts/login/?next=/admin/",
        {"login": officer.email, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert anon_client.get("/admin/").status_code == 200


def test_with_mfa_required_staff_without_totp_are_sent_to_enrol(officer_client, settings):
    settings.WMASN_ADMIN_REQUIRES_MFA = True
    response = officer_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_with_mfa_required_staff_with_totp_get_the_admin(settings):
    settings.WMASN_ADMIN_REQUIRES_MFA = True
    officer = OfficerFactory(email="secure.officer@example.org")
    Authenticator.objects.create(
        user=officer, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    client = Client()
    client.force_login(officer)
    assert client.get("/admin/").status_code == 200


def test_with_mfa_off_staff_without_totp_get_the_admin(officer_client, settings):
    settings.WMASN_ADMIN_REQUIRES_MFA = False
    assert officer_client.get("/admin/").status_code == 200


def test_mfa_requirement_leaves_the_rest_of_the_site_alone(officer_client, settings):
    settings.WMASN_ADMIN_REQUIRES_MFA = True
    assert officer_client.get("/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/confirm-email/not-a-real-key/",
        "/accounts/password/reset/key/zz-not-a-real-key/",
        "/accounts/login/?next=https://evil.example.com/",
    ],
)
def test_tampered_account_links_never_give_a_server_error(anon_client, url):
    response = anon_client.get(url, follow=True)
    assert response.status_code < 500
    assert response.content.decode().count("<h1") == 1


def test_log_in_never_redirects_off_site(anon_client):
    UserFactory(email="known@example.org")
    response = anon_client.post(
        "/accounts/login/",
        {"login": "known@example.org", "password": PASSWORD, "next": "https://evil.example.com/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
