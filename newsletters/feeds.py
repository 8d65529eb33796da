"""The Atom feed of published issues."""

from django.contrib.syndication.views import Feed
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from wmasn.links import absolute_url

from .markdown import render_body
from .models import Issue

FEED_LENGTH = 20


class IssueFeed(Feed):
    feed_type = Atom1Feed
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
        return absolute_url(item.get_absolute_url())

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        # An issue edited after publication shows the edit; never earlier than publication.
        return max(item.updated_at, item.publish_at)
