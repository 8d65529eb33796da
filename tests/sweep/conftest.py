"""Fixtures for the site-wide sweeps: the demo data, and a client for every demo role."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from tests.sweep.demo import Demo, add_secrets, load_demo


@pytest.fixture
def demo(settings, db):
    """Demo data loaded for this test only (settings.DEBUG on while loading)."""
    settings.DEBUG = True
    call_command("load_demo_data", stdout=io.StringIO())
    settings.DEBUG = False
    add_secrets()
    return Demo()


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """Demo data loaded once per module, in a transaction rolled back at the module's end.

    Each test still runs in its own savepoint (the `db` fixture), so whatever a test posts is
    undone before the next one; loading the demo data per test would cost ~0.6 s × hundreds.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def sweep(demo_data, db):
    """The module's demo data, with fresh logged-in clients for every role."""
    return Demo()
