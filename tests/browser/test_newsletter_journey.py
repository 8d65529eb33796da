"""The chair's newsletter journey, in a browser: write a section with the toolbar, add a
photo with alt text and a PDF, preview, send a test to themselves, publish and send; then
the email (HTML and text) is checked, screenshotted at desktop and phone widths and run
through axe, and a member of the public subscribes.

Slow (about a minute), so it runs once in CI, on PostgreSQL, and skips on SQLite.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from events.models import Event
from network.models import Resource
from newsletters import sending
from newsletters.models import Issue, SectionDocument, SectionImage, Subscriber
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import (
    PASSWORD,
    EventFactory,
    MembershipFactory,
    OfficerFactory,
    ResourceFactory,
)
from tests.files import PDF_BYTES, jpeg_bytes
from wmasn.mail.delivery import deliver_due

pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="The newsletter journey is slow: it runs once in CI, on PostgreSQL.",
    ),
    pytest.mark.django_db(transaction=True),
]

SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}


def editor(page):
    return page.locator(".prose-editor [contenteditable=true]").first


def toolbar(page, name):
    return page.locator(f".prose-menubar [data-name='{name}']").first


def csp_violations(page):
    found = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and found.append(message.text),
    )
    return found


@pytest.fixture
def journey_site(live_server, settings):
    # Emails link to the live server, so that the screenshots show the photos.
    settings.SITE_URL = live_server.url
    OfficerFactory(email="chair@example.org", first_name="Robin")
    MembershipFactory(user__email="member@example.org")
    EventFactory(
        title="National Human Trafficking Awareness Day",
        slug="awareness-day-2018",
        kind=Event.Kind.AWARENESS_DAY,
        registration_url="https://www.eventbrite.co.uk/e/sandwell-41080785736",
    )
    ResourceFactory(kind=Resource.Kind.CONTACT, title="Donna Pryor", email="donna@example.org")
    ResourceFactory(title="Modern Slavery Helpline", phone="08000 121 700", hours="24 hours")
    return live_server


def write_section_with_the_toolbar(page):
    body = editor(page)
    body.click()
    page.keyboard.type("A big year")
    page.locator(".prose-menubar__selected").first.click()  # the block type menu
    page.locator(".prose-menubar__option[data-name='heading3']").click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("We achieved ")
    toolbar(page, "bold").click()
    page.keyboard.type("so much together.")
    toolbar(page, "bold").click()
    page.keyboard.press("Enter")
    toolbar(page, "bulletList").click()
    page.keyboard.type("the policy and procedure")
    page.keyboard.press("Enter")
    page.keyboard.type("the table top exercise")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("Please complete the survey")
    page.keyboard.down("Shift")
    for _ in range(len("survey")):
        page.keyboard.press("ArrowLeft")
    page.keyboard.up("Shift")
    toolbar(page, "link").click()
    page.locator("dialog input[name=href]").fill("https://www.example.org/survey")
    page.locator("dialog button[type=submit]").click()


def test_chair_writes_previews_tests_publishes_and_sends_an_issue(page, journey_site, tmp_path):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    violations = csp_violations(page)
    log_in(page, "chair@example.org", PASSWORD)

    # Write the issue and its first section with the toolbar.
    page.goto("/admin/newsletters/issue/add/")
    page.locator("#id_title").fill("January 2018")
    page.locator("#id_title").press("Tab")  # the admin fills the slug from the title
    page.locator("#id_slug").fill("january-2018")
    page.locator("#id_issue_date").fill("15/01/2018")
    page.locator("#id_summary").fill("News for the new year.")
    page.locator("#id_sections-0-order").fill("10")
    page.locator("#id_sections-0-heading").fill("Welcome")
    event = Event.objects.get(slug="awareness-day-2018")
    # The event is chosen by searching, as the admin's autocomplete offers it.
    page.locator("#id_sections-0-event + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Awareness")
    page.locator(".select2-results__option", has_text=event.title).first.click()
    assert page.locator("#id_sections-0-event").input_value() == str(event.pk)
    write_section_with_the_toolbar(page)
    # The live preview shows it as readers will, through the server's sanitiser.
    preview = page.locator("#id_sections-0-body-preview")
    preview.locator("a[href='https://www.example.org/survey']").wait_for()
    expect(preview.locator("h3")).to_have_text("A big year")
    expect(preview.locator("strong")).to_have_text("so much together.")
    expect(preview.locator("li")).to_have_count(2)
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    assert "was added successfully" in page.content()
    issue = Issue.objects.get(slug="january-2018")
    section = issue.sections.get()
    assert (
        "<h3>A big year</h3>" in section.body
        and "<strong>so much together.</strong>" in section.body
    )

    # Add a photo with alt text and consent, and a PDF, on the section's page.
    page.get_by_role("link", name="Add or change them").click()
    page.wait_for_load_state()
    photo_path, pdf_path = tmp_path / "conference.jpg", tmp_path / "letter.pdf"
    photo_path.write_bytes(jpeg_bytes((1800, 1200), gps=True))
    pdf_path.write_bytes(PDF_BYTES)
    page.locator("#id_images-0-upload").set_input_files(photo_path)
    page.locator("#id_images-0-alt_text").fill("Delegates listening to a speaker")
    page.locator("#id_images-0-consent_confirmed").check()
    page.locator("#id_documents-0-upload").set_input_files(pdf_path)
    page.locator("#id_documents-0-title").fill("The Commissioner's letter")
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    assert "was changed successfully" in page.content(), page.locator(
        ".errorlist"
    ).all_inner_texts()
    photo = SectionImage.objects.get()
    assert (photo.web_width, photo.web_height) == (1200, 800)
    assert SectionDocument.objects.get().label.startswith("PDF, ")
    assert page.locator(".field-thumbnail img").evaluate("img => img.naturalWidth") > 0

    # Preview the draft on the site, as readers will see it.
    page.goto(f"/newsletters/{issue.slug}/")
    assert "Draft: only staff can see this issue." in page.content()
    image = page.locator(".newsletter-photo img")
    assert image.get_attribute("alt") == "Delegates listening to a speaker"
    # The photo loads lazily: bring it into view and wait for it. The srcset offers the web
    # and the email rendition and the browser loads one of them (its naturalWidth is then the
    # `sizes` width, so compare the file it chose).
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    chosen = image.evaluate("img => new URL(img.currentSrc).pathname")
    assert chosen in {
        f"/newsletters/photos/{photo.pk}/{size}/{photo.filename(size)}" for size in ("web", "email")
    }
    assert page.get_by_role("link", name="The Commissioner's letter").is_visible()
    assert_accessible(page)

    # Send a test to themselves: the exact email, to the chair only.
    page.goto(f"/admin/newsletters/issue/{issue.pk}/change/")
    page.get_by_role("button", name="Send a test to me").click()
    page.wait_for_load_state()
    assert "A test of “January 2018” was sent to you at chair@example.org" in page.content()
    [test_email] = mail.outbox
    assert test_email.to == ["chair@example.org"]
    assert test_email.subject == "[Test] [WMASN] Newsletter: January 2018"

    # Publish, then send it to its audience.
    page.locator("#id_status").select_option("published")
    page.locator("input[name=_save]").click()
    page.wait_for_load_state()
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option("send_to_members")
    page.locator("button[name=index]").click()
    page.wait_for_load_state()
    # It asks first, with the audience and the number of recipients.
    assert "All members, 2 recipients" in page.locator(".newsletter-send-summary").inner_text()
    page.get_by_role("button", name="Yes, send 2 emails").click()
    page.wait_for_load_state()
    assert "2 new email(s) queued for all members" in page.content()
    assert violations == [], "the admin pages break the CSP"
    # What the mail worker does (tests run its tasks at once; this sends anything left).
    sending.send_published_issues()
    deliver_due()
    assert set(issue.deliveries.values_list("status", flat=True)) == {"sent"}
    assert issue.deliveries.count() == 2
    [email] = [m for m in mail.outbox if m.to == ["member@example.org"]]

    # The email: text that reads as text, HTML with the photo, document, event and footers.
    text, html = email.body, email.alternatives[0][0]
    assert "A BIG YEAR" in text and "We achieved so much together." in text
    assert "• the policy and procedure\n• the table top exercise" in text
    assert "Please complete the survey [1]" in text and "[1] https://www.example.org/survey" in text
    assert "(Photo: Delegates listening to a speaker)" in text
    assert "Event: National Human Trafficking Awareness Day" in text
    for syntax in ["**", "](", "<", "&amp;"]:
        assert syntax not in text
    assert f'src="{journey_site.url}/newsletters/photos/{photo.pk}/email/' in html
    [photo_tag] = re.findall(r"<img[^>]*Delegates listening[^>]*>", html)
    assert 'width="560"' in photo_tag and 'height="374"' in photo_tag
    assert "The Commissioner's letter" in html.replace("&#x27;", "'")
    assert "Donna Pryor" in html and "Modern Slavery Helpline" in html

    # Screenshots of the email at desktop and phone widths, and axe on its HTML.
    email_page = page.context.new_page()
    email_page.set_content(html, wait_until="load")
    email_page.screenshot(path=SCREENSHOT_DIR / "newsletter-email-desktop.png", full_page=True)
    assert_accessible(email_page)
    assert (
        email_page.locator("img[alt='Delegates listening to a speaker']").evaluate(
            "img => img.naturalWidth"
        )
        == 1120
    )
    email_page.set_viewport_size(PHONE)
    email_page.screenshot(path=SCREENSHOT_DIR / "newsletter-email-phone.png", full_page=True)
    overflow = email_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the email scrolls sideways on a phone"
    email_page.emulate_media(color_scheme="dark")
    email_page.screenshot(path=SCREENSHOT_DIR / "newsletter-email-dark.png", full_page=True)
    assert_accessible(email_page)


def test_a_supporter_subscribes_from_the_archive_and_confirms(page, journey_site):
    page.goto("/newsletters/")
    assert_accessible(page)
    page.get_by_label("Name").fill("Sam Supporter")
    page.get_by_label("Email address").fill("sam@example.net")
    page.get_by_label("Organisation (optional)").fill("Friends of the network")
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Check your inbox"
    assert_accessible(page)

    [message] = mail.outbox
    link = re.search(r"(/newsletters/subscribe/confirm/\S+/)", message.body)[1]
    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name="Yes, send me the newsletter").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Subscription confirmed"
    assert_accessible(page)
    assert Subscriber.objects.get(email="sam@example.net").confirmed_at is not None

    # A bad sign-up shows the error summary, and that page passes axe too.
    page.goto("/newsletters/subscribe/")
    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_load_state()
    assert "There is a problem" in page.content()
    assert_accessible(page)
