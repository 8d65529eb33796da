"""/healthz/ tells a load balancer whether this app server can reach the database."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client


def test_healthz_answers_200_when_the_database_answers(anon_client):
    response = anon_client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_does_not(anon_client):
    with mock.patch("wmasn.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("could not connect to server")
        response = anon_client.get("/healthz/")
    assert response.status_code == 503
    assert b"database unavailable" in response.content


def test_healthz_answers_503_when_the_query_fails(anon_client):
    with mock.patch("wmasn.views.connection") as connection:
        cursor = connection.cursor.return_value.__enter__.return_value
        cursor.execute.side_effect = OperationalError("server closed the connection")
        response = anon_client.get("/healthz/")
    assert response.status_code == 503


def test_healthz_accepts_head_and_refuses_post(anon_client):
    assert anon_client.head("/healthz/").status_code == 200
    assert anon_client.post("/healthz/").status_code == 405


@pytest.mark.parametrize("host", ["10.0.3.17", "10.0.3.17:8000", "[fd00::17]:8000", "lb-probe"])
def test_healthz_answers_whatever_host_the_load_balancer_sends(anon_client, host):
    response = anon_client.get("/healthz/", HTTP_HOST=host)
    assert response.status_code == 200
    assert response.content == b"ok\n"


@pytest.mark.parametrize("path", ["/", "/healthz", "/healthz/extra/", "/events/", "/calendar.ics"])
@pytest.mark.django_db
def test_only_healthz_answers_an_unknown_host(path):
    response = Client(raise_request_exception=False).get(path, HTTP_HOST="10.0.3.17")
    assert response.status_code == 400


def test_healthz_by_ip_refuses_post_too(anon_client):
    assert anon_client.post("/healthz/", HTTP_HOST="10.0.3.17").status_code == 405
