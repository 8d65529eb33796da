"""The privacy notice and the 'download my data' JSON export."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import CalendarToken
from network.privacy import BACKUP_KEEP_DAYS, UNVERIFIED_SIGNUP_DAYS, export_user_data
from tests.conftest import ROLES
from tests.factories import UserFactory, personal_data_for

# Marked so pytest-django orders these with the database tests (client_for_role
# reaches the database only through getfixturevalue).
pytestmark = pytest.mark.django_db

PRIVACY_URL = reverse("network:privacy")
DATA_URL = reverse("network:account-data")

USER_FOR_ROLE = {
    "pending": "pending_user",
    "other_member": "other_member",
    "member": "member",
    "officer": "officer",
}


# Privacy notice


@pytest.mark.parametrize("role", ROLES)
def test_privacy_notice_is_public_and_says_what_why_how_long_and_whom(role, client_for_role):
    response = client_for_role(role).get(PRIVACY_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    for words in [
        "What we store",
        "lawful basis",
        "Who sees what",
        "Your rights",
        f"deleted after {UNVERIFIED_SIGNUP_DAYS} days",
        f"{BACKUP_KEEP_DAYS} days, then deleted",
        "privacy@example.org",
        "Information Commissioner",
    ]:
        assert words in html, words


def test_privacy_notice_links_to_download_and_delete_for_signed_in_people(member_client):
    html = member_client.get(PRIVACY_URL).content.decode()

    assert f'href="{DATA_URL}"' in html
    assert f'href="{reverse("network:account-delete")}"' in html


def test_privacy_notice_for_visitors_has_no_account_links(anon_client):
    html = anon_client.get(PRIVACY_URL).content.decode()

    assert f'href="{DATA_URL}"' not in html


def test_privacy_contact_comes_from_the_setting(anon_client, settings):
    settings.WMASN_PRIVACY_CONTACT = "dpo@wmasn.example.org"

    html = anon_client.get(PRIVACY_URL).content.decode()

    assert "mailto:dpo@wmasn.example.org" in html
    assert "privacy@example.org" not in html


def test_footer_links_to_the_privacy_notice(anon_client):
    html = anon_client.get(reverse("home")).content.decode()

    assert f'href="{PRIVACY_URL}"' in html


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_privacy_notice_wrong_method(anon_client, method):
    assert getattr(anon_client, method)(PRIVACY_URL).status_code == 405


# Download my data


def test_anonymous_download_redirects_to_login(anon_client):
    response = anon_client.get(DATA_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_each_person_downloads_only_their_own_data(role, client_for_role, request):
    client = client_for_role(role)
    user = request.getfixturevalue(USER_FOR_ROLE[role])
    everyone = {name: request.getfixturevalue(name) for name in USER_FOR_ROLE.values()}
    # Everyone else in the fixtures, with data of their own that must never leak.
    stranger = UserFactory(email="stranger@example.org", first_name="Zebedee")
    personal_data_for(stranger, label="Stranger")

    response = client.get(DATA_URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="wmasn-my-data-')
    assert "no-cache" in response.get("Cache-Control", "") or "max-age=0" in response.get(
        "Cache-Control", ""
    )
    data = json.loads(response.content)
    assert data["profile"]["email"] == user.email
    assert [a["email"] for a in data["email_addresses"]] == [user.email]
    body = response.content.decode()
    assert "stranger@example.org" not in body
    assert "Zebedee" not in body
    assert "Stranger" not in body
    for person in everyone.values():
        if person != user:
            assert person.email not in body


def test_member_download_has_every_kind_of_their_data(member_client, member, agency):
    member.job_title = "Detective Inspector"
    member.phone = "0121 496 0123"
    member.save()
    personal_data_for(member, agency=agency, label="Mine")
    token = CalendarToken.objects.get(user=member)
    token.last_client = "Google-Calendar-Importer"
    token.save()

    data = json.loads(member_client.get(DATA_URL).content)

    assert data["profile"]["job_title"] == "Detective Inspector"
    assert data["profile"]["phone"] == "0121 496 0123"
    assert [m["agency"] for m in data["memberships"]] == ["West Midlands Police"]
    assert data["memberships"][0]["status"] == "approved"
    assert [r["event"] for r in data["rsvps"]] == ["Mine meeting 0"]
    assert data["rsvps"][0]["answer"] == "attending"
    assert data["calendar_token"]["last_client"] == "Google-Calendar-Importer"
    assert [g["group"] for g in data["working_groups"]] == ["Mine group 0"]
    assert [p["text"] for p in data["pledges_created"]] == ["Mine pledge 0"]
    assert [u["note"] for u in data["pledge_updates_written"]] == ["Mine progress 0"]
    assert [s["heading"] for s in data["newsletter_sections_written"]] == ["Mine section 0"]
    assert [d["issue"] for d in data["newsletter_deliveries"]] == ["Mine issue 0"]
    assert [a["type"] for a in data["mfa_authenticators"]] == ["totp"]


def test_download_never_contains_secrets(member_client, member):
    personal_data_for(member, label="Mine")
    token = CalendarToken.objects.get(user=member)

    body = member_client.get(DATA_URL).content.decode()

    assert token.token_hash not in body
    assert token.raw_token not in body
    assert token.nonce not in body
    assert "MineSECRET" not in body
    assert member.password not in body


def test_export_of_a_person_with_no_data_is_empty_not_an_error(db):
    user = UserFactory(verified=False)

    data = export_user_data(user)

    assert data["calendar_token"] is None
    assert data["memberships"] == [] and data["rsvps"] == []
    json.dumps(data)


def test_export_takes_the_same_number_of_queries_however_much_data(db):
    few, many = UserFactory(), UserFactory()
    personal_data_for(few, count=1, label="Few")
    personal_data_for(many, count=6, label="Many")

    with CaptureQueriesContext(connection) as few_queries:
        export_user_data(few)
    with CaptureQueriesContext(connection) as many_queries:
        data = export_user_data(many)

    assert len(data["rsvps"]) == 6
    assert len(many_queries) == len(few_queries)
    assert len(few_queries) <= 22  # one query per kind of data (22 kinds)


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_download_wrong_method(member_client, method):
    assert getattr(member_client, method)(DATA_URL).status_code == 405
