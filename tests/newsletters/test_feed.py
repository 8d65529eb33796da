"""The Atom feed of published issues is valid Atom with absolute links."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import DraftIssueFactory, IssueFactory

ATOM = "{http://www.w3.org/2005/Atom}"
FEED = reverse("newsletters:feed")


def parse_datetime(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def feed(anon_client, db):
    now = timezone.now()
    IssueFactory(
        title="December 2017",
        slug="december-2017",
        summary="Our final newsletter of 2017 & more <news>.",
        publish_at=now - dt.timedelta(days=30),
    )
    IssueFactory(title="March 2018", slug="march-2018", publish_at=now - dt.timedelta(days=1))
    DraftIssueFactory(title="Secret draft")
    response = anon_client.get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def test_feed_is_atom_with_required_elements(feed):
    assert feed.tag == f"{ATOM}feed"
    for name in ["id", "title", "updated"]:
        assert feed.find(f"{ATOM}{name}") is not None and feed.find(f"{ATOM}{name}").text
    parse_datetime(feed.find(f"{ATOM}updated").text)
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "http://testserver/newsletters/feed/"
    alternate = feed.find(f"{ATOM}link[@rel='alternate']")
    assert alternate.get("href") == "http://testserver/newsletters/"
    assert feed.find(f"{ATOM}author/{ATOM}name").text


def test_entries_are_published_issues_newest_first_with_absolute_links(feed):
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["March 2018", "December 2017"]
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.startswith("http://testserver/newsletters/")
        link = entry.find(f"{ATOM}link")
        assert link.get("href").startswith("http://testserver/newsletters/")
        assert link.get("rel") == "alternate"
        updated = parse_datetime(entry.find(f"{ATOM}updated").text)
        published = parse_datetime(entry.find(f"{ATOM}published").text)
        assert updated >= published
        assert updated.tzinfo is not None
        assert entry.find(f"{ATOM}summary").text


def test_summary_is_html_with_the_summary_escaped(feed):
    december = feed.findall(f"{ATOM}entry")[1]
    summary = december.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    # The summary is text inside the HTML: "<news>" stays words, never a tag.
    assert "<p>Our final newsletter of 2017 &amp; more &lt;news&gt;.</p>" in summary.text


def test_feed_updated_is_the_latest_entry(feed):
    entries = [parse_datetime(e.find(f"{ATOM}updated").text) for e in feed.findall(f"{ATOM}entry")]
    assert parse_datetime(feed.find(f"{ATOM}updated").text) == max(entries)


def test_empty_feed_is_still_valid(anon_client, db):
    root = ET.fromstring(anon_client.get(FEED).content)
    assert root.tag == f"{ATOM}feed"
    assert root.findall(f"{ATOM}entry") == []


def test_feed_entries_carry_photos_and_documents_with_absolute_addresses(db, client):
    from xml.etree import ElementTree

    from tests.factories import IssueFactory, SectionFactory, add_document, add_photo

    section = SectionFactory(issue=IssueFactory(title="With photos"))
    photo, document = add_photo(section), add_document(section)

    feed = ElementTree.fromstring(client.get("/newsletters/feed/").content)
    [entry] = [
        e for e in feed.findall(f"{ATOM}entry") if e.find(f"{ATOM}title").text == "With photos"
    ]
    summary = entry.find(f"{ATOM}summary").text
    assert f'<img src="http://testserver{photo.get_absolute_url()}"' in summary
    assert f'width="{photo.web_width}" height="{photo.web_height}"' in summary
    assert f'alt="{photo.alt_text}"' in summary
    assert f'href="http://testserver{document.get_absolute_url()}"' in summary
    assert f"({document.label})" in summary
