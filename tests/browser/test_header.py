"""The site's top navigation: one line for an officer (thirteen links) at 1,280 px, the menu
button on a phone."""

import pytest

from tests.browser.conftest import log_in
from tests.factories import PASSWORD, OfficerFactory

pytestmark = pytest.mark.django_db(transaction=True)

LINK_EDGES = """[...document.querySelectorAll('.site-header .nav-link')].map(link => {
  const box = link.getBoundingClientRect();
  return {top: Math.round(box.top), right: box.right, height: box.height};
})"""
CONTAINER_RIGHT = """(() => {
  const container = document.querySelector('.site-header .container');
  const padding = parseFloat(getComputedStyle(container).paddingRight);
  return container.getBoundingClientRect().right - padding;
})()"""


@pytest.mark.parametrize("width", [1200, 1280, 1440])
def test_an_officers_navigation_is_one_line_at_desktop_widths(browser, live_server, width):
    OfficerFactory(email="chair@example.org")
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    try:
        page = context.new_page()
        log_in(page, "chair@example.org", PASSWORD)
        page.goto("/")
        links = page.evaluate(LINK_EDGES)
        assert len(links) == 13  # ten sections, Admin, My account, Log out
        assert len({link["top"] for link in links}) == 1
        assert max(link["height"] for link in links) < 48
        assert max(link["right"] for link in links) <= page.evaluate(CONTAINER_RIGHT) + 0.5
    finally:
        context.close()


def test_the_navigation_is_behind_the_menu_button_on_a_phone(phone_page):
    phone_page.goto("/")
    button = phone_page.get_by_role("button", name="Show or hide the menu")
    assert button.is_visible()
    assert not phone_page.locator(".site-header").get_by_role("link", name="Events").is_visible()
    button.click()
    phone_page.locator(".site-header").get_by_role("link", name="Events").wait_for(state="visible")
