"""The feed cache: one build per change, 304s without bodies, exact cached link checks,
keys that know their database, and versions that follow bulk writes."""

import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from events import feeds, ics
from events.models import CalendarToken, Event, Venue
from network.models import Agency, Membership
from tests.factories import EventFactory, calendar_token_for
from wmasn.changes import data_replaced, identity_of

PUBLIC = "/calendar.ics"


def personal_url(raw):
    return f"/calendar/{raw}.ics"


class FakeKind(feeds.FeedKind):
    """A feed whose build is slow and counted, to race pollers against it."""

    def __init__(self, body=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", seconds=0.3):
        super().__init__(
            "fake",
            None,
            members=False,
            title="",
            description="",
            filename="fake.ics",
            private=False,
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
    results, errors = [], []
    start = threading.Barrier(pollers)

    def poll():
        try:
            start.wait()
            started = time.monotonic()
            feed = feeds.current_feed(kind)
            results.append((feed, time.monotonic() - started))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=poll) for _ in range(pollers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    return results


def test_many_pollers_of_a_cold_feed_make_one_build():
    kind = FakeKind()
    results = race(kind, 12)
    assert kind.builds == 1
    assert {feed.etag for feed, _ in results} == {results[0][0].etag}


def test_after_a_change_every_poller_gets_the_previous_version_and_one_rebuilds(db):
    kind = FakeKind(body=b"old")
    old = feeds.current_feed(kind)
    kind.body = b"new"
    feeds.bump_feed_version()
    results = race(kind, 12)
    # Nobody waited for the build: all were answered with the old version at once.
    assert {feed.etag for feed, _ in results} == {old.etag}
    assert max(seconds for _, seconds in results) < kind.seconds
    rebuilders = [feed for feed, _ in results if feed.after_response is not None]
    assert len(rebuilders) == 1
    rebuilders[0].after_response()
    assert kind.builds == 2
    fresh = feeds.current_feed(kind)
    assert fresh.etag != old.etag and fresh.after_response is None
    assert fresh.body(gzipped=False) == b"new"


def test_a_poller_waits_for_the_lock_holder_when_there_is_no_previous_version():
    kind = FakeKind()
    cache.add(feeds._lock_key(kind.name), "someone else", feeds.LOCK_SECONDS)
    stamp = f"{feeds._current({}, feeds.version_key())}:{feeds.feed_as_of().date()}"

    def other_worker_finishes():
        time.sleep(0.2)
        built = feeds.Built()
        built.write(b"built elsewhere")
        feeds._store(kind, built.finish(), stamp, None)

    thread = threading.Thread(target=other_worker_finishes)
    thread.start()
    feed = feeds.current_feed(kind)
    thread.join()
    assert kind.builds == 0
    assert feed.body(gzipped=False) == b"built elsewhere"


def test_a_poller_that_waited_in_vain_is_told_to_come_back_rather_than_build(
    anon_client, db, monkeypatch
):
    from django.core.cache import cache as shared

    monkeypatch.setattr(feeds, "WAIT_FOR_BUILD_SECONDS", 0.2)
    shared.add(feeds._lock_key("public"), "a worker still building", feeds.LOCK_SECONDS)
    built = []
    monkeypatch.setattr(ics, "vevent_fragment", lambda *a, **k: built.append(1) or b"")
    EventFactory()
    response = anon_client.get(PUBLIC)
    assert response.status_code == 503
    assert response["Retry-After"]
    assert built == []


def test_the_first_request_after_a_change_gets_the_previous_version_then_rebuilds(anon_client, db):
    event = EventFactory(title="Before the change")
    first = anon_client.get(PUBLIC)
    event.title = "After the change"
    event.save()
    stale = anon_client.get(PUBLIC)
    assert stale["ETag"] == first["ETag"]
    assert b"Before the change" in stale.content
    # Its response closed, it rebuilt the feed: the next poller gets the new version.
    fresh = anon_client.get(PUBLIC)
    assert b"After the change" in fresh.content


def test_a_304_reads_the_validators_and_never_the_body(anon_client, db, monkeypatch):
    monkeypatch.setattr(feeds, "LOCAL_VALIDATOR_SECONDS", 0)
    EventFactory()
    first = anon_client.get(PUBLIC, headers={"Accept-Encoding": "gzip"})
    feeds.local_bodies.clear()
    calls = []
    real_get = cache.get

    def get(key, *args, **kwargs):
        calls.append([key])
        return real_get(key, *args, **kwargs)

    def get_many(keys, *args, **kwargs):
        calls.append(list(keys))
        return {key: real_get(key) for key in keys if real_get(key) is not None}

    monkeypatch.setattr(cache, "get", get)
    monkeypatch.setattr(cache, "get_many", get_many)
    response = anon_client.get(
        PUBLIC, headers={"Accept-Encoding": "gzip", "If-None-Match": first["ETag"]}
    )
    assert response.status_code == 304
    # One round trip: the version and the validators; no body.
    assert len(calls) == 1 and len(calls[0]) == 2
    assert not any(":feed-body:" in key for keys in calls for key in keys)
    again = anon_client.get(PUBLIC, headers={"Accept-Encoding": "gzip"})
    assert any(":feed-body:" in key for keys in calls for key in keys)
    assert again.content == first.content


def test_the_public_feed_validators_are_kept_in_the_process_for_a_moment(
    anon_client, db, monkeypatch
):
    event = EventFactory(title="Kept")
    anon_client.get(PUBLIC)
    first = anon_client.get(PUBLIC, headers={"Accept-Encoding": "gzip"})
    calls = []
    real_get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: calls.append(keys) or real_get_many(keys))
    again = anon_client.get(
        PUBLIC, headers={"Accept-Encoding": "gzip", "If-None-Match": first["ETag"]}
    )
    assert again.status_code == 304 and calls == []
    # Another process's change: seen once the moment has passed.
    cache.incr(feeds.version_key())
    monkeypatch.setattr(
        feeds,
        "_local_validators",
        {key: (0, as_of, meta) for key, (_, as_of, meta) in feeds._local_validators.items()},
    )
    anon_client.get(PUBLIC)
    assert calls
    # This process's own change: at once.
    event.title = "Changed here"
    event.save()
    anon_client.get(PUBLIC)
    assert b"Changed here" in anon_client.get(PUBLIC).content


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
    anon_client.get(PUBLIC)  # answered with the previous version; rebuilds after it
    assert made == [events[3].pk]
    assert b"Moved meeting" in anon_client.get(PUBLIC).content


def test_the_assembled_feed_is_byte_identical_to_a_whole_build(anon_client, db):
    for i in range(3):
        EventFactory(title=f"Meeting {i}")
    EventFactory(title="All day", all_day=True)
    anon_client.get(PUBLIC)
    EventFactory(title="One more")
    anon_client.get(PUBLIC)  # rebuilt from cached fragments plus one new one
    assembled = anon_client.get(PUBLIC).content
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
    here = feeds.cache_key("feed", "public")
    assert cache.get(here) is not None
    settings_dict = dict(connections["default"].settings_dict)
    monkeypatch.setitem(connections["default"].settings_dict, "NAME", "another_database")
    there = feeds.cache_key("feed", "public")
    assert there != here
    assert feeds.database_identity() == identity_of({**settings_dict, "NAME": "another_database"})
    builds = cache.get(feeds.builds_key(), 0)
    anon_client.get(PUBLIC)
    # Nothing cached for the other database: its feed is built, not the first one's served.
    assert cache.get(feeds.builds_key(), 0) == builds + 1


def version():
    return cache.get(feeds.version_key())


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
    assert version() != before


def test_update_moves_updated_at_so_the_fragment_is_rebuilt(anon_client, db):
    event = EventFactory(title="Old title")
    anon_client.get(PUBLIC)
    Event.objects.filter(pk=event.pk).update(title="New title")
    anon_client.get(PUBLIC)
    assert b"New title" in anon_client.get(PUBLIC).content


def test_a_venue_town_changed_in_bulk_reaches_the_members_feed(anon_client, member):
    """The town is part of LOCATION, so it is part of the fragment's fingerprint: an
    update() that touches no event still rebuilds the events at that venue."""
    event = EventFactory(venue__town="Oldbury")
    _, raw = calendar_token_for(member)
    url = f"/calendar/{raw}.ics"
    assert b"Oldbury" in anon_client.get(url).content
    Venue.objects.filter(pk=event.venue_id).update(town="Walsall")
    anon_client.get(url)  # the previous version, while this request rebuilds it
    body = anon_client.get(url).content
    assert b"Walsall" in body and b"Oldbury" not in body


def test_a_restore_of_another_database_leaves_this_one_alone(db):
    feeds._current({}, feeds.version_key())
    before = version()
    data_replaced.send(sender=None, database={"ENGINE": "x", "NAME": "elsewhere"})
    assert version() == before


# --- without the cache, feeds are built from the database ----------------------------------


@pytest.fixture
def cache_down(monkeypatch):
    def fail(*args, **kwargs):
        raise ConnectionError("cache down")

    for method in ("get", "get_many", "set", "set_many", "add", "incr", "delete", "has_key"):
        monkeypatch.setattr(cache, method, fail)
    feeds.local_bodies.clear()


def test_feeds_are_served_when_the_cache_is_down(anon_client, member, cache_down):
    EventFactory(title="Served anyway")
    public = anon_client.get(PUBLIC)
    assert public.status_code == 200 and b"Served anyway" in public.content
    assert anon_client.get(PUBLIC, headers={"If-None-Match": public["ETag"]}).status_code == 304
    _, raw = calendar_token_for(member)
    assert anon_client.get(personal_url(raw)).status_code == 200
    Membership.objects.filter(user=member).update(status=Membership.Status.ENDED)
    assert anon_client.get(personal_url(raw)).status_code == 404


def test_the_restore_command_bumps_the_version_of_the_database_it_replaced(
    db, tmp_path, monkeypatch
):
    from django.core.management import call_command

    from network import backups

    target = "postgres://postgres@127.0.0.1:5432/wmasn_restored_elsewhere"
    identity = identity_of(backups.database_from_url(target))
    cache.set(feeds.version_key(identity), 41, None)
    monkeypatch.setattr(backups, "restore", lambda **kwargs: None)
    dump = tmp_path / "x.dump"
    dump.write_bytes(b"")
    call_command("restore_database", str(dump), "--target-url", target, "--noinput")
    assert cache.get(feeds.version_key(identity)) == 42
