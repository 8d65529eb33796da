"""The Atom feed of published issues is valid Atom with absolute links."""

import datetime as dt
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from newsletters.feeds import entry_updated
from newsletters.models import Issue
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
        assert entry.find(f"{ATOM}id").text.startswith("tag:wmasn-portal,")
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


def entry_ids(client):
    root = ET.fromstring(client.get(FEED).content)
    return root.find(f"{ATOM}id").text, [
        e.find(f"{ATOM}id").text for e in root.iter(f"{ATOM}entry")
    ]


def test_ids_do_not_change_when_site_url_does(anon_client, db, settings):
    issue = IssueFactory(publish_at=timezone.now() - dt.timedelta(days=1))
    before = entry_ids(anon_client)
    settings.SITE_URL = "https://portal.wmasn.example"
    after = entry_ids(anon_client)
    assert before == after
    created = timezone.localdate(issue.created_at).isoformat()
    assert after == (
        "tag:wmasn-portal,2017-12-01:newsletters",
        [f"tag:wmasn-portal,{created}:newsletters/issue/{issue.pk}"],
    )
    # The links do follow the new address.
    assert b"https://portal.wmasn.example/newsletters/" in anon_client.get(FEED).content


def test_ids_do_not_change_when_an_issue_is_edited_or_renamed(anon_client, db):
    issue = IssueFactory(slug="march-2018", publish_at=timezone.now() - dt.timedelta(days=1))
    before = entry_ids(anon_client)
    issue.slug, issue.title = "march-2018-corrected", "March 2018 (corrected)"
    issue.save()
    assert entry_ids(anon_client) == before


@pytest.fixture
def published(db):
    issue = IssueFactory(publish_at=timezone.now() - dt.timedelta(days=2))
    # Last edited a day ago, so that a change now has a later Last-Modified second.
    Issue.objects.filter(pk=issue.pk).update(updated_at=timezone.now() - dt.timedelta(days=1))
    issue.refresh_from_db()
    return issue


def test_feed_has_validators_and_answers_if_none_match_with_304(anon_client, published):
    first = anon_client.get(FEED)
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and etag.endswith('"')
    again = anon_client.get(FEED, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert anon_client.get(FEED)["ETag"] == etag  # byte-stable while nothing changes
    assert anon_client.get(FEED, headers={"If-None-Match": '"other"'}).status_code == 200
    assert last_modified == http_date(int(entry_updated(published).timestamp()))


def test_feed_answers_if_modified_since_with_304(anon_client, published):
    last_modified = anon_client.get(FEED)["Last-Modified"]
    assert anon_client.get(FEED, headers={"If-Modified-Since": last_modified}).status_code == 304
    earlier = http_date(int(entry_updated(published).timestamp()) - 60)
    assert anon_client.get(FEED, headers={"If-Modified-Since": earlier}).status_code == 200


def test_a_new_issue_changes_the_validators(anon_client, published):
    first = anon_client.get(FEED)
    IssueFactory(publish_at=timezone.now() - dt.timedelta(minutes=5))
    headers = {"If-None-Match": first["ETag"], "If-Modified-Since": first["Last-Modified"]}
    second = anon_client.get(FEED, headers=headers)
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert parsedate_to_datetime(second["Last-Modified"]) > parsedate_to_datetime(
        first["Last-Modified"]
    )


def test_an_issue_reaching_its_publish_time_changes_the_validators(anon_client, published):
    first = anon_client.get(FEED)
    later = timezone.now() + dt.timedelta(hours=1)
    IssueFactory(publish_at=later)
    assert anon_client.get(FEED, headers={"If-None-Match": first["ETag"]}).status_code == 304
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later + dt.timedelta(minutes=1))
        response = anon_client.get(FEED, headers={"If-Modified-Since": first["Last-Modified"]})
    assert response.status_code == 200


def test_empty_feed_is_byte_stable(anon_client, db):
    first = anon_client.get(FEED)
    assert anon_client.get(FEED).content == first.content
    assert anon_client.get(FEED, headers={"If-None-Match": first["ETag"]}).status_code == 304


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_feed_refuses_other_methods(anon_client, db, method):
    assert getattr(anon_client, method)(FEED).status_code == 405


def test_head_has_the_validators_and_no_body(anon_client, published):
    get = anon_client.get(FEED)
    head = anon_client.head(FEED)
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == get["ETag"]


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
