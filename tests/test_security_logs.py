"""Issue 24, item 3: no secret link in any log.

Personal feed tokens were redacted; answer links, invitations (whoever read the log could
join), password-reset keys and unsubscribe tokens were not. One table, wmasn/log_redaction.py,
now covers every URL that carries a secret, in gunicorn's access log and Django's own logs.
"""

import http.client
import io
import logging
import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.servers import Gunicorn
from wmasn.log_redaction import SECRET_PATHS, redact

ROOT = Path(__file__).resolve().parent.parent
# Arguments of a URL pattern that hold a secret: a new URL with one must be in the table.
SECRET_ARGUMENT = re.compile(r"token|key|code|secret|signature")


def secret():
    return "SeCrEt" + secrets.token_urlsafe(12)


def secret_urls(value):
    """One URL of each kind that carries a secret, the secret being `value`."""
    return {
        "personal calendar feed": f"/calendar/{value}.ics",
        "answer link": f"/events/network-meeting/answer/{value}/",
        "ticket": f"/events/anti-slavery-day/ticket/{value}/",
        "guest registration confirmation": f"/events/anti-slavery-day/register/confirm/{value}/",
        "guest's registrations": f"/events/my-registrations/{value}/",
        "invitation": f"/invitations/{value}/",
        "password reset": f"/accounts/password/reset/key/3-{value}/",
        "email confirmation": f"/accounts/confirm-email/{value}/",
        "notification unsubscribe": f"/account/notifications/unsubscribe/{value}/",
        "newsletter unsubscribe": f"/newsletters/unsubscribe/{value}/",
        "newsletter confirmation": f"/newsletters/subscribe/confirm/{value}/",
        "a secret in the query": f"/accounts/login/?next=/&token={value}",
    }


def test_the_table_names_every_kind_of_secret_link():
    assert len(SECRET_PATHS) == len(secret_urls("x")) - 1
    for what, url in secret_urls("S3CRETvalue").items():
        assert "S3CRETvalue" not in redact(f'"GET {url} HTTP/1.1"'), what


@pytest.mark.parametrize(
    "encode",
    [
        lambda path: path,
        lambda path: path.replace("/", "%2F", 2).replace("/%2F", "//", 0),
        lambda path: path.replace("e", "%65").replace("n", "%6E"),
        lambda path: "https://portal.example.org" + path,
    ],
    ids=["plain", "encoded-slash", "encoded-letters", "absolute"],
)
def test_secret_links_are_redacted_however_they_are_encoded(encode):
    value = secret()
    for what, url in secret_urls(value).items():
        assert value not in redact(encode(url)), what


def test_the_rest_of_a_logged_line_is_kept():
    line = '10.0.0.5 - - "GET /events/meeting-1/answer/abc/ HTTP/1.1" 302 0 "-" "Mozilla/5.0"'
    assert redact(line) == (
        '10.0.0.5 - - "GET /events/meeting-1/answer/[token]/ HTTP/1.1" 302 0 "-" "Mozilla/5.0"'
    )
    assert redact("GET /events/meeting-1/ HTTP/1.1") == "GET /events/meeting-1/ HTTP/1.1"
    assert redact("/calendar/ and /groups/x/calendar/") == "/calendar/ and /groups/x/calendar/"


def every_url_pattern():
    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                pattern = entry.pattern
                names = list(getattr(pattern, "converters", {}) or pattern.regex.groupindex)
                yield f"{namespace}{entry.name}", names

    return walk(get_resolver().url_patterns, "")


def test_every_url_with_a_secret_argument_is_in_the_table():
    """A new URL that carries a secret fails here until SECRET_PATHS covers it."""
    samples = {"uidb36": "3", "year": 2018, "pk": 1, "size": "web", "filename": "a.pdf"}
    checked = []
    for name, arguments in every_url_pattern():
        secret_names = [arg for arg in arguments if SECRET_ARGUMENT.search(arg)]
        if not secret_names:
            continue
        value = "S3CRETvalue"
        kwargs = {arg: samples.get(arg, "some-slug") for arg in arguments}
        kwargs.update(dict.fromkeys(secret_names, value))
        url = reverse(name, kwargs=kwargs)
        assert value not in redact(f"GET {url} HTTP/1.1"), name
        checked.append(name)
    assert {
        "events:personal-feed",
        "events:answer",
        "network:invitation-accept",
        "network:unsubscribe",
        "newsletters:unsubscribe",
        "newsletters:subscribe-confirm",
        "account_reset_password_from_key",
        "account_confirm_email",
    } <= set(checked)


@pytest.mark.django_db
def test_django_request_logging_and_runserver_redact_every_kind(client, caplog):
    value = secret()
    with caplog.at_level(logging.INFO):
        for url in secret_urls(value).values():
            client.get(url)  # most answer 404 or redirect: django.request logs a 404's path
            logging.getLogger("django.server").info('"GET %s HTTP/1.1" 404 0', url)
            logging.getLogger("gunicorn.access").info(
                '%(r)s %(s)s "%(f)s"', {"r": f"GET {url} HTTP/1.1", "s": "404", "f": url}
            )
            # Any other logger reaches the console handler, which redacts too.
            logging.getLogger("wmasn.elsewhere").warning("Looked at %s", url)
    assert caplog.records
    assert value not in caplog.text
    assert "Not Found: /invitations/[token]/" in caplog.text


def test_the_console_handler_redacts_records_from_any_logger():
    from wmasn.log_redaction import RedactSecrets

    console = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactSecrets) for f in handler.filters)
    )
    value, written = secret(), io.StringIO()
    stream = console.setStream(written)
    try:
        logging.getLogger("wmasn.some.module").warning("Visited /invitations/%s/", value)
    finally:
        console.setStream(stream)
    assert value not in written.getvalue()
    assert "Visited /invitations/[token]/" in written.getvalue()


# A real gunicorn, with the access log the deployment docs give -------------------------


def gunicorn_env(database):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO")}
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    env.update(
        # Production's, with static files from the app directories (no collectstatic).
        DJANGO_SETTINGS_MODULE="tests.fault_settings",
        SECRET_KEY="log-test-only-secret-key-not-for-production-0123456789",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{database}",
        SECURE_SSL_REDIRECT="false",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT="9",
        # docs/deployment.md: `--access-logfile -`, gunicorn's default format.
        GUNICORN_CMD_ARGS="--access-logfile -",
    )
    return env


def get(port, path, referer=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Referer": f"https://127.0.0.1{referer}"} if referer else {}
    connection.request("GET", path, headers=headers)
    status = connection.getresponse().status
    connection.close()
    return status


def test_a_real_gunicorn_access_log_holds_no_secret_link():
    root = Path(tempfile.mkdtemp(prefix="wmasn-logs-"))
    env = gunicorn_env(root / "db.sqlite3")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    value = secret()
    urls = secret_urls(value)
    server = Gunicorn(env, workers=1, log_path=root / "gunicorn.log").start(ROOT)
    try:
        statuses = {what: get(server.port, url) for what, url in urls.items()}
        # The page after a secret link names it as its Referer.
        get(server.port, "/", referer=urls["invitation"])
        get(server.port, f"/invitations%2F{value}/")
    finally:
        server.stop()
    log = (root / "gunicorn.log").read_text()
    assert set(statuses.values()) <= {200, 302, 404}, statuses
    assert value not in log
    for line in (
        '"GET /calendar/[token].ics HTTP/1.1"',
        '"GET /events/network-meeting/answer/[token]/ HTTP/1.1"',
        '"GET /events/anti-slavery-day/ticket/[code] HTTP/1.1"',
        '"GET /invitations/[token]/ HTTP/1.1"',
        '"GET /accounts/password/reset/key/[key]/ HTTP/1.1"',
        '"GET /accounts/confirm-email/[key]/ HTTP/1.1"',
        '"GET /account/notifications/unsubscribe/[token]/ HTTP/1.1"',
        '"GET /newsletters/unsubscribe/[token]/ HTTP/1.1"',
        '"GET /newsletters/subscribe/confirm/[token]/ HTTP/1.1"',
        "token=[secret]",
        '"https://127.0.0.1/invitations/[token]/"',  # the Referer
        "Not Found: /invitations/[token]/",  # Django's own request log
    ):
        assert line in log, line
