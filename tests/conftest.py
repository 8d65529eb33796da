"""Shared fixtures: the five roles every view is tested against."""

import factory.random
import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    OfficerFactory,
    PendingMembershipFactory,
)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits, cached feeds and recorded feed fetches must not leak between tests."""
    from events import feed_cache, feeds

    def clear():
        cache.clear()
        feed_cache.local_bodies.clear()
        feeds._recorded.clear()

    clear()
    yield
    clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Uploaded files go to a fresh directory per test, never to var/media."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@pytest.fixture(autouse=True)
def _same_fake_names():
    """Factories draw the same fake names in every run and in any order of tests: a test that
    sorts people by name sorts the same people."""
    factory.random.reseed_random("wmasn-tests")


@pytest.fixture
def agency(db):
    return AgencyFactory(name="West Midlands Police", slug="west-midlands-police")


@pytest.fixture
def other_agency(db):
    return AgencyFactory(name="Barnardo's", slug="barnardos", sector="third")


@pytest.fixture
def member(agency):
    """An approved member of `agency`."""
    return MembershipFactory(agency=agency, user__email="member@example.org").user


@pytest.fixture
def other_member(other_agency):
    """An approved member of another agency."""
    return MembershipFactory(agency=other_agency, user__email="other@example.org").user


@pytest.fixture
def pending_user(agency):
    """Signed up and verified, with a membership request still pending."""
    return PendingMembershipFactory(agency=agency, user__email="pending@example.org").user


@pytest.fixture
def officer(db):
    return OfficerFactory(email="officer@example.org")


def _client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def anon_client(db):
    return Client()


@pytest.fixture
def member_client(member):
    return _client_for(member)


@pytest.fixture
def other_member_client(other_member):
    return _client_for(other_member)


@pytest.fixture
def pending_client(pending_user):
    return _client_for(pending_user)


@pytest.fixture
def officer_client(officer):
    return _client_for(officer)


ROLES = ["anonymous", "pending", "other_member", "member", "officer"]

# The slow suites (browser journeys, fault injection, backups) run once, on PostgreSQL.
ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]


@pytest.fixture(params=ROLES)
def role(request):
    return request.param


@pytest.fixture
def client_for_role(request, db):
    """Return a function that gives a logged-in client for a role name."""

    def make(role_name):
        fixture = {
            "anonymous": "anon_client",
            "pending": "pending_client",
            "other_member": "other_member_client",
            "member": "member_client",
            "officer": "officer_client",
        }[role_name]
        return request.getfixturevalue(fixture)

    return make


@pytest.fixture
def database_tasks(settings):
    """Enqueue tasks into the database, as in production, instead of running them at once
    (the tests' default): a worker, or the test, runs them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
