"""The Atom feed of published issues."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import Issue

FEED_LENGTH = 20


class IssueFeed(Feed):
    feed_type = Atom1Feed
    title = "West Midlands Anti Slavery Network newsletter"
    subtitle = "Newsletter issues of the West Midlands Anti Slavery Network."
    author_name = "West Midlands Anti Slavery Network"

    @staticmethod
    def _absolute(path):
        # The canonical site address, not the Sites framework's placeholder domain.
        return settings.SITE_URL.rstrip("/") + path

    def link(self):
        return self._absolute(reverse("newsletters:issue-list"))

    def feed_url(self):
        return self._absolute(reverse("newsletters:feed"))

    def items(self):
        return Issue.objects.published().order_by("-publish_at", "-pk")[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary or f"The {item.title} issue of the WMASN newsletter."

    def item_link(self, item):
        return self._absolute(item.get_absolute_url())

    def item_guid(self, item):
        return self._absolute(item.get_absolute_url())

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        # An issue edited after publication shows the edit; never earlier than publication.
        return max(item.updated_at, item.publish_at)
