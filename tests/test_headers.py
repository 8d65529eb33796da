"""Security headers on every page, and prod's HSTS and cookie settings."""

import importlib
import sys

import pytest
from django.test import Client, override_settings

from tests.factories import PASSWORD, UserFactory

PROD_ENV = {
    "SECRET_KEY": "prod-test-" + "k" * 60,
    "ALLOWED_HOSTS": "testserver",
    "DATABASE_URL": "postgres://wmasn@db.example.org:5432/wmasn",
}
PROD_SECURITY_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_NAME",
]


@pytest.fixture
def prod_security(monkeypatch):
    """The security settings exactly as wmasn.settings.prod sets them."""
    for name, value in PROD_ENV.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("wmasn.settings.prod", None)
    try:
        prod = importlib.import_module("wmasn.settings.prod")
    finally:
        sys.modules.pop("wmasn.settings.prod", None)
    values = {name: getattr(prod, name) for name in PROD_SECURITY_SETTINGS}
    with override_settings(**values):
        yield values


def test_csp_forbids_inline_scripts_and_styles(anon_client):
    csp = anon_client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_every_page_sends_the_security_headers(anon_client):
    for url in ["/", "/accounts/login/", "/no-such-page/"]:
        response = anon_client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert "camera=()" in response["Permissions-Policy"], url
        assert "geolocation=()" in response["Permissions-Policy"], url
        assert "Content-Security-Policy" in response, url


def test_prod_sends_hsts_over_https(prod_security, db):
    response = Client().get("/", secure=True)
    assert response.status_code == 200
    hsts = response["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts
    assert "preload" in hsts


def test_prod_redirects_http_to_https_but_not_the_health_check(prod_security, db):
    response = Client().get("/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert Client().get("/healthz/").status_code == 200


def test_prod_trusts_the_load_balancers_https_header(prod_security, db):
    response = Client().get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200


def test_prod_cookies_are_secure_httponly_and_samesite(prod_security, db):
    UserFactory(email="cookie@example.org")
    client = Client()
    login_page = client.get("/accounts/login/", secure=True)
    csrf_cookie = login_page.cookies["__Secure-csrftoken"]
    assert csrf_cookie["secure"]
    assert csrf_cookie["httponly"]
    assert csrf_cookie["samesite"] == "Lax"

    response = client.post(
        "/accounts/login/", {"login": "cookie@example.org", "password": PASSWORD}, secure=True
    )
    assert response.status_code == 302
    session_cookie = response.cookies["__Secure-sessionid"]
    assert session_cookie["secure"]
    assert session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"


def test_cached_csp_header_is_the_policy_django_csp_builds(client, db):
    from csp.utils import build_policy

    response = client.get("/")
    assert response["Content-Security-Policy"] == build_policy()
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_a_response_with_its_own_csp_gets_django_csps_full_treatment(rf):
    from django.http import HttpResponse

    from wmasn.middleware import CachedCSPMiddleware

    def view(request):
        response = HttpResponse("ok")
        response._csp_update = {"img-src": ["https://maps.example.org"]}
        return response

    response = CachedCSPMiddleware(view)(rf.get("/"))
    assert "https://maps.example.org" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_pages_that_show_a_secret_are_never_stored(member_client):
    # allauth shows an authenticator's secret only just after the password was confirmed.
    assert (
        member_client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    )
    for path in ["/calendar/", "/accounts/2fa/totp/activate/"]:
        response = member_client.get(path)
        assert response.status_code == 200, path
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, path


@pytest.mark.django_db
def test_other_pages_keep_their_own_caching(anon_client):
    assert "no-store" not in anon_client.get("/calendar.ics").get("Cache-Control", "")
