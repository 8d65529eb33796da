"""Keep cached feeds current.

- Any change to what a feed reads (events, venues, agencies, working groups and their
  members) bumps the feed version: per object through post_save/post_delete, and for
  QuerySet.update(), bulk_create() and bulk_update() through wmasn.changes.rows_changed.
- Any change to what decides whether a personal link works (calendar tokens, memberships,
  users and their groups, agencies) bumps the access version, so no cached check
  outlives it: a revoked link or an ended membership is a 404 on the next request.
- A restore (wmasn.changes.data_replaced) bumps both for the database it replaced.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from events.feed_cache import bump_access_version, bump_feed_version
from wmasn.changes import data_replaced, identity_of, rows_changed


def feed_changed(sender, **kwargs):
    bump_feed_version()


def access_changed(sender, **kwargs):
    bump_access_version()


def user_saved(sender, update_fields=None, **kwargs):
    # Logging in saves last_login alone: that changes nothing a feed link depends on.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    bump_access_version()


def venue_saved(sender, instance, **kwargs):
    # The venue's address is part of its events' LOCATION: touching updated_at moves their
    # DTSTAMP and LAST-MODIFIED, so calendar apps see that those VEVENTs changed.
    from events.models import Event

    Event.objects.filter(venue=instance).update(updated_at=timezone.now())
    bump_feed_version()


def bulk_changed(sender, **kwargs):
    if sender in _feed_models():
        bump_feed_version()
    if sender in _access_models():
        bump_access_version()


def database_replaced(sender, database=None, **kwargs):
    identity = identity_of(database) if database is not None else None
    bump_feed_version(identity)
    bump_access_version(identity)


def _feed_models():
    """What a feed reads: the events, every model a VEVENT is made from (derived from the
    fragments' own FRAGMENT_RELATIONS, so a relation added there is followed here), and the
    group memberships that choose which events a group-scoped or personal feed lists."""
    from events.feeds import FRAGMENT_RELATIONS
    from events.models import Event
    from network.models import GroupMembership

    made_from = {Event._meta.get_field(name).related_model for name in FRAGMENT_RELATIONS}
    return {Event, *made_from, GroupMembership}


def _access_models():
    from django.contrib.auth.models import Group

    from events.models import CalendarToken
    from network.models import Agency, Membership, User

    return {CalendarToken, Membership, User, Agency, Group}


def cache_writes_lost(sender, **kwargs):
    # A version bump may have been lost while the cache was away: feeds and link checks
    # cached before the outage must not come back as current.
    bump_feed_version()
    bump_access_version()


def document_deleted(sender, instance, **kwargs):
    # Only once the row is gone for good: a rolled-back delete keeps its file.
    transaction.on_commit(instance.delete_stored_files)


def connect():

    from events.models import EventDocument, Venue
    from network.models import User
    from wmasn.cache import writes_lost

    for model in _feed_models():
        name = model.__name__
        # A venue's change also moves its events' LAST-MODIFIED (venue_saved).
        saved = venue_saved if model is Venue else feed_changed
        post_save.connect(saved, sender=model, dispatch_uid=f"feed-{name}-save")
        post_delete.connect(feed_changed, sender=model, dispatch_uid=f"feed-{name}-delete")

    for model in _access_models() - {User}:
        name = model.__name__
        post_save.connect(access_changed, sender=model, dispatch_uid=f"access-{name}-save")
        post_delete.connect(access_changed, sender=model, dispatch_uid=f"access-{name}-delete")
    post_save.connect(user_saved, sender=User, dispatch_uid="access-User-save")
    post_delete.connect(access_changed, sender=User, dispatch_uid="access-User-delete")
    m2m_changed.connect(
        access_changed, sender=User.groups.through, dispatch_uid="access-User-groups"
    )

    post_delete.connect(
        document_deleted, sender=EventDocument, dispatch_uid="event-document-delete"
    )
    writes_lost.connect(cache_writes_lost, dispatch_uid="feed-cache-writes-lost")
    rows_changed.connect(bulk_changed, dispatch_uid="feeds-rows-changed")
    data_replaced.connect(database_replaced, dispatch_uid="feeds-data-replaced")
