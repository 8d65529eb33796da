"""With the database down: a friendly 503 with Retry-After, the public feed still served,
and everything back to normal once the database answers, without a restart."""

import contextlib
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse

from events.feed_cache import bump_feed_version
from events.models import CalendarToken
from tests.factories import PASSWORD, EventFactory
from tests.servers import free_port

pytestmark = pytest.mark.django_db

PUBLIC = "/calendar.ics"


@contextlib.contextmanager
def database_down():
    """Every query fails as it does when PostgreSQL has stopped."""
    error = OperationalError("server closed the connection unexpectedly")
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=error):
        yield


def client(user=None):
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def meeting(db):
    return EventFactory(title="Network meeting", slug="network-meeting")


@pytest.mark.parametrize("path", ["/", "/events/", "/events/network-meeting/", "/agencies/"])
def test_pages_answer_a_friendly_503_while_the_database_is_down(path, meeting):
    with database_down():
        response = client().get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "The portal is briefly unavailable" in html
    assert "Sorry, something went wrong" not in html


def test_a_page_that_needs_no_database_still_answers(meeting):
    with database_down():
        response = client().get("/calendar/")
    assert response.status_code == 200


def test_a_members_page_is_a_503_when_the_session_cannot_be_read(member, meeting):
    member_client = client(member)
    with database_down():
        response = member_client.get("/events/network-meeting/")
    assert response.status_code == 503


def test_a_form_post_is_a_503_while_the_database_is_down(member, meeting):
    member_client = client(member)
    with database_down():
        response = member_client.post("/events/network-meeting/", {"answer": "attending"})
    assert response.status_code == 503


def test_other_errors_are_still_the_friendly_500(meeting):
    with mock.patch("events.views.render", side_effect=RuntimeError("boom")):
        response = client().get("/events/network-meeting/")
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.content.decode()


def test_pages_recover_when_the_database_answers_again(meeting):
    visitor = client()
    with database_down():
        assert visitor.get("/events/").status_code == 503
    assert visitor.get("/events/").status_code == 200


def test_public_feed_is_served_from_the_cache_while_the_database_is_down(meeting):
    served = client().get(PUBLIC)
    assert served.status_code == 200
    with database_down():
        response = client().get(PUBLIC)
    assert response.status_code == 200
    assert response.content == served.content
    assert b"Network meeting" in response.content


def test_public_feed_falls_back_to_the_last_good_body_when_it_would_rebuild(meeting):
    served = client().get(PUBLIC, HTTP_ACCEPT_ENCODING="gzip")
    bump_feed_version()  # the cached body is no longer current: serving it needs a rebuild
    with database_down():
        # Another worker: it has never served the feed, so the copy comes from the cache.
        other_worker = client()
        response = other_worker.get(PUBLIC, HTTP_ACCEPT_ENCODING="gzip")
        plain = other_worker.get(PUBLIC)
        not_modified = other_worker.get(
            PUBLIC, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=served["ETag"]
        )
    assert response.status_code == 200
    assert response.content == served.content
    assert response["Content-Encoding"] == "gzip"
    assert response["ETag"] == served["ETag"]
    assert plain.status_code == 200
    assert b"BEGIN:VCALENDAR" in plain.content and b"Network meeting" in plain.content
    assert "Content-Encoding" not in plain
    assert not_modified.status_code == 304


def test_public_feed_without_any_copy_is_a_503_while_the_database_is_down(meeting):
    with database_down():
        response = client().get(PUBLIC)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def test_healthz_is_503_while_the_database_is_down():
    with database_down():
        response = client().get("/healthz/")
    assert response.status_code == 503


# With Redis down: every page and feed answers, built without the cache.


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "wmasn.cache.SharedRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "GUARDS": "database",  # as in production (wmasn/settings/prod.py)
        },
        "database": settings.CACHES["database"],
    }


def test_members_log_in_and_read_pages_while_redis_is_down(redis_down, member, meeting):
    visitor = client()
    response = visitor.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    for path in ["/", "/events/", "/events/network-meeting/", "/calendar/", PUBLIC]:
        assert visitor.get(path).status_code == 200, path
    token = CalendarToken.objects.get(user=member)
    response = visitor.get(reverse("events:personal-feed", args=[token.raw_token]))
    assert response.status_code == 200
    assert b"Network meeting" in response.content


def test_rate_limits_hold_while_redis_is_down(redis_down):
    """They count in the database cache, Redis or not (issue 24: they used to fail open)."""
    visitor = client()
    statuses = [
        visitor.post(
            "/accounts/login/", {"login": f"guess{n}@example.org", "password": "wrong"}
        ).status_code
        for n in range(35)
    ]
    # ACCOUNT_RATE_LIMITS["login"]: 30 a minute from one address.
    assert statuses.count(429) == 5
