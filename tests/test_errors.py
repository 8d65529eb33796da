"""Friendly error pages: one h1, the site's layout, and a 500 page that needs no database."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.urls import path

from wmasn.urls import urlpatterns as site_urlpatterns


def forbidden(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("tampered")


def broken(request):
    raise RuntimeError("boom")


# This module doubles as a URLconf: the site's URLs plus views that fail on purpose.
urlpatterns = [
    path("test-errors/403/", forbidden),
    path("test-errors/400/", suspicious),
    path("test-errors/500/", broken),
    *site_urlpatterns,
]
handler400 = "wmasn.views.bad_request"
handler403 = "wmasn.views.permission_denied"
handler404 = "wmasn.views.page_not_found"
handler500 = "wmasn.views.server_error"


def h1_count(response):
    return response.content.decode().count("<h1")


def test_unknown_page_is_a_friendly_404(anon_client):
    response = anon_client.get("/no-such-page/")
    assert response.status_code == 404
    assert h1_count(response) == 1
    assert "Page not found" in response.content.decode()
    assert 'lang="en-GB"' in response.content.decode()


@pytest.mark.urls("tests.test_errors")
def test_permission_denied_is_a_friendly_403(anon_client):
    response = anon_client.get("/test-errors/403/")
    assert response.status_code == 403
    assert h1_count(response) == 1
    assert "You do not have access to this page" in response.content.decode()


@pytest.mark.urls("tests.test_errors")
def test_bad_request_is_a_friendly_400(anon_client):
    response = anon_client.get("/test-errors/400/")
    assert response.status_code == 400
    assert h1_count(response) == 1
    assert "Bad request" in response.content.decode()


@pytest.mark.urls("tests.test_errors")
def test_server_error_page_renders_without_the_database():
    # No django_db mark: any query made while rendering the 500 page would fail this test.
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/500/")
    assert response.status_code == 500
    assert h1_count(response) == 1
    assert "Sorry, something went wrong" in response.content.decode()
    assert "Skip to main content" in response.content.decode()
