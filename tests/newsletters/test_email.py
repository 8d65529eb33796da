"""The newsletter email: branded HTML built for mail clients, and a readable text part."""

import re
from html.parser import HTMLParser

import pytest
from django.core import mail

from events.models import Event
from network.models import Resource
from newsletters import emails, sending
from newsletters.plaintext import References, html_to_text
from tests.factories import (
    AgencyFactory,
    EventFactory,
    IssueFactory,
    ResourceFactory,
    SectionFactory,
    add_document,
    add_photo,
)
from wmasn.mail.delivery import deliver_due


@pytest.fixture
def issue(db):
    issue = IssueFactory(title="December 2017", slug="december-2017", summary="Our final issue.")
    event = EventFactory(
        title="National Human Trafficking Awareness Day",
        kind=Event.Kind.AWARENESS_DAY,
        registration_url="https://www.eventbrite.co.uk/e/sandwell-41080785736",
    )
    welcome = SectionFactory(
        issue=issue,
        order=10,
        heading="Welcome",
        body_format="html",
        body=(
            "<p>This year we achieved <strong>so much</strong>: see the "
            '<a href="https://www.example.org/survey">survey</a> &amp; more.</p>'
            "<h3>Thanks</h3><ul><li><p>venue providers</p></li><li><p>speakers</p></li></ul>"
            "<ol><li><p>first</p></li><li><p>second</p></li></ol>"
            '<p>Write to <a href="mailto:chair@example.org">the chair</a>.</p>'
        ),
        agency=AgencyFactory(name="Sandwell Council"),
        event=event,
    )
    add_photo(welcome, alt_text="Delegates at the conference")
    add_document(welcome, title="The Commissioner's letter")
    SectionFactory(issue=issue, order=20, heading="Dates", body="See **the** [dates](/events/).")
    ResourceFactory(kind=Resource.Kind.CONTACT, title="Robin Brierley", email="chair@example.org")
    ResourceFactory(title="Modern Slavery Helpline", phone="08000 121 700")
    return issue


@pytest.fixture
def sent(issue, member, django_capture_on_commit_callbacks):
    sending.queue_issue(issue)
    sending.send_published_issues()
    deliver_due()
    [message] = mail.outbox
    return message


def test_the_html_is_a_600px_table_layout_with_inlined_css(sent):
    html = sent.alternatives[0][0]

    assert re.search(r'<table class="container"[^>]* width="600"[^>]*max-width: 600px', html)
    assert 'style="' in html and "<h1 style=" in html
    # Only the kept block remains: dark mode and phone rules, for the clients that read it.
    assert html.count("<style") == 1
    assert "prefers-color-scheme: dark" in html and "max-width: 620px" in html
    assert '<meta name="color-scheme" content="light dark">' in html


def test_long_links_wrap_instead_of_stretching_the_table(issue, member, db):
    """A long URL under "Useful links" stretched the December 2017 email to 922 px."""
    long_url = "https://www.gov.uk/government/publications/" + "human-trafficking-" * 6 + "forms"
    SectionFactory(issue=issue, order=30, heading="Useful links", body=f"<{long_url}>")
    html = emails.render_issue(
        issue, unsubscribe_url="http://testserver/u/", reason=sending.SUBSCRIBER_REASON
    ).html

    link = re.search(rf'<a href="{re.escape(long_url)}"[^>]*style="([^"]*)"', html).group(1)
    assert "overflow-wrap: anywhere" in link and "word-break: break-word" in link
    for cell in re.findall(r'<td class="content"[^>]*style="([^"]*)"', html):
        assert "overflow-wrap: anywhere" in cell


def test_the_html_has_logo_contents_photos_documents_event_contacts_and_helplines(sent, issue):
    html = sent.alternatives[0][0]
    welcome = issue.sections.get(heading="Welcome")
    photo, document = welcome.images.get(), welcome.documents.get()

    assert re.search(
        r'<img src="http://testserver/static/img/wmasn-logo.png"[^>]*alt="WMASN logo"', html
    )
    assert "In this issue" in html
    assert html.index(">Welcome</a>") < html.index(">Dates</a>")
    assert f'src="{emails.photo_url(photo, "email")}"' in html
    assert 'width="320" height="240" alt="Delegates at the conference"' in html
    assert f'href="http://testserver{document.get_absolute_url()}"' in html
    assert f"(PDF, {document.size} bytes)" in html
    assert "National Human Trafficking Awareness Day" in html
    assert 'href="https://www.eventbrite.co.uk/e/sandwell-41080785736"' in html
    assert f'href="http://testserver{welcome.event.get_absolute_url()}"' in html
    assert "From Sandwell Council" in html
    assert "Robin Brierley" in html and "Network contacts" in html
    assert "Modern Slavery Helpline" in html and "08000 121 700" in html
    assert 'href="http://testserver/events/"' in html, "relative links are made absolute"


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def test_every_image_in_the_email_has_alt_width_height_and_an_absolute_url(sent):
    parser = _Images()
    parser.feed(sent.alternatives[0][0])

    assert len(parser.images) == 2
    for image in parser.images:
        assert image["src"].startswith("http://testserver/")
        assert image["alt"]
        assert image["width"].isdigit() and image["height"].isdigit()


def test_the_text_part_is_readable_text_with_numbered_links(sent, issue):
    text = sent.body
    document = issue.sections.get(heading="Welcome").documents.get()

    for syntax in ["**", "](", "<", ">", "&amp;", "&lt;", "###", "__"]:
        assert syntax not in text, syntax
    assert "This year we achieved so much: see the survey [1] & more." in text
    assert "\nTHANKS\n" in text
    assert "• venue providers\n• speakers" in text
    assert "1. first\n2. second" in text
    assert "Write to the chair (chair@example.org)." in text
    assert "[1] https://www.example.org/survey" in text
    assert f"The Commissioner's letter (PDF, {document.size} bytes) [" in text
    assert "(Photo: Delegates at the conference)" in text
    assert "Event: National Human Trafficking Awareness Day" in text
    assert "IN THIS ISSUE\n\n1. Welcome\n2. Dates\n" in text
    assert "\n\n\n" not in text and " \n" not in text
    assert "HELPLINES" in text and "Modern Slavery Helpline: 08000 121 700" in text
    assert "See the dates [" in text, "old Markdown sections are text too"
    numbered = re.findall(r"^\[(\d+)\] (\S+)$", text, re.MULTILINE)
    assert [int(n) for n, _ in numbered] == list(range(1, len(numbered) + 1))
    for n, url in numbered:
        assert f"[{n}]" in text.split("\nLINKS\n")[0], f"reference {n} is used in the text"
        assert url.startswith(("http://", "https://"))


def test_a_member_email_says_why_and_has_one_click_unsubscribe(sent):
    assert "because you are a member" in sent.body
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = "<http://testserver/account/notifications/unsubscribe/"
    assert sent.extra_headers["List-Unsubscribe"].startswith(link)


def test_published_issue_emails_link_files_without_keys(sent):
    assert "?key=" not in sent.alternatives[0][0]


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>A <em>b</em> c</p>", "A b c"),
        ('<p><a href="https://x.example/">https://x.example/</a></p>', "https://x.example/"),
        ('<p><a href="tel:+448000121700">08000 121 700</a></p>', "08000 121 700 (+448000121700)"),
        ("<blockquote><p>Quoted</p></blockquote>", "  Quoted"),
        ('<p><img src="/x.jpg" alt="A donkey"></p>', "(Photo: A donkey)"),
        ("<p>one<br>two</p>", "one two"),
        (
            "<p>" + "word " * 30 + "</p>",
            ("word " * 14).strip() + "\n" + ("word " * 14).strip() + "\nword word",
        ),
    ],
)
def test_html_to_text(html, text):
    assert html_to_text(html, References()) == text


def test_the_same_link_gets_one_number():
    references = References()
    text = html_to_text(
        '<p><a href="https://a.example/">a</a> <a href="https://a.example/">again</a></p>',
        references,
    )
    assert text == "a [1] again [1]"
    assert references.urls == ["https://a.example/"]


def test_render_issue_for_a_subscriber_says_why(issue):
    rendered = emails.render_issue(
        issue, unsubscribe_url="http://testserver/u/", reason=sending.SUBSCRIBER_REASON
    )
    assert "because you subscribed" in rendered.text
    assert "because you subscribed" in rendered.html


@pytest.mark.parametrize(
    "when",
    [
        {"all_day": True, "days": 2},  # ends_at is the exclusive end: 11 to 12 January
        {"all_day": False, "days": 0},
    ],
    ids=["all-day-two-days", "timed"],
)
def test_the_email_says_when_as_the_event_page_does(anon_client, db, when):
    import datetime as dt

    from django.utils import timezone

    from events import times

    start = timezone.make_aware(dt.datetime(2018, 1, 11, 9, 30))
    event = EventFactory(
        title="Awareness day",
        all_day=when["all_day"],
        starts_at=start,
        ends_at=start + dt.timedelta(days=when["days"], hours=6, minutes=30),
    )
    issue = IssueFactory()
    SectionFactory(issue=issue, event=event)
    [section] = emails.issue_context(issue, unsubscribe_url="u", reason="r")["sections"]
    page = anon_client.get(event.get_absolute_url()).content.decode()
    assert section.event["when"] == str(times.event_span(event))
    assert section.event["when"] in page
