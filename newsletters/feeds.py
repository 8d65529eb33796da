"""The Atom feed of published issues.

Feed readers poll it, so it answers conditional requests: a strong ETag (the body's hash) and
Last-Modified (the newest entry's update), and a 304 for If-None-Match or If-Modified-Since.

Atom ids must never change (RFC 4287 4.2.6), even when the portal moves to another address
(SITE_URL), so they are tag URIs (RFC 4151) fixed at an issue's creation, not its link.
"""

import datetime as dt
import hashlib

from django.contrib.syndication.views import Feed
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from wmasn.links import absolute_url

from .markdown import render_body
from .models import Issue

FEED_LENGTH = 20
# The tagging authority and date of every id in the feed; the same name event UIDs use.
TAG_AUTHORITY = "wmasn-portal"
FEED_ID = f"tag:{TAG_AUTHORITY},2017-12-01:newsletters"
# An empty feed's <updated>: fixed, so its body (and ETag) stays the same until an issue.
EMPTY_FEED_UPDATED = dt.datetime(2017, 12, 1, tzinfo=dt.UTC)


def entry_id(issue):
    """The issue's Atom id: its creation date and primary key, neither of which ever changes."""
    created = timezone.localdate(issue.created_at)
    return f"tag:{TAG_AUTHORITY},{created.isoformat()}:newsletters/issue/{issue.pk}"


def entry_updated(issue):
    # An issue edited after publication shows the edit; never earlier than publication.
    return max(issue.updated_at, issue.publish_at)


class StableAtom1Feed(Atom1Feed):
    def latest_post_date(self):
        # Django falls back to the time of the request, which would change every body.
        return super().latest_post_date() if self.items else EMPTY_FEED_UPDATED


class IssueFeed(Feed):
    feed_type = StableAtom1Feed
    feed_guid = FEED_ID
    title = "West Midlands Anti Slavery Network newsletter"
    subtitle = "Newsletter issues of the West Midlands Anti Slavery Network."
    author_name = "West Midlands Anti Slavery Network"

    def link(self):
        return absolute_url(reverse("newsletters:issue-list"))

    def feed_url(self):
        return absolute_url(reverse("newsletters:feed"))

    def items(self):
        return (
            Issue.objects.published()
            .order_by("-publish_at", "-pk")
            .prefetch_related("sections__images", "sections__documents")[:FEED_LENGTH]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        """The whole issue as HTML: feed readers show its sections, photos and documents,
        with absolute addresses since a feed has no page to be relative to."""
        site = absolute_url("")
        sections = [
            {
                "heading": section.heading,
                "html": render_body(section, base_url=site),
                "images": section.images.all(),
                "documents": section.documents.all(),
            }
            for section in item.sections.all()
        ]
        return render_to_string(
            "newsletters/feed_item.html", {"issue": item, "sections": sections, "site": site}
        )

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item):
        return entry_id(item)

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return entry_updated(item)


@require_safe
def issue_feed(request):
    """The Atom feed with validators; a 304 when the reader's copy is current."""
    feed = IssueFeed()
    response = feed(request)
    items = list(feed.items())
    last_modified = int(max(map(entry_updated, items), default=EMPTY_FEED_UPDATED).timestamp())
    etag = '"' + hashlib.sha256(response.content).hexdigest() + '"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    return get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=response
    )
