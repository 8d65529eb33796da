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
