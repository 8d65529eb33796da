"""Account journeys in a real browser: every allauth page looks like the site and passes axe."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def totp_code(secret):
    """The code an authenticator app shows now for this secret."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def assert_one_h1(page, text):
    assert page.locator("h1").count() == 1
    assert text in page.locator("h1").inner_text()


def test_sign_up_with_errors_shows_a_focused_error_summary(page):
    page.goto("/accounts/signup/")
    assert_one_h1(page, "Sign Up")
    assert_accessible(page)

    page.get_by_label("First name").fill("New")
    page.get_by_label("Last name").fill("Person")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password", exact=False).first.fill("short")
    page.get_by_role("button", name="Sign Up").click()
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    assert summary.evaluate("el => el === document.activeElement")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_email"
    assert_accessible(page)


def test_sign_up_then_verify_then_log_in(page):
    page.goto("/accounts/signup/")
    page.get_by_label("First name").fill("New")
    page.get_by_label("Last name").fill("Person")
    page.get_by_label("Email").fill("new.person@example.org")
    page.locator("#id_password1").fill("a-long-and-unusual-passphrase-2018")
    page.locator("#id_password2").fill("a-long-and-unusual-passphrase-2018")
    page.get_by_role("button", name="Sign Up").click()
    assert_one_h1(page, "Verify Your Email Address")
    assert_accessible(page)

    confirm_path = re.search(r"http://[^/]+(/accounts/confirm-email/\S+/)", mail.outbox[0].body)
    page.goto(confirm_path.group(1))
    assert_one_h1(page, "Confirm Email Address")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    # Confirming in the browser that signed up logs in; logging in again later works too.
    assert page.get_by_role("button", name="Log out").is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    log_in(page, "new.person@example.org", "a-long-and-unusual-passphrase-2018")
    assert page.get_by_role("button", name="Log out").is_visible()


def test_failed_log_in_and_password_reset_pages(page):
    page.goto("/accounts/login/")
    assert_one_h1(page, "Sign In")
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign In").click()
    assert "not correct" in page.get_by_role("alert").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Forgot your password?").click()
    assert_one_h1(page, "Password Reset")
    assert_accessible(page)
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_role("button", name="Reset My Password").click()
    assert_one_h1(page, "Password Reset")
    assert "/accounts/password/reset/done/" in page.url
    assert_accessible(page)


def test_password_reset_from_the_emailed_link(page):
    UserFactory(email="known@example.org")
    page.goto("/accounts/password/reset/")
    page.get_by_label("Email").fill("known@example.org")
    page.get_by_role("button", name="Reset My Password").click()
    reset_path = re.search(r"http://[^/]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    page.goto(reset_path.group(1))
    assert_one_h1(page, "Change Password")
    assert_accessible(page)
    page.locator("#id_password1").fill("a-long-and-unusual-passphrase-2018")
    page.locator("#id_password2").fill("a-long-and-unusual-passphrase-2018")
    page.get_by_role("button", name="Change Password").click()
    assert_one_h1(page, "Change Password")
    assert "changed" in page.locator("main").inner_text()
    assert_accessible(page)


def test_account_pages_and_two_factor_enrolment(page):
    UserFactory(email="member@example.org")
    log_in(page, "member@example.org", PASSWORD)

    page.get_by_role("link", name="My account", exact=True).click()
    assert_one_h1(page, "Email Addresses")
    assert page.get_by_role("navigation", name="My account").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Password", exact=True).click()
    assert_one_h1(page, "Change Password")
    assert_accessible(page)

    page.get_by_role("link", name="Two-factor authentication").click()
    assert_one_h1(page, "Two-Factor Authentication")
    assert_accessible(page)

    page.get_by_role("link", name="Activate").click()
    if "/accounts/reauthenticate/" in page.url:
        assert_one_h1(page, "Confirm Access")
        assert_accessible(page)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    assert_one_h1(page, "Activate Authenticator App")
    assert page.get_by_role("img").count() == 1
    assert_accessible(page)

    page.get_by_label("Authenticator code").fill("000000")
    page.get_by_role("button", name="Activate").click()
    assert "There is a problem" in page.get_by_role("alert").inner_text()
    assert_accessible(page)

    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    assert_one_h1(page, "Recovery Codes")
    assert page.get_by_label("Unused codes").input_value().strip()
    assert_accessible(page)

    # The next log-in asks for a code from the authenticator app.
    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("member@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    assert_one_h1(page, "Two-Factor Authentication")
    assert_accessible(page)


def test_logout_asks_for_confirmation_on_get(page):
    UserFactory(email="member@example.org")
    log_in(page, "member@example.org", PASSWORD)
    page.goto("/accounts/logout/")
    assert_one_h1(page, "Sign Out")
    assert_accessible(page)
    page.locator("main").get_by_role("button", name="Sign Out").click()
    assert page.get_by_role("link", name="Log in").first.is_visible()


def test_log_in_page_on_a_phone(phone_page):
    phone_page.goto("/accounts/login/")
    assert_one_h1(phone_page, "Sign In")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    assert_accessible(phone_page)
