"""Keep cached feeds current: any save or delete of what a feed reads bumps the feed version."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from events.feeds import bump_feed_version


def feed_changed(sender, **kwargs):
    bump_feed_version()


def venue_saved(sender, instance, **kwargs):
    # The venue's address is part of its events' LOCATION: touching updated_at moves their
    # DTSTAMP and LAST-MODIFIED and changes the feed state every process computes.
    from events.models import Event

    Event.objects.filter(venue=instance).update(updated_at=timezone.now())
    bump_feed_version()


def document_deleted(sender, instance, **kwargs):
    # Only once the row is gone for good: a rolled-back delete keeps its file.
    transaction.on_commit(instance.delete_stored_files)


def connect():
    from events.models import Event, EventDocument, Venue
    from network.models import Agency, GroupMembership, WorkingGroup
    from network.signals import rows_updated

    for model in (Event, Agency, WorkingGroup, GroupMembership):
        post_save.connect(feed_changed, sender=model, dispatch_uid=f"feed-{model.__name__}-save")
        post_delete.connect(
            feed_changed, sender=model, dispatch_uid=f"feed-{model.__name__}-delete"
        )
        rows_updated.connect(
            feed_changed, sender=model, dispatch_uid=f"feed-{model.__name__}-update"
        )
    post_save.connect(venue_saved, sender=Venue, dispatch_uid="feed-Venue-save")
    post_delete.connect(feed_changed, sender=Venue, dispatch_uid="feed-Venue-delete")
    post_delete.connect(
        document_deleted, sender=EventDocument, dispatch_uid="event-document-delete"
    )
