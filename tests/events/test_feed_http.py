"""Feeds over HTTP: headers, validators, caching, tokens, revocation, logs."""

import datetime as dt
import hashlib
import logging
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import ics
from events.models import CalendarToken, Event, derive_calendar_token
from network.models import Membership
from tests.events.conftest import london
from tests.factories import EventFactory, calendar_token_for

pytestmark = pytest.mark.django_db

PUBLIC = "/calendar.ics"


def personal_url(raw):
    return reverse("events:personal-feed", args=[raw])


@pytest.fixture
def future_meeting(venue):
    """A meeting after the machine's today, so it is in every feed whatever the date."""
    return EventFactory(
        title="Upcoming meeting",
        slug="upcoming-meeting",
        venue=venue,
        online_url="https://meet.example.org/secret-room",
    )


def test_url_contract():
    assert reverse("events:public-feed") == "/calendar.ics"
    assert reverse("events:personal-feed", args=["abc"]) == "/calendar/abc.ics"
    assert reverse("events:event-ics", args=["x"]) == "/events/x.ics"
    assert reverse("events:calendar") == "/calendar/"


def test_public_feed_headers(anon_client, future_meeting):
    response = anon_client.get(PUBLIC)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    etag = response["ETag"]
    assert etag == '"' + hashlib.sha256(response.content).hexdigest() + '"'
    assert not etag.startswith("W/")
    assert response["Last-Modified"].endswith("GMT")


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member", "officer"])
def test_public_feed_is_the_same_for_everyone_and_has_no_venue(
    client_for_role, role, future_meeting
):
    body = client_for_role(role).get(PUBLIC).content.decode()
    assert "BEGIN:VEVENT" in body
    for secret in ["LOCATION", "Lloyd House", "Colmore", "B4 6NQ", "meet.example.org"]:
        assert secret not in body.replace("\r\n ", "")


def test_two_fetches_of_unchanged_data_are_byte_identical(anon_client, future_meeting):
    first = anon_client.get(PUBLIC)
    from django.core.cache import cache

    cache.clear()  # a rebuild, not just the cached copy
    second = anon_client.get(PUBLIC)
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]


def test_if_none_match_gets_304_only_when_unchanged(anon_client, future_meeting):
    first = anon_client.get(PUBLIC)
    not_modified = anon_client.get(PUBLIC, headers={"If-None-Match": first["ETag"]})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == first["ETag"]
    future_meeting.title = "Renamed meeting"
    future_meeting.save()
    changed = anon_client.get(PUBLIC, headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
    assert b"Renamed meeting" in changed.content
    assert changed["ETag"] != first["ETag"]


def test_if_modified_since_gets_304_only_when_unchanged(anon_client, future_meeting):
    first = anon_client.get(PUBLIC)
    since = first["Last-Modified"]
    assert anon_client.get(PUBLIC, headers={"If-Modified-Since": since}).status_code == 304
    # Within the same second: Last-Modified must still move on.
    future_meeting.cancel("Room flooded.")
    changed = anon_client.get(PUBLIC, headers={"If-Modified-Since": since})
    assert changed.status_code == 200
    assert b"STATUS:CANCELLED" in changed.content
    assert changed["Last-Modified"] != since


def test_an_event_leaving_the_feed_changes_it(anon_client, future_meeting):
    first = anon_client.get(PUBLIC)
    future_meeting.delete()
    response = anon_client.get(PUBLIC, headers={"If-None-Match": first["ETag"]})
    assert response.status_code == 200
    assert b"BEGIN:VEVENT" not in response.content


def test_a_304_does_not_build_the_feed(anon_client, future_meeting, monkeypatch):
    first = anon_client.get(PUBLIC)

    def explode(*args, **kwargs):
        raise AssertionError("the feed was built for a 304")

    monkeypatch.setattr(ics, "public_feed_events", explode)
    monkeypatch.setattr(ics, "vevent_fragment", explode)
    assert anon_client.get(PUBLIC, headers={"If-None-Match": first["ETag"]}).status_code == 304
    assert anon_client.get(PUBLIC).content == first.content


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_public_feed_queries_are_constant(anon_client, venue):
    from django.core.cache import cache

    EventFactory(venue=venue)
    cache.clear()
    cold_small = count_queries(anon_client, PUBLIC)
    warm_small = count_queries(anon_client, PUBLIC)
    for _ in range(20):
        EventFactory(venue=venue)
    cache.clear()
    cold_large = count_queries(anon_client, PUBLIC)
    warm_large = count_queries(anon_client, PUBLIC)
    # Built: the years for the VTIMEZONE, the events' fingerprints, then the events whose
    # fragment is not cached. Cached: none at all (the shared cache answers).
    assert cold_small == cold_large == 3
    assert warm_small == warm_large == 0


def test_personal_feed_queries_are_constant(anon_client, member, venue):
    from django.core.cache import cache

    _, raw = calendar_token_for(member)
    EventFactory(venue=venue)
    start = dt.datetime.now(tz=dt.UTC)

    def measure(minutes, *, cold):
        # Minutes apart, so every fetch is one that records itself (one UPDATE).
        if cold:
            cache.clear()
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            return count_queries(anon_client, personal_url(raw))

    cold_small = measure(2, cold=True)
    for _ in range(20):
        EventFactory(venue=venue)
    cold_large = measure(4, cold=True)
    warm_large = measure(6, cold=False)
    # Cold: token and user, memberships, the three of the build, the fetch record.
    # Warm: the checks and the feed come from the cache; only the fetch record is written.
    assert cold_small == cold_large == 6
    assert warm_large == 1


def test_a_venue_change_reaches_the_member_feed_at_once(anon_client, member, future_meeting, venue):
    _, raw = calendar_token_for(member)
    assert b"B4 6NQ" in anon_client.get(personal_url(raw)).content
    venue.postcode = "B69 3DE"
    venue.save()
    body = anon_client.get(personal_url(raw)).content
    assert b"B69 3DE" in body and b"B4 6NQ" not in body


def test_personal_feed_has_venues(anon_client, member, future_meeting):
    _, raw = calendar_token_for(member)
    response = anon_client.get(personal_url(raw))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["ETag"] == '"' + hashlib.sha256(response.content).hexdigest() + '"'
    assert "private" in response["Cache-Control"]
    body = response.content.decode().replace("\r\n ", "")
    assert "LOCATION:Lloyd House\\, Colmore Circus Queensway\\, Birmingham\\, B4 6NQ" in body
    again = anon_client.get(personal_url(raw), headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


def test_officer_without_membership_has_a_personal_feed(anon_client, officer, future_meeting):
    _, raw = calendar_token_for(officer)
    assert anon_client.get(personal_url(raw)).status_code == 200


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member", "officer"])
def test_a_personal_link_answers_by_its_secret_whoever_asks(
    client_for_role, role, member, future_meeting
):
    """The link is the credential: a member's feed is the same for every client that has
    the link, and the asker's own session changes nothing (nor is it read)."""
    _, raw = calendar_token_for(member)
    response = client_for_role(role).get(personal_url(raw))
    assert response.status_code == 200
    assert b"LOCATION:" in response.content
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member", "officer"])
def test_the_link_of_someone_who_lost_access_is_404_whoever_asks(
    client_for_role, role, pending_user, future_meeting
):
    _, raw = calendar_token_for(pending_user)
    assert client_for_role(role).get(personal_url(raw)).status_code == 404


@pytest.mark.parametrize(
    "token",
    ["unknown-token", "x" * 200, "a.b", "%00", "😀", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
)
def test_unknown_or_malformed_tokens_are_404(anon_client, member, token):
    calendar_token_for(member)
    # A NUL byte anywhere in a request is a 400 before any view (wmasn/input.py).
    expected = 400 if token == "%00" else 404
    assert anon_client.get(f"/calendar/{token}.ics").status_code == expected


def test_regenerating_revokes_the_old_link_at_once(member_client, member, future_meeting):
    _, old = calendar_token_for(member)
    assert member_client.get(personal_url(old)).status_code == 200
    response = member_client.post("/calendar/")
    assert response.status_code == 302
    new = CalendarToken.objects.get(user=member).raw_token
    assert new != old
    assert member_client.get(personal_url(old)).status_code == 404
    assert member_client.get(personal_url(new)).status_code == 200


def test_ending_the_membership_revokes_the_link(anon_client, member, future_meeting):
    _, raw = calendar_token_for(member)
    assert anon_client.get(personal_url(raw)).status_code == 200
    Membership.objects.filter(user=member).update(status=Membership.Status.ENDED)
    assert anon_client.get(personal_url(raw)).status_code == 404


def test_pending_and_inactive_users_links_are_404(anon_client, pending_user, member):
    _, pending_raw = calendar_token_for(pending_user)
    assert anon_client.get(personal_url(pending_raw)).status_code == 404
    _, raw = calendar_token_for(member)
    member.is_active = False
    member.save()
    assert anon_client.get(personal_url(raw)).status_code == 404


def test_wrong_methods_are_405(anon_client, member, future_meeting):
    _, raw = calendar_token_for(member)
    for url in [PUBLIC, personal_url(raw), f"/events/{future_meeting.slug}.ics"]:
        assert anon_client.post(url).status_code == 405
        assert anon_client.delete(url).status_code == 405
        assert anon_client.head(url).status_code == 200


def test_fetch_is_recorded_at_most_once_a_minute(anon_client, member, future_meeting):
    token, raw = calendar_token_for(member)
    start = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        anon_client.get(personal_url(raw), headers={"User-Agent": "Thunderbird/128 " + "x" * 400})
    token.refresh_from_db()
    assert token.last_fetched_at == start
    assert token.last_client.startswith("Thunderbird/128")
    assert len(token.last_client) == 255
    with (
        time_machine.travel(start + dt.timedelta(seconds=30), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        anon_client.get(personal_url(raw), headers={"User-Agent": "Outlook"})
    assert not any(q["sql"].startswith("UPDATE") for q in queries.captured_queries)
    token.refresh_from_db()
    assert token.last_client.startswith("Thunderbird")
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        anon_client.get(personal_url(raw), headers={"User-Agent": "Outlook"})
    token.refresh_from_db()
    assert token.last_client == "Outlook"


def test_tokens_never_reach_the_logs(anon_client, member, caplog):
    _, raw = calendar_token_for(member)
    revoked = raw
    CalendarToken.regenerate_for(member)
    with caplog.at_level(logging.DEBUG):
        assert anon_client.get(personal_url(revoked)).status_code == 404
        assert anon_client.post(personal_url(revoked)).status_code == 405
        logging.getLogger("django.server").info('"GET %s HTTP/1.1" 200 10', personal_url(raw))
    assert caplog.records, "the 404 and 405 should have been logged"
    assert revoked not in caplog.text
    assert raw not in caplog.text
    assert "/calendar/[token].ics" in caplog.text


@pytest.mark.parametrize(
    "role,sees_venue",
    [
        ("anonymous", False),
        ("pending", False),
        ("other_member", True),
        ("member", True),
        ("officer", True),
    ],
)
def test_event_ics_venue_only_for_members(client_for_role, role, sees_venue, future_meeting):
    response = client_for_role(role).get(f"/events/{future_meeting.slug}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode().replace("\r\n ", "")
    assert ("LOCATION:" in body) is sees_venue
    assert ("Lloyd House" in body) is sees_venue
    assert ("meet.example.org" in body) is sees_venue
    again = client_for_role(role).get(
        f"/events/{future_meeting.slug}.ics", headers={"If-None-Match": response["ETag"]}
    )
    assert again.status_code == 304


def test_unknown_event_ics_is_404(anon_client):
    assert anon_client.get("/events/no-such-event.ics").status_code == 404


def test_event_ics_at_the_clock_change(anon_client, db):
    event = EventFactory(
        slug="clock-change", starts_at=london(2026, 3, 29, 10), ends_at=london(2026, 3, 29, 12)
    )
    body = anon_client.get("/events/clock-change.ics").content
    assert b"DTSTART;TZID=Europe/London:20260329T100000" in body
    assert Event.objects.get(pk=event.pk).starts_at == dt.datetime(2026, 3, 29, 9, tzinfo=dt.UTC)


def test_closing_a_group_in_the_admin_drops_its_meetings_from_the_cached_feed(
    anon_client, officer_client, venue
):
    from tests.factories import WorkingGroupFactory

    group = WorkingGroupFactory(name="Rescue pathway group")
    EventFactory(title="Rescue pathway meeting", venue=venue, working_group=group)
    first = anon_client.get(PUBLIC)
    assert b"Rescue pathway meeting" in first.content

    officer_client.post(
        reverse("admin:network_workinggroup_changelist"),
        {"action": "close_groups", "_selected_action": [group.pk]},
    )

    after = anon_client.get(PUBLIC, headers={"If-None-Match": first["ETag"]})
    assert after.status_code == 200
    assert b"Rescue pathway meeting" not in after.content


def test_a_cached_feed_is_rebuilt_when_evicted(anon_client, future_meeting):
    from django.core.cache import cache

    from events import feed_cache

    first = anon_client.get(PUBLIC)
    cache.delete(feed_cache.validators_key("public"))
    cache.delete(feed_cache.body_key(first["ETag"]))
    again = anon_client.get(PUBLIC)
    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]


def test_the_feed_is_rebuilt_each_day(anon_client, future_meeting, monkeypatch):
    start = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(start, tick=False):
        anon_client.get(PUBLIC)
    built = []
    real_events = ics.public_feed_events

    def counting(**kwargs):
        built.append(kwargs["now"])
        return real_events(**kwargs)

    monkeypatch.setattr(ics, "public_feed_events", counting)
    with time_machine.travel(start, tick=False):
        anon_client.get(PUBLIC)
    assert built == []
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        anon_client.get(PUBLIC)
    assert len(built) == 1


def test_calendar_apps_that_accept_gzip_get_the_feed_gzipped(anon_client, future_meeting):
    import gzip

    plain = anon_client.get(PUBLIC)
    zipped = anon_client.get(PUBLIC, headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain
    assert zipped["Content-Length"] == str(len(zipped.content))
    assert plain["Content-Length"] == str(len(plain.content))
    assert gzip.decompress(zipped.content) == plain.content
    assert "Accept-Encoding" in zipped["Vary"] and "Accept-Encoding" in plain["Vary"]
    # One strong ETag per encoding, each answering its own 304.
    assert zipped["ETag"] != plain["ETag"]
    assert zipped["ETag"] == plain["ETag"][:-1] + '-gz"'
    again = anon_client.get(
        PUBLIC, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped["ETag"]}
    )
    assert again.status_code == 304
    # The same bytes every time, so the ETag is honest.
    assert anon_client.get(PUBLIC, headers={"Accept-Encoding": "gzip"}).content == zipped.content


def test_personal_feed_is_gzipped_too(anon_client, member, future_meeting):
    import gzip

    _, raw = calendar_token_for(member)
    zipped = anon_client.get(personal_url(raw), headers={"Accept-Encoding": "gzip"})
    assert zipped["Content-Encoding"] == "gzip"
    assert b"LOCATION" in gzip.decompress(zipped.content)


def test_public_feed_sets_no_cookie_and_has_every_security_header(member_client, future_meeting):
    response = member_client.get(PUBLIC)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response
    assert "Permissions-Policy" in response
    assert "Referrer-Policy" in response
    # The view reads no session or user: the same public bytes for a member, nothing that
    # varies on the cookie, so a proxy may cache it.
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies
    assert b"LOCATION" not in response.content


def test_public_feed_head_and_wrong_methods(anon_client, future_meeting):
    assert anon_client.head(PUBLIC).status_code == 200
    assert anon_client.post(PUBLIC).status_code == 405
    assert anon_client.put(PUBLIC).status_code == 405


def directives(response):
    return {part.strip() for part in response["Cache-Control"].split(",")}


def test_public_feed_may_be_cached_by_proxies_and_personal_feeds_may_not(
    anon_client, member, future_meeting
):
    _, raw = calendar_token_for(member)
    assert directives(anon_client.get(PUBLIC)) == {"public", "max-age=300"}
    personal = anon_client.get(personal_url(raw))
    assert directives(personal) == {"private", "no-cache"}
    not_modified = anon_client.get(personal_url(raw), headers={"If-None-Match": personal["ETag"]})
    assert not_modified.status_code == 304
    assert directives(not_modified) == {"private", "no-cache"}


@pytest.mark.parametrize(
    "encode",
    [
        lambda raw: f"/calendar/{raw}.ics",
        lambda raw: f"/calendar/{raw}%2Eics",
        lambda raw: f"/calendar/{raw}%2eics",
        lambda raw: f"/calendar/{raw}.%69%63%73",
        lambda raw: f"/calendar%2F{raw}.ics",
        lambda raw: f"/%63alendar/{raw}.ics",
        lambda raw: "/calendar/" + "".join(f"%{ord(c):02X}" for c in raw) + ".ics",
    ],
    ids=["plain", "dot-upper", "dot-lower", "suffix", "slash", "letter", "whole-token"],
)
def test_tokens_never_reach_the_logs_however_the_path_is_encoded(
    anon_client, member, caplog, encode
):
    _, raw = calendar_token_for(member)
    path = encode(raw)
    # The encoded path reaches the same personal feed: it must be redacted like it.
    assert anon_client.get(path).status_code == 200
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("gunicorn.access").info(
            "%(h)s %(r)s %(s)s", {"h": "10.0.0.5", "r": f"GET {path} HTTP/1.1", "s": "200"}
        )
        logging.getLogger("django.server").info('"GET %s?x=1 HTTP/1.1" 200 10', path)
        anon_client.get(encode(raw + "x"))  # a 404, logged by django.request
    assert caplog.records
    quoted = path.split("/")[-1].split("%2F")[-1].split(".")[0]
    assert raw not in caplog.text
    assert quoted not in caplog.text
    assert caplog.text.count("/calendar/[token].ics") == 3


# SECRET_KEY rotation: the link shown is the link that works; the old one only through
# SECRET_KEY_FALLBACKS.

OLD_KEY = "old-secret-key-for-rotation-tests"
NEW_KEY = "new-secret-key-for-rotation-tests"


def shown_link(client):
    html = client.get("/calendar/").content.decode()
    match = re.search(r"http://testserver(/calendar/[\w-]+\.ics)", html)
    assert match, "the calendar page shows no personal link"
    return match.group(1)


def test_after_a_key_rotation_the_link_shown_works_and_the_old_one_through_fallbacks(
    settings, member_client, future_meeting
):
    # The test key stays a fallback throughout, so that the client's session stays valid.
    session_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, [session_key]
    old_link = shown_link(member_client)
    assert member_client.get(old_link).status_code == 200

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY, session_key]
    new_link = shown_link(member_client)
    assert new_link != old_link
    assert member_client.get(new_link).status_code == 200
    assert member_client.get(old_link).status_code == 200

    settings.SECRET_KEY_FALLBACKS = [session_key]
    assert shown_link(member_client) == new_link
    assert member_client.get(new_link).status_code == 200
    assert member_client.get(old_link).status_code == 404


def test_links_from_before_the_nonce_was_in_them_follow_the_same_rule(
    settings, anon_client, member, future_meeting
):
    settings.SECRET_KEY = OLD_KEY
    token = CalendarToken.regenerate_for(member)
    legacy = personal_url(derive_calendar_token(member.pk, token.nonce))
    assert anon_client.get(legacy).status_code == 200
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    assert anon_client.get(legacy).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    assert anon_client.get(legacy).status_code == 404


def test_a_link_signed_with_an_unknown_key_is_404(anon_client, member, future_meeting):
    token = CalendarToken.regenerate_for(member)
    forged = token.nonce + derive_calendar_token(member.pk, token.nonce, "attacker-key")
    assert anon_client.get(personal_url(forged)).status_code == 404
    assert anon_client.get(personal_url(token.raw_token)).status_code == 200


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member", "officer"])
def test_calendar_page_is_never_stored(client_for_role, role):
    response = client_for_role(role).get("/calendar/")
    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


@pytest.mark.parametrize("early", [True, False], ids=["called-early", "through-the-stack"])
def test_the_feeds_answer_the_same_with_or_without_the_early_middleware(
    settings, anon_client, member, future_meeting, early
):
    """FeedMiddleware only calls the URLconf's views sooner: without it, the same answers."""
    if not early:
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "FeedMiddleware" not in m]
    _, raw = calendar_token_for(member)
    public = anon_client.get(PUBLIC)
    assert public.status_code == 200 and b"Upcoming meeting" in public.content
    assert anon_client.get(PUBLIC, headers={"If-None-Match": public["ETag"]}).status_code == 304
    assert anon_client.post(PUBLIC).status_code == 405
    assert b"LOCATION:" in anon_client.get(personal_url(raw)).content
    assert anon_client.get(personal_url(raw + "x")).status_code == 404
    assert anon_client.get(PUBLIC, HTTP_HOST="evil.example.org").status_code == 400
    assert "Cookie" not in public.get("Vary", "") and not public.cookies
