"""The chair writes and publishes an issue in the admin; readers find it in the archive."""

from io import StringIO

import pytest

from network.demo import load_agencies
from newsletters.demo import load_newsletters
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, OfficerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_chair_publishes_an_issue_that_appears_in_the_archive(page):
    OfficerFactory(email="chair@example.org")
    log_in(page, "chair@example.org", PASSWORD)

    page.goto("/admin/newsletters/issue/add/")
    page.locator("#id_title").fill("April 2018")
    page.locator("#id_slug").fill("april-2018")
    page.locator("#id_issue_date").fill("01/04/2018")
    page.locator("#id_summary").fill("Spring news from the network.")
    page.locator("#id_status").select_option("published")
    page.locator("#id_sections-0-order").fill("10")
    page.locator("#id_sections-0-heading").fill("Welcome to spring")
    page.locator(".prose-editor [contenteditable=true]").first.click()
    page.keyboard.type("The network meets on ")
    page.locator(".prose-menubar [data-name='bold']").first.click()
    page.keyboard.type("17 May")
    page.locator("input[name=_save]").click()
    page.wait_for_load_state()
    assert "was added successfully" in page.content()

    page.goto("/newsletters/")
    assert page.locator("h1").inner_text() == "Newsletter"
    assert_accessible(page)
    page.get_by_role("link", name="April 2018").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "April 2018"
    assert page.locator("h2", has_text="Welcome to spring").is_visible()
    assert page.locator(".newsletter-body strong").inner_text() == "17 May"
    assert_accessible(page)

    # Printed, the issue is its content alone.
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".breadcrumb").is_visible()
    assert page.locator("h2", has_text="Welcome to spring").is_visible()


def test_demo_issue_reads_well_on_a_phone(phone_page):
    load_agencies(stdout=StringIO())
    load_newsletters(stdout=StringIO())
    phone_page.goto("/newsletters/december-2017/")
    assert phone_page.locator("h1").inner_text() == "December 2017"
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert_accessible(phone_page)
    phone_page.goto("/newsletters/")
    assert_accessible(phone_page)


@pytest.mark.parametrize("width", [600, 320])
def test_the_december_2017_email_fits_600_and_320_px(browser, width):
    """A long URL under "Useful links" once stretched the email to 922 px at both widths."""
    from newsletters import emails, sending
    from newsletters.models import Issue

    load_agencies(stdout=StringIO())
    load_newsletters(stdout=StringIO())
    html = emails.render_issue(
        Issue.objects.get(slug="december-2017"),
        unsubscribe_url="http://testserver/u/",
        reason=sending.SUBSCRIBER_REASON,
    ).html
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.set_content(html)
        assert page.evaluate("document.body.scrollWidth") <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
