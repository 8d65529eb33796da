import pytest

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_page_loads_and_is_accessible(page):
    page.goto("/")
    assert page.locator("h1").count() == 1
    assert "West Midlands Anti Slavery Network" in page.locator("h1").inner_text()
    assert_accessible(page)


def test_user_logs_in_from_the_home_page(page):
    UserFactory(email="police@example.org")
    page.goto("/")
    page.get_by_role("link", name="Log in").first.click()
    log_in(page, "police@example.org", PASSWORD)
    assert page.get_by_role("button", name="Log out").is_visible()
    assert_accessible(page)


def test_home_page_on_a_phone_has_a_working_menu(phone_page):
    phone_page.goto("/")
    assert phone_page.locator("h1").count() == 1
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    log_in_link = phone_page.locator("header").get_by_role("link", name="Log in", exact=True)
    assert not log_in_link.is_visible()
    phone_page.get_by_role("button", name="Show or hide the menu").click()
    log_in_link.wait_for(state="visible")
    assert_accessible(phone_page)


def test_skip_link_moves_focus_to_the_main_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    assert skip_link.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
