"""The client's address behind the proxy: rate limits count per visitor, not per proxy,
and a forged X-Forwarded-For changes nothing."""

import pytest
from django.test import Client, RequestFactory

from tests.factories import PASSWORD, UserFactory
from wmasn.clients import client_address

PROXY = "10.0.0.5"


def request_with(remote_addr, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


def test_without_a_trusted_proxy_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_with("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


def test_behind_one_proxy_the_address_it_appended_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_with(PROXY, "203.0.113.9")) == "203.0.113.9"
    # Whatever the client wrote before the proxy's entry is ignored.
    assert client_address(request_with(PROXY, "1.2.3.4, 203.0.113.9")) == "203.0.113.9"


def test_behind_two_proxies_the_second_last_entry_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_with(PROXY, "1.2.3.4, 203.0.113.9, 10.0.0.9")) == ("203.0.113.9")


def test_a_header_shorter_than_the_proxy_chain_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_with(PROXY, "203.0.113.9")) == PROXY


@pytest.mark.parametrize("forwarded", ["", "not-an-address", "  ", "203.0.113.9:5555"])
def test_malformed_entries_fall_back_to_the_socket_address_or_lose_their_port(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    expected = "203.0.113.9" if forwarded.endswith(":5555") else PROXY
    assert client_address(request_with(PROXY, forwarded)) == expected


def test_ipv6_addresses_are_normalised(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_with(PROXY, "[2001:DB8::1]:443")) == "2001:db8::1"
    assert client_address(request_with(PROXY, "2001:db8:0::1")) == "2001:db8::1"


# Logging in behind the documented proxy (TRUSTED_PROXY_COUNT=1, as docs/deployment.md says).


def log_in(client, email, password, forwarded):
    return client.post(
        "/accounts/login/",
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def is_locked_out(response):
    return response.status_code == 429 or "Too many failed login attempts" in (
        response.content.decode()
    )


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


@pytest.mark.django_db
def test_failed_logins_from_one_visitor_do_not_lock_out_another(behind_proxy):
    UserFactory(email="police@example.org")
    attacker = Client()
    responses = [
        log_in(attacker, f"made-up-{n}@example.org", "wrong", "198.51.100.7") for n in range(12)
    ]
    assert is_locked_out(responses[-1]), "the rate limit must still stop the attacker"
    member = Client()
    response = log_in(member, "police@example.org", PASSWORD, "203.0.113.20")
    assert response.status_code == 302
    assert "_auth_user_id" in member.session


@pytest.mark.django_db
def test_a_forged_header_does_not_escape_the_rate_limit(behind_proxy):
    attacker = Client()
    responses = [
        # The proxy appends the real address; the forged entries before it change each time.
        log_in(attacker, f"made-up-{n}@example.org", "wrong", f"192.0.2.{n}, 198.51.100.7")
        for n in range(12)
    ]
    assert is_locked_out(responses[-1])


@pytest.mark.django_db
def test_a_direct_client_cannot_pick_its_address_with_the_header(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    attacker = Client()
    responses = [
        attacker.post(
            "/accounts/login/",
            {"login": f"made-up-{n}@example.org", "password": "wrong"},
            REMOTE_ADDR="198.51.100.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
        for n in range(12)
    ]
    assert is_locked_out(responses[-1])


def test_allauth_takes_the_address_from_the_one_helper(settings):
    from allauth.account.adapter import get_adapter

    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    # allauth's own reading refuses a header shorter than the proxy chain (a 500); ours
    # ignores it and counts the socket's address.
    request = request_with(PROXY, "203.0.113.9")
    assert get_adapter(request).get_client_ip(request) == client_address(request) == PROXY
