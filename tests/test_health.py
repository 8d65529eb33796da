"""/healthz/ tells a load balancer whether this app server can reach the database."""

from unittest import mock

from django.db import OperationalError


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
