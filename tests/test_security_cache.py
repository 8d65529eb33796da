"""Issue 24, items 1 and 6: rate limits and TOTP replay protection never fail open.

A member saving a pledge used to store a float under the pledge wall's version; the next
`incr` failed in Redis and the cache took that for an outage, during which every rate-limit
lock and TOTP marker was granted. These tests run the portal against a real Redis: the
shared one for the loop, one of their own (then stopped) for the outage.
"""

import os
import time
import uuid

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.signals import user_login_failed
from django.core.cache import caches
from django.test import Client, TestCase

from pledges.services import _wall_version_key
from tests.factories import PASSWORD, OfficerFactory, PledgeFactory, UserFactory
from tests.servers import RedisServer
from wmasn.accounts import TOTP_CHECK_UNAVAILABLE, MFAAdapter
from wmasn.cache import RETRY_AFTER_SECONDS
from wmasn.concurrency import version_of

# Its own database number: other tests flush theirs.
REDIS_URL = os.environ.get("TEST_SECURITY_REDIS_URL", "redis://127.0.0.1:6379/12")
SECRET = "JBSWY3DPEHPK3PXP"
WRONG = "not-the-password"
ATTEMPTS = 20
# ACCOUNT_RATE_LIMITS["login_failed"]: 5 per 5 minutes per account.
PER_ACCOUNT = 5


def redis_caches(location, prefix, database_cache):
    return {
        "default": {
            "BACKEND": "wmasn.cache.SharedRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
            "GUARDS": "database",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
        "database": database_cache,
    }


def skip_or_fail(reason):
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def shared_redis(settings):
    """The default cache is Redis (as in production), under a key prefix of this test's own."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        skip_or_fail(f"Redis must answer at {REDIS_URL}.")
    prefix = f"wmasn-sec-{uuid.uuid4().hex}"
    settings.CACHES = redis_caches(REDIS_URL, prefix, settings.CACHES["database"])
    yield caches["default"]
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def own_redis(settings):
    """The default cache is a Redis of this test's own, which the test may stop."""
    if not RedisServer.available():
        skip_or_fail("redis-server must be installed.")
    server = RedisServer().start()
    settings.CACHES = redis_caches(server.url, "wmasn-sec", settings.CACHES["database"])
    assert caches["default"].add("probe", 1) is True  # it really is Redis
    yield server
    server.kill()


@pytest.fixture
def stopped_redis(own_redis):
    own_redis.kill()
    return own_redis


@pytest.fixture
def failed_logins():
    seen = []

    def receiver(sender, credentials, **kwargs):
        seen.append(credentials.get("email") or credentials.get("username"))

    user_login_failed.connect(receiver)
    yield seen
    user_login_failed.disconnect(receiver)


def post(client, url, data):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data)


def save_pledge(client, pledge, n):
    pledge.refresh_from_db()
    response = post(
        client,
        f"/pledges/{pledge.pk}/edit/",
        {
            "pledge-text": f"Train every front-line officer, take {n}.",
            "pledge-status": pledge.status,
            "pledge-visibility": pledge.visibility,
            "pledge-version": version_of(pledge),
        },
    )
    assert response.status_code == 302, response.content


def log_in(client, email, password):
    return post(client, "/accounts/login/", {"login": email, "password": password})


def current_code():
    from allauth.mfa import app_settings

    return format_hotp_value(hotp_value(SECRET, int(time.time()) // app_settings.TOTP_PERIOD))


def officer_with_totp():
    officer = OfficerFactory(email="secure.officer@example.org")
    Authenticator.objects.create(
        user=officer, type=Authenticator.Type.TOTP, data={"secret": SECRET}
    )
    return officer


def log_in_with_code(code, officer):
    """Password, then the TOTP code, in a fresh browser; True when it ends logged in."""
    client = Client()
    response = log_in(client, officer.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = post(client, "/accounts/2fa/authenticate/", {"code": code})
    return "_auth_user_id" in client.session, response


# With Redis answering: a member's pledge saves change nothing ---------------------------


@pytest.mark.django_db
def test_a_member_saving_a_pledge_in_a_loop_does_not_let_more_wrong_passwords_through(
    shared_redis, member, agency, failed_logins
):
    victim = UserFactory(email="victim@example.org")
    pledge = PledgeFactory(agency=agency)
    member_client, attacker = Client(), Client()
    member_client.force_login(member)
    for n in range(ATTEMPTS):
        save_pledge(member_client, pledge, n)
        response = log_in(attacker, victim.email, WRONG)
    assert failed_logins == [victim.email] * PER_ACCOUNT
    assert b"Too many failed login attempts" in response.content
    # The wall's version is an integer Redis increments: every save moved it on.
    assert isinstance(shared_redis.get(_wall_version_key()), int)


@pytest.mark.django_db
def test_a_member_saving_a_pledge_does_not_let_one_totp_code_log_in_twice(
    shared_redis, member, agency
):
    officer = officer_with_totp()
    pledge = PledgeFactory(agency=agency)
    member_client = Client()
    member_client.force_login(member)
    code = current_code()
    save_pledge(member_client, pledge, 1)
    first, _ = log_in_with_code(code, officer)
    save_pledge(member_client, pledge, 2)
    second, response = log_in_with_code(code, officer)
    assert first is True
    assert second is False
    assert b"Incorrect code" in response.content


@pytest.mark.django_db
def test_new_public_pledges_show_on_the_wall_at_once(shared_redis, agency):
    texts = [PledgeFactory(agency=agency, text="The first public pledge.").text]
    assert texts[0] in Client().get("/pledges/", {"year": 2018}).content.decode()
    for n in range(3):
        texts.append(PledgeFactory(agency=agency, text=f"Public pledge number {n}.").text)
        # Past any back-off a failed bump could have started: the wall reads the cache again.
        time.sleep(RETRY_AFTER_SECONDS + 0.1)
        page = Client().get("/pledges/", {"year": 2018}).content.decode()
        assert all(text in page for text in texts), n


@pytest.mark.django_db
def test_a_redis_error_that_is_not_an_outage_is_raised_and_logged_not_taken_for_one(
    shared_redis, caplog
):
    import redis

    shared_redis.set("a-float", 1.5, None)
    with (
        caplog.at_level("ERROR", logger="wmasn.cache"),
        pytest.raises(redis.exceptions.ResponseError),
    ):
        shared_redis.incr("a-float")
    assert "Redis refused incr on 'a-float': a bug in the portal, not an outage." in caplog.text
    # Redis still counts: the next lock is refused because the first one holds.
    lock = "allauth:rl:allauth.account:login_failed:5/300/key:abc:lock"
    assert shared_redis.add(lock, True) is True
    assert shared_redis.add(lock, True) is False


# With Redis stopped: the database cache counts instead -----------------------------------


@pytest.mark.django_db
def test_with_redis_stopped_people_log_in_and_the_limits_still_hold(stopped_redis, failed_logins):
    person, victim = UserFactory(email="person@example.org"), UserFactory(email="v@example.org")
    assert log_in(Client(), person.email, PASSWORD).status_code == 302
    attacker = Client()
    for _ in range(ATTEMPTS):
        response = log_in(attacker, victim.email, WRONG)
    assert failed_logins == [victim.email] * PER_ACCOUNT
    assert b"Too many failed login attempts" in response.content


@pytest.mark.django_db
def test_with_redis_stopped_one_totp_code_logs_in_once(stopped_redis):
    officer = officer_with_totp()
    code = current_code()
    first, _ = log_in_with_code(code, officer)
    second, response = log_in_with_code(code, officer)
    assert (first, second) == (True, False)
    assert b"Incorrect code" in response.content


@pytest.mark.django_db
def test_a_redis_outage_neither_resets_a_count_nor_forgets_a_used_code(own_redis, failed_logins):
    victim, officer = UserFactory(email="v@example.org"), officer_with_totp()
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        log_in(attacker, victim.email, WRONG)
    code = current_code()
    assert log_in_with_code(code, officer)[0] is True
    own_redis.kill()
    for _ in range(ATTEMPTS):
        log_in(attacker, victim.email, WRONG)
    assert failed_logins == [victim.email] * PER_ACCOUNT
    assert log_in_with_code(code, officer)[0] is False


@pytest.mark.django_db(transaction=True)
def test_with_the_database_cache_failing_logins_are_refused_and_say_why(
    stopped_redis, settings, failed_logins
):
    settings.CACHES = {
        **settings.CACHES,
        "database": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "wmasn_no_such_cache_table",
        },
    }
    officer = officer_with_totp()
    response = log_in(Client(), officer.email, PASSWORD)
    assert response.status_code == 429
    assert b"Signing in is paused for a moment" in response.content
    assert failed_logins == []
    # A code that cannot be recorded as used is refused, with the reason.
    code = current_code()
    assert TOTP(Authenticator.objects.get(user=officer)).validate_code(code) is False
    assert MFAAdapter().validation_error("incorrect_code").messages == [TOTP_CHECK_UNAVAILABLE]


def test_every_counter_the_portal_increments_is_audited_as_an_integer():
    """A new `cache.incr` must store integers only (a float or a pickled value under the key
    makes Redis refuse INCR): add its module here once its writes are checked."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    apps = ["wmasn", "network", "events", "pledges", "survey", "newsletters", "reports", "actions"]
    found = {
        str(path.relative_to(root))
        for app in apps
        for path in (root / app).rglob("*.py")
        if "cache.incr(" in path.read_text()
    }
    assert found == {
        # the wall's version: time.time_ns() or incr (see the wall test above)
        "pledges/services.py",
        # the feeds' versions and build counter: time.time_ns(), 1 or incr
        "events/feed_cache.py",
        # sign-ups per visitor: add(key, 0) then incr
        "newsletters/views.py",
        # registrations per member or address: add(key, 0) then incr
        "events/registration/views.py",
    }
