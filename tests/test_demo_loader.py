"""The demo loader: idempotent, refuses to run in production, and its accounts log in."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from network.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from network.models import User

pytestmark = pytest.mark.django_db


def row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def load():
    output = io.StringIO()
    call_command("load_demo_data", stdout=output)
    return output.getvalue()


def test_demo_loader_is_idempotent(settings):
    settings.DEBUG = True
    load()
    first = row_counts()
    load()
    assert row_counts() == first
    assert first["network.User"] >= len(DEMO_ACCOUNTS)


def test_demo_loader_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    before = row_counts()
    with pytest.raises(CommandError, match="DEBUG is off"):
        load()
    assert row_counts() == before


@pytest.mark.parametrize("email", [account["email"] for account in DEMO_ACCOUNTS])
def test_demo_accounts_log_in_with_the_demo_password(settings, email):
    settings.DEBUG = True
    load()
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_demo_chair_is_a_network_officer(settings):
    settings.DEBUG = True
    assert "wmasn-demo" in load()
    assert User.objects.get(email="chair@example.org").is_officer
    assert not User.objects.get(email="police@example.org").is_officer
