"""What every page has: a favicon at the site's root and a meta description."""

import re

import pytest
from django.urls import reverse

from tests.factories import EventFactory, IssueFactory

pytestmark = pytest.mark.django_db

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]{20,})">')


@pytest.fixture
def pages(db):
    event = EventFactory(slug="network-meeting")
    issue = IssueFactory(slug="december-2017", summary="News from the network in December.")
    return [
        reverse("home"),
        event.get_absolute_url(),
        reverse("events:event-list"),
        reverse("network:agency-list"),
        reverse("pledges:pledge-list"),
        reverse("newsletters:issue-list"),
        issue.get_absolute_url(),
        reverse("survey:service-list"),
        reverse("account_login"),
        "/no-such-page/",
    ]


def test_favicon_is_served_at_the_site_root(client_for_role, role):
    response = client_for_role(role).get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"


def test_every_page_has_a_meta_description_and_links_the_favicon(pages, client_for_role, role):
    client = client_for_role(role)
    for url in pages:
        html = client.get(url, follow=True).content.decode()
        assert len(DESCRIPTION.findall(html)) == 1, url
        assert '<link rel="icon" href="/favicon.ico"' in html, url


def test_an_issue_page_describes_itself_with_its_summary(pages, anon_client):
    html = anon_client.get(pages[6]).content.decode()

    assert DESCRIPTION.search(html).group(1) == "News from the network in December."


def test_admin_pages_have_a_meta_description(officer_client):
    html = officer_client.get(reverse("admin:index")).content.decode()

    assert len(DESCRIPTION.findall(html)) == 1


def test_pages_load_the_built_bootstrap_css_not_the_whole_of_it(anon_client, settings):
    """232 KB of Bootstrap, most of it unused, blocked rendering; `make static` builds the
    parts the pages use (docs/quality.md)."""
    html = anon_client.get("/").content.decode()

    assert '<link rel="stylesheet" href="/static/css/bootstrap.min.css">' in html
    assert "/static/bootstrap/css/" not in html
    built = settings.BASE_DIR / "static" / "css" / "bootstrap.min.css"
    assert built.stat().st_size < 80_000
