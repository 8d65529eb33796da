"""Keyboard only: logging in, answering an event and recording a pledge, with visible focus.

No mouse clicks: Tab moves focus until document.activeElement is the control we need, then
the keys a keyboard user would press. Every element Tab lands on must show where focus is.
"""

import pytest
from django.urls import Resolver404, resolve

from tests.browser.conftest import assert_accessible
from tests.sweep.demo import load_demo
from tests.sweep.urls import build_page

pytestmark = pytest.mark.django_db(transaction=True)

MEMBER = "police@example.org"
PASSWORD = "wmasn-demo"
MAX_TABS = 80

FOCUSED = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const clear = (colour) => /rgba\([^)]*,\s*0\)/.test(colour) || colour === 'transparent';
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
    && !clear(style.outlineColor);
  const shadow = !!style.boxShadow && style.boxShadow !== 'none'
    && !style.boxShadow.split(/,(?![^(]*\))/).every((s) => clear(s.trim()));
  return {
    tag: el.tagName.toLowerCase(),
    type: el.type || '',
    name: el.name || '',
    value: el.value || '',
    text: (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 60),
    visible: outline || shadow,
  };
}"""


class Keyboard:
    """Moves through a page with Tab, and remembers any stop without a visible focus."""

    def __init__(self, page):
        self.page = page
        self.invisible = []

    def tab_to(self, matches, what):
        for _ in range(MAX_TABS):
            self.page.keyboard.press("Tab")
            focused = self.page.evaluate(FOCUSED)
            if focused is None:
                continue
            if not focused["visible"]:
                self.invisible.append(f"{self.page.url}: {focused}")
            if matches(focused):
                return focused
        raise AssertionError(f"Tab never reached {what} on {self.page.url}")

    def assert_focus_always_visible(self):
        assert not self.invisible, "focus is not visible on:\n" + "\n".join(self.invisible)


def _resolves(path):
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def log_in_by_keyboard(page, keys, email=MEMBER):
    page.goto("/accounts/login/")
    keys.tab_to(lambda f: f["tag"] == "input" and f["name"] == "login", "the email field")
    page.keyboard.type(email)
    keys.tab_to(lambda f: f["tag"] == "input" and f["name"] == "password", "the password field")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("button", name="Log out").count() == 1, "not logged in"


@pytest.fixture
def demo_site(live_server):
    load_demo()
    return live_server


def test_log_in_from_the_keyboard(page, demo_site):
    keys = Keyboard(page)
    log_in_by_keyboard(page, keys)
    assert_accessible(page)
    keys.assert_focus_always_visible()


def test_answer_an_event_from_the_keyboard(page, demo_site):
    from events.models import RSVP
    from network.models import User

    target = build_page("event-detail")
    if target.skip_reason:
        pytest.skip(target.skip_reason)
    keys = Keyboard(page)
    log_in_by_keyboard(page, keys)
    page.goto(target.path)
    assert_accessible(page)
    radio = keys.tab_to(
        lambda f: f["tag"] == "input" and f["type"] == "radio" and f["name"] == "answer",
        "the answer radio buttons",
    )
    # Arrow keys move through a radio group and check the one they land on.
    for _ in range(5):
        if radio["value"] == "attending":
            break
        page.keyboard.press("ArrowDown")
        radio = page.evaluate(FOCUSED)
    page.keyboard.press("Space")
    assert page.evaluate("() => document.activeElement.checked") is True
    keys.tab_to(lambda f: f["tag"] == "button" and "Save my answer" in f["text"], "Save")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)
    keys.assert_focus_always_visible()

    member = User.objects.get(email=MEMBER)
    slug = target.path.strip("/").split("/")[-1]
    assert RSVP.objects.filter(user=member, event__slug=slug, answer="attending").exists()


def test_record_a_pledge_from_the_keyboard(page, demo_site):
    from pledges.models import Pledge

    if not _resolves("/pledges/new/"):
        pytest.skip("/pledges/new/ does not resolve yet (pledges not landed)")
    keys = Keyboard(page)
    log_in_by_keyboard(page, keys)
    page.goto("/pledges/new/")
    assert_accessible(page)
    keys.tab_to(lambda f: f["tag"] == "textarea" and f["name"] == "text", "the pledge text")
    wording = "Train every call handler to recognise the signs of modern slavery."
    page.keyboard.type(wording)
    keys.tab_to(lambda f: f["tag"] == "button" and "Record the pledge" in f["text"], "Record")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)
    keys.assert_focus_always_visible()

    pledge = Pledge.objects.get(text=wording)
    assert pledge.agency.slug == "west-midlands-police"
    assert page.url.endswith(f"/pledges/{pledge.pk}/")


def test_the_focus_check_can_fail(page, demo_site):
    """An element styled without outline or shadow is reported as invisible focus."""
    page.goto("/accounts/login/")
    page.evaluate(
        """() => { const el = document.querySelector('input[name=login]');
                   el.style.setProperty('outline', 'none', 'important');
                   el.style.setProperty('box-shadow', 'none', 'important'); }"""
    )
    keys = Keyboard(page)
    keys.tab_to(lambda f: f["name"] == "login", "the email field")
    with pytest.raises(AssertionError, match="focus is not visible"):
        keys.assert_focus_always_visible()
