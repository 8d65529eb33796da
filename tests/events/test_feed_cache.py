"""The feed cache: the first request after a change carries it, one build per change however
many pollers ask, 304s without bodies, fragments per event, exact cached link checks, keys
that know their database, and versions that follow bulk writes."""

import datetime as dt
import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from events import feed_cache, feeds, ics
from events.models import CalendarToken, Event, Venue
from network.models import Agency, GroupMembership, Membership, WorkingGroup
from tests.factories import (
    AgencyFactory,
    EventFactory,
    GroupMembershipFactory,
    VenueFactory,
    WorkingGroupFactory,
    calendar_token_for,
)
from tests.servers import free_port
from wmasn.changes import data_replaced, identity_of

PUBLIC = "/calendar.ics"


def personal_url(raw):
    return f"/calendar/{raw}.ics"


# --- the first request after a change carries it --------------------------------------------


def cancel(event):
    event.cancel("The room flooded.")
    return b"STATUS:CANCELLED"


def move(event):
    event.starts_at += dt.timedelta(days=7, hours=1)
    event.ends_at += dt.timedelta(days=7, hours=1)
    event.save()
    return ics.ics_datetime(event.starts_at).strftime("%Y%m%dT%H%M%S").encode()


def rename(event):
    event.title = "Renamed meeting"
    event.save()
    return b"Renamed meeting"


def rename_in_bulk(event):
    Event.objects.filter(pk=event.pk).update(title="Renamed in bulk")
    return b"Renamed in bulk"


def rename_organiser(event):
    event.organiser.name = "Renamed agency"
    event.organiser.save()
    return b"Renamed agency"


def rename_organiser_in_bulk(event):
    Agency.objects.filter(pk=event.organiser_id).update(name="Agency renamed in bulk")
    return b"Agency renamed in bulk"


def delete(event):
    event.delete()
    return None


CHANGES = [cancel, move, rename, rename_in_bulk, rename_organiser, rename_organiser_in_bulk, delete]


@pytest.fixture
def meeting(db):
    return EventFactory(title="Network meeting", organiser=AgencyFactory(name="Sandwell Council"))


def unfolded(response):
    return response.content.replace(b"\r\n ", b"")


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_the_first_public_request_after_a_change_carries_it(anon_client, meeting, change):
    first = anon_client.get(PUBLIC)
    carried = change(meeting)
    response = anon_client.get(PUBLIC, headers={"If-None-Match": first["ETag"]})
    assert response.status_code == 200
    if carried is None:
        assert b"BEGIN:VEVENT" not in response.content
    else:
        assert carried in unfolded(response)


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_the_first_personal_request_after_a_change_carries_it(anon_client, member, meeting, change):
    _, raw = calendar_token_for(member)
    first = anon_client.get(personal_url(raw))
    carried = change(meeting)
    response = anon_client.get(personal_url(raw), headers={"If-None-Match": first["ETag"]})
    assert response.status_code == 200
    if carried is None:
        assert b"BEGIN:VEVENT" not in response.content
    else:
        assert carried in unfolded(response)


@pytest.mark.parametrize("how", ["save", "update"])
def test_a_venue_change_reaches_the_members_feed_on_the_first_request(anon_client, member, how):
    event = EventFactory(venue__town="Oldbury")
    _, raw = calendar_token_for(member)
    assert b"Oldbury" in unfolded(anon_client.get(personal_url(raw)))
    if how == "save":
        event.venue.town = "Walsall"
        event.venue.save()
    else:
        Venue.objects.filter(pk=event.venue_id).update(town="Walsall")
    body = unfolded(anon_client.get(personal_url(raw)))
    assert b"Walsall" in body and b"Oldbury" not in body


def test_another_venue_reaches_the_members_feed_on_the_first_request(anon_client, member):
    event = EventFactory(venue__name="Council House")
    _, raw = calendar_token_for(member)
    assert b"Council House" in unfolded(anon_client.get(personal_url(raw)))
    event.venue = VenueFactory(name="Police Headquarters")
    event.save()
    body = unfolded(anon_client.get(personal_url(raw)))
    assert b"Police Headquarters" in body and b"Council House" not in body


def test_a_new_sending_address_is_the_organizer_on_the_first_request(anon_client, db, settings):
    EventFactory()
    assert b"portal@example.org" in unfolded(anon_client.get(PUBLIC))
    # A new setting comes with a restart: nothing bumps the feed version.
    settings.DEFAULT_FROM_EMAIL = "WMASN <calendar@wmasn.example.org>"
    body = unfolded(anon_client.get(PUBLIC))
    assert b"calendar@wmasn.example.org" in body and b"portal@example.org" not in body


def test_a_new_site_url_is_in_the_links_on_the_first_request(anon_client, db, settings):
    EventFactory()
    anon_client.get(PUBLIC)
    settings.SITE_URL = "https://portal.wmasn.example.org"
    assert b"https://portal.wmasn.example.org/events/" in unfolded(anon_client.get(PUBLIC))


# --- group-scoped: a group's meetings in its members' personal feeds -------------------------


@pytest.fixture
def group_meeting(member):
    group = WorkingGroupFactory(name="Rescue pathway group")
    GroupMembershipFactory(group=group, user=member)
    return EventFactory(title="Rescue pathway meeting", working_group=group)


def test_a_group_meeting_cancelled_is_in_the_first_request(anon_client, member, group_meeting):
    _, raw = calendar_token_for(member)
    assert b"Rescue pathway meeting" in anon_client.get(personal_url(raw)).content
    group_meeting.cancel("Postponed.")
    assert b"STATUS:CANCELLED" in anon_client.get(personal_url(raw)).content


@pytest.mark.parametrize("how", ["hide", "hide-in-bulk", "leave"])
def test_leaving_a_group_or_hiding_it_is_in_the_first_request(
    anon_client, member, group_meeting, how
):
    _, raw = calendar_token_for(member)
    assert b"Rescue pathway meeting" in anon_client.get(personal_url(raw)).content
    membership = GroupMembership.objects.get(user=member)
    if how == "hide":
        membership.show_in_calendar = False
        membership.save()
    elif how == "hide-in-bulk":
        GroupMembership.objects.filter(user=member).update(show_in_calendar=False)
    else:
        membership.delete()
    assert b"Rescue pathway meeting" not in anon_client.get(personal_url(raw)).content


def test_joining_a_group_is_in_the_first_request(anon_client, member, other_member):
    group = WorkingGroupFactory()
    EventFactory(title="Joined group meeting", working_group=group)
    _, raw = calendar_token_for(other_member)
    assert b"Joined group meeting" not in anon_client.get(personal_url(raw)).content
    GroupMembershipFactory(group=group, user=other_member)
    assert b"Joined group meeting" in anon_client.get(personal_url(raw)).content


def test_closing_a_group_in_bulk_is_in_the_first_request(anon_client, member, group_meeting):
    _, raw = calendar_token_for(member)
    assert b"Rescue pathway meeting" in anon_client.get(personal_url(raw)).content
    WorkingGroup.objects.update(status=WorkingGroup.Status.CLOSED)
    assert b"Rescue pathway meeting" not in anon_client.get(personal_url(raw)).content


# --- one build per change, and every poller gets it ------------------------------------------


class SlowKind(feeds.FeedKind):
    """A feed whose build is slow and counted, to race pollers against it."""

    def __init__(self, body=b"old", seconds=0.3):
        super().__init__(
            "slow", None, members=False, title="", description="", filename="s.ics", private=False
        )
        self.body = body
        self.seconds = seconds
        self.builds = 0
        self._count = threading.Lock()

    def build(self, as_of, *, use_cache=True):
        with self._count:
            self.builds += 1
        time.sleep(self.seconds)
        built = feeds.Built()
        built.write(self.body)
        return built.finish()


def race(kind, pollers):
    """`pollers` requests for the feed at once: (the body each got, its seconds)."""
    results, errors = [], []
    start = threading.Barrier(pollers)

    def poll():
        try:
            start.wait()
            started = time.monotonic()
            feed = feeds.current_feed(kind)
            results.append((feeds.body(kind, feed), time.monotonic() - started))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=poll) for _ in range(pollers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    return results


def gunzipped(results):
    import gzip

    return {gzip.decompress(body) for body, _ in results}


def test_eight_pollers_after_a_change_cause_one_build_and_all_get_the_change(db):
    kind = SlowKind(body=b"old")
    feeds.current_feed(kind)
    kind.body = b"new"
    feed_cache.bump_feed_version()
    results = race(kind, 8)
    assert kind.builds == 2
    assert gunzipped(results) == {b"new"}
    # The slowest waited for the one build, and not much longer.
    assert max(seconds for _, seconds in results) < kind.seconds + 0.2


def test_many_pollers_of_a_cold_feed_make_one_build():
    kind = SlowKind(body=b"first")
    results = race(kind, 12)
    assert kind.builds == 1
    assert gunzipped(results) == {b"first"}


def test_a_poller_whose_builder_died_builds_the_feed_itself(monkeypatch):
    monkeypatch.setattr(feed_cache, "WAIT_SECONDS", 0.2)
    kind = SlowKind(body=b"built here", seconds=0)
    cache.add(feed_cache.lock_key(kind.name), "a worker that died", feed_cache.LOCK_SECONDS)
    feed = feeds.current_feed(kind)
    assert kind.builds == 1
    assert feeds.body(kind, feed) == feed.gzipped


def test_a_poller_that_waited_for_an_older_build_builds_the_newer_one(db):
    """A build under way when a change is made is not the change: the poller that saw the
    newer version builds again once the lock is free."""
    kind = SlowKind(body=b"old")
    feeds.current_feed(kind)
    cache.add(feed_cache.lock_key(kind.name), "a build of the old version", 0.2)
    kind.body = b"new"
    feed_cache.bump_feed_version()
    feed = feeds.current_feed(kind)
    assert feeds.body(kind, feed) == feed.gzipped
    assert gunzipped([(feed.gzipped, 0)]) == {b"new"}


def test_concurrent_http_pollers_after_a_change_all_get_it(transactional_db):
    """Eight requests through the whole stack right after a change: one build, all new."""
    from django.test import Client

    event = EventFactory(title="Before the change")
    Client().get(PUBLIC)
    builds = cache.get(feed_cache.builds_key())
    event.title = "After the change"
    event.save()
    bodies, errors = [], []
    start = threading.Barrier(8)

    def poll():
        try:
            start.wait()
            bodies.append(Client().get(PUBLIC).content)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=poll) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(bodies) == 8 and all(b"After the change" in body for body in bodies)
    assert cache.get(feed_cache.builds_key()) == builds + 1


# --- 304s, fragments ------------------------------------------------------------------------


def test_a_304_reads_the_validators_and_never_the_body(anon_client, db, monkeypatch):
    EventFactory()
    first = anon_client.get(PUBLIC, headers={"Accept-Encoding": "gzip"})
    calls = []
    real_get = cache.get

    def get(key, *args, **kwargs):
        calls.append([key])
        return real_get(key, *args, **kwargs)

    def get_many(keys):
        calls.append(list(keys))
        return {key: real_get(key) for key in keys if real_get(key) is not None}

    monkeypatch.setattr(cache, "get", get)
    monkeypatch.setattr(cache, "get_many", get_many)
    response = anon_client.get(
        PUBLIC, headers={"Accept-Encoding": "gzip", "If-None-Match": first["ETag"]}
    )
    assert response.status_code == 304
    # One round trip: the feed version and the validators; no body.
    assert calls == [[feed_cache.version_key(), feed_cache.validators_key("public")]]
    feed_cache.local_bodies.clear()  # another worker, which has not served it yet
    again = anon_client.get(PUBLIC, headers={"Accept-Encoding": "gzip"})
    assert [feed_cache.body_key(first["ETag"][:-4] + '"')] in calls
    assert again.content == first.content


def test_a_worker_serves_bodies_from_memory_but_always_asks_which_is_current(
    anon_client, db, monkeypatch
):
    event = EventFactory(title="Kept in memory")
    anon_client.get(PUBLIC, headers={"Accept-Encoding": "gzip"})
    body_reads = []
    real_get = cache.get
    monkeypatch.setattr(
        cache, "get", lambda key, *a, **k: body_reads.append(key) or real_get(key, *a, **k)
    )
    assert anon_client.get(PUBLIC, headers={"Accept-Encoding": "gzip"}).status_code == 200
    assert not [key for key in body_reads if ":feed-body:" in key]
    # A change made through another worker: this one's copy is of another ETag, never served.
    Event.objects.filter(pk=event.pk).update(title="Changed elsewhere")
    assert b"Changed elsewhere" in anon_client.get(PUBLIC).content


def test_one_changed_event_rebuilds_only_its_own_fragment(anon_client, db, monkeypatch):
    events = [EventFactory(title=f"Meeting {i}") for i in range(6)]
    anon_client.get(PUBLIC)
    made = []
    real = ics.vevent_fragment

    def counting(event, **kwargs):
        made.append(event.pk)
        return real(event, **kwargs)

    monkeypatch.setattr(ics, "vevent_fragment", counting)
    events[3].title = "Moved meeting"
    events[3].save()
    assert b"Moved meeting" in anon_client.get(PUBLIC).content
    assert made == [events[3].pk]


def test_a_fragment_reads_only_the_rows_it_is_keyed_on(db):
    """Building a VEVENT from an event loaded with FRAGMENT_RELATIONS makes no query, and its
    key is made from the same values as the feed's query reads: so what a fragment depends
    on is exactly what its key says."""
    group = WorkingGroupFactory()
    EventFactory(organiser=AgencyFactory(), working_group=group, online_url="https://x.org/m")
    EventFactory(venue=None)
    queryset = Event.objects.select_related(*feeds.FRAGMENT_RELATIONS).order_by("pk")
    for event, row in zip(queryset, queryset.values_list(*feeds.fragment_columns()), strict=True):
        with CaptureQueriesContext(connection) as queries:
            ics.vevent_fragment(event, members=True)
            ics.vevent_fragment(event, members=False)
        assert len(queries) == 0
        assert feeds.fragment_row(event) == row


def test_every_model_a_fragment_is_made_from_bumps_the_feed_version(db):
    """The models whose changes bump the feed version are derived from FRAGMENT_RELATIONS:
    each one's save and delete are connected, so a relation added to the fragments cannot
    be forgotten here."""
    from django.db.models.signals import post_delete, post_save

    from events import signals

    made_from = {Event._meta.get_field(name).related_model for name in feeds.FRAGMENT_RELATIONS}
    assert {Venue, Agency, WorkingGroup} <= made_from
    factories = {
        Event: EventFactory,
        Venue: VenueFactory,
        Agency: AgencyFactory,
        WorkingGroup: WorkingGroupFactory,
        GroupMembership: GroupMembershipFactory,
    }
    assert signals._feed_models() == {Event, GroupMembership} | made_from == set(factories)
    for model, factory in factories.items():
        assert post_save.has_listeners(model) and post_delete.has_listeners(model), model
        instance = factory()
        before = cache.get(feed_cache.version_key())
        instance.save()
        assert cache.get(feed_cache.version_key()) != before, model


def test_the_assembled_feed_is_byte_identical_to_a_whole_build(anon_client, db):
    for i in range(3):
        EventFactory(title=f"Meeting {i}")
    EventFactory(title="All day", all_day=True)
    anon_client.get(PUBLIC)
    EventFactory(title="One more")
    assembled = anon_client.get(PUBLIC).content  # cached fragments plus one new one
    assert assembled == ics.public_feed(now=feeds.feed_as_of())


# --- personal feeds: checks answered from the cache, exact on every change ------------------


def warm(client, raw):
    assert client.get(personal_url(raw)).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(personal_url(raw)).status_code == 200
    # Within the minute: no fetch record either, so the cache answered everything.
    assert len(queries) == 0


def test_regenerating_the_link_is_a_404_at_once_with_the_check_cached(anon_client, member):
    EventFactory()
    _, old = calendar_token_for(member)
    warm(anon_client, old)
    new = CalendarToken.regenerate_for(member).raw_token
    assert anon_client.get(personal_url(old)).status_code == 404
    assert anon_client.get(personal_url(new)).status_code == 200


@pytest.mark.parametrize("how", ["save", "update", "delete"])
def test_ending_the_membership_is_a_404_at_once_with_the_check_cached(anon_client, member, how):
    EventFactory()
    _, raw = calendar_token_for(member)
    warm(anon_client, raw)
    memberships = Membership.objects.filter(user=member)
    if how == "save":
        for membership in memberships:
            membership.status = Membership.Status.ENDED
            membership.save()
    elif how == "update":
        memberships.update(status=Membership.Status.ENDED)
    else:
        memberships.delete()
    assert anon_client.get(personal_url(raw)).status_code == 404


def test_a_deactivated_user_or_closed_agency_is_a_404_at_once(anon_client, member, other_member):
    EventFactory()
    _, raw = calendar_token_for(member)
    warm(anon_client, raw)
    member.is_active = False
    member.save()
    assert anon_client.get(personal_url(raw)).status_code == 404

    _, other_raw = calendar_token_for(other_member)
    warm(anon_client, other_raw)
    Agency.objects.filter(memberships__user=other_member).update(status=Agency.Status.PROPOSED)
    assert anon_client.get(personal_url(other_raw)).status_code == 404


def test_an_officer_removed_from_the_officers_group_loses_the_link_at_once(anon_client, officer):
    EventFactory()
    _, raw = calendar_token_for(officer)
    warm(anon_client, raw)
    officer.groups.clear()
    assert anon_client.get(personal_url(raw)).status_code == 404


def test_logging_in_keeps_the_cached_checks(anon_client, member):
    EventFactory()
    _, raw = calendar_token_for(member)
    warm(anon_client, raw)
    member.save(update_fields=["last_login"])
    with CaptureQueriesContext(connection) as queries:
        assert anon_client.get(personal_url(raw)).status_code == 200
    assert len(queries) == 0


# --- the cache key knows its database; bulk writes and restores bump the version ------------


def test_cache_keys_name_the_database(anon_client, db, monkeypatch):
    EventFactory(title="In this database")
    anon_client.get(PUBLIC)
    here = feed_cache.validators_key("public")
    assert cache.get(here) is not None
    settings_dict = dict(connections["default"].settings_dict)
    monkeypatch.setitem(connections["default"].settings_dict, "NAME", "another_database")
    there = feed_cache.validators_key("public")
    assert there != here
    assert feed_cache.database_identity() == identity_of(
        {**settings_dict, "NAME": "another_database"}
    )
    builds = cache.get(feed_cache.builds_key(), 0)
    anon_client.get(PUBLIC)
    # Nothing cached for the other database: its feed is built, not the first one's served.
    assert cache.get(feed_cache.builds_key(), 0) == builds + 1


def version():
    return cache.get(feed_cache.version_key())


@pytest.mark.parametrize(
    "write",
    [
        lambda: Event.objects.update(title="Renamed in bulk"),
        lambda: Event.objects.bulk_create(
            [EventFactory.build(slug="bulk-1", venue=None, organiser=None)]
        ),
        lambda: Event.objects.bulk_update(
            [Event(pk=Event.objects.first().pk, title="x")], ["title"]
        ),
        lambda: Venue.objects.update(name="Renamed venue"),
        lambda: Agency.objects.update(name="Renamed agency"),
        lambda: data_replaced.send(sender=None, database=connections["default"].settings_dict),
    ],
    ids=["update", "bulk_create", "bulk_update", "venue-update", "agency-update", "restore"],
)
def test_bulk_writes_and_restores_bump_the_feed_version(anon_client, agency, write):
    EventFactory()
    anon_client.get(PUBLIC)
    before = version()
    write()
    assert isinstance(version(), int) and version() > before


def test_a_restore_of_another_database_leaves_this_one_alone(db):
    feed_cache.current({}, feed_cache.version_key())
    before = version()
    data_replaced.send(sender=None, database={"ENGINE": "x", "NAME": "elsewhere"})
    assert version() == before


def test_the_restore_command_bumps_the_version_of_the_database_it_replaced(
    db, tmp_path, monkeypatch
):
    from django.core.management import call_command

    from network import backups

    target = "postgres://postgres@127.0.0.1:5432/wmasn_restored_elsewhere"
    identity = identity_of(backups.database_from_url(target))
    cache.set(feed_cache.version_key(identity), 41, None)
    monkeypatch.setattr(backups, "restore", lambda **kwargs: None)
    dump = tmp_path / "x.dump"
    dump.write_bytes(b"")
    call_command("restore_database", str(dump), "--target-url", target, "--noinput")
    assert cache.get(feed_cache.version_key(identity)) == 42


# --- without the cache, feeds are built from the database ----------------------------------


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "wmasn.cache.SharedRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        }
    }


def test_feeds_are_served_when_the_cache_is_down(anon_client, member, redis_down):
    EventFactory(title="Served anyway")
    public = anon_client.get(PUBLIC)
    assert public.status_code == 200 and b"Served anyway" in public.content
    assert anon_client.get(PUBLIC, headers={"If-None-Match": public["ETag"]}).status_code == 304
    _, raw = calendar_token_for(member)
    assert anon_client.get(personal_url(raw)).status_code == 200
    Membership.objects.filter(user=member).update(status=Membership.Status.ENDED)
    assert anon_client.get(personal_url(raw)).status_code == 404
