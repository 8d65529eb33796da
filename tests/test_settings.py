"""Settings: prod refuses to start half-configured, passes `check --deploy`, and reads the env."""

import importlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "SECRET_KEY": "prod-test-" + "k" * 60,
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "postgres://wmasn@db.example.org:5432/wmasn",
    "SITE_URL": "https://portal.example.org",
}


def run_python(args, env):
    """Run the project's Python in a scrubbed environment: only PATH plus `env`."""
    clean_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp", **env}
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


SETUP = "import django; django.setup()"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_prod_refuses_to_start_without_required_variable(missing):
    env = {k: v for k, v in PROD_ENV.items() if k != missing}
    result = run_python(["-c", SETUP], {"DJANGO_SETTINGS_MODULE": "wmasn.settings.prod", **env})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_prod_refuses_an_empty_required_variable():
    env = {**PROD_ENV, "SECRET_KEY": "  "}
    result = run_python(["-c", SETUP], {"DJANGO_SETTINGS_MODULE": "wmasn.settings.prod", **env})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_prod_starts_with_required_variables():
    result = run_python(
        ["-c", SETUP], {"DJANGO_SETTINGS_MODULE": "wmasn.settings.prod", **PROD_ENV}
    )
    assert result.returncode == 0, result.stderr


def test_check_deploy_reports_no_issues():
    env = {
        "DJANGO_SETTINGS_MODULE": "wmasn.settings.prod",
        **PROD_ENV,
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def check_deploy(**env):
    env = {
        "DJANGO_SETTINGS_MODULE": "wmasn.settings.prod",
        **PROD_ENV,
        "SECRET_KEY": secrets.token_urlsafe(50),
        **env,
    }
    env = {name: value for name, value in env.items() if value is not None}
    return run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)


@pytest.mark.parametrize(
    "site_url", [None, "", "http://portal.example.org", "https://127.0.0.1:8000"]
)
def test_check_deploy_fails_without_an_https_site_url(site_url):
    result = check_deploy(SITE_URL=site_url)

    assert result.returncode != 0
    assert "wmasn.E001" in result.stderr
    assert "SITE_URL" in result.stderr and "https://portal.example.org" in result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8101"}, "http://127.0.0.1:8101"),
        ({"HOST": "localhost", "PORT": "8101"}, "http://localhost:8101"),
        ({"HOST": "0.0.0.0", "PORT": "9000"}, "http://127.0.0.1:9000"),
        ({"HOST": "::1"}, "http://[::1]:8000"),
        ({"SITE_URL": "https://portal.example.org/", "PORT": "8101"}, "https://portal.example.org"),
    ],
)
def test_site_url_follows_make_runs_host_and_port_unless_set(env, expected):
    from wmasn.settings.environment import site_url

    assert site_url(env) == expected


def test_site_url_setting_follows_port(monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("HOST", raising=False)
    dev = load_settings(monkeypatch, "wmasn.settings.dev", PORT="8101", SITE_URL="")

    assert dev.SITE_URL == "http://127.0.0.1:8101"


SCRUBBED = [
    "REDIS_URL",
    "REDIS_TIMEOUT",
    "TRUSTED_PROXY_COUNT",
    "SECRET_KEY_FALLBACKS",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "DEFAULT_FROM_EMAIL",
]


def load_settings(monkeypatch, module, **env):
    """Import a settings module afresh with `env` (the running settings are not touched)."""
    for name in SCRUBBED:
        monkeypatch.delenv(name, raising=False)
    for name, value in {**PROD_ENV, **env}.items():
        monkeypatch.setenv(name, value)
    # base reads the environment too, so both are imported afresh and then forgotten again.
    fresh = [module, "wmasn.settings.base"]
    for name in fresh:
        sys.modules.pop(name, None)
    try:
        return importlib.import_module(module)
    finally:
        for name in fresh:
            sys.modules.pop(name, None)


def test_prod_cache_is_the_database_cache_by_default(monkeypatch):
    prod = load_settings(monkeypatch, "wmasn.settings.prod")
    assert prod.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


def test_prod_cache_is_redis_when_redis_url_is_set(monkeypatch):
    prod = load_settings(monkeypatch, "wmasn.settings.prod", REDIS_URL="redis://cache:6379/1")
    assert prod.CACHES["default"]["BACKEND"] == "wmasn.cache.SharedRedisCache"
    assert prod.CACHES["default"]["LOCATION"] == "redis://cache:6379/1"


def test_prod_redis_cache_waits_at_most_redis_timeout(monkeypatch):
    prod = load_settings(
        monkeypatch, "wmasn.settings.prod", REDIS_URL="redis://cache:6379/1", REDIS_TIMEOUT="0.2"
    )
    options = prod.CACHES["default"]["OPTIONS"]
    assert options == {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}


def test_prod_trusts_no_proxy_unless_told_how_many(monkeypatch):
    prod = load_settings(monkeypatch, "wmasn.settings.prod")
    assert prod.TRUSTED_PROXY_COUNT == prod.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    prod = load_settings(monkeypatch, "wmasn.settings.prod", TRUSTED_PROXY_COUNT="1")
    assert prod.TRUSTED_PROXY_COUNT == prod.ALLAUTH_TRUSTED_PROXY_COUNT == 1
    assert prod.ACCOUNT_ADAPTER == "wmasn.accounts.AccountAdapter"


def test_prod_reads_secret_key_fallbacks(monkeypatch):
    prod = load_settings(monkeypatch, "wmasn.settings.prod", SECRET_KEY_FALLBACKS="old-1,old-2")
    assert prod.SECRET_KEY_FALLBACKS == ["old-1", "old-2"]
    assert load_settings(monkeypatch, "wmasn.settings.prod").SECRET_KEY_FALLBACKS == []


def test_prod_reads_database_and_hosts_from_the_environment(monkeypatch):
    prod = load_settings(
        monkeypatch, "wmasn.settings.prod", ALLOWED_HOSTS="a.example.org,b.example.org"
    )
    assert prod.ALLOWED_HOSTS == ["a.example.org", "b.example.org"]
    assert prod.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert prod.DATABASES["default"]["NAME"] == "wmasn"
    assert prod.DEBUG is False


def test_prod_sends_email_over_smtp_configured_from_the_environment(monkeypatch):
    prod = load_settings(
        monkeypatch,
        "wmasn.settings.prod",
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="2525",
        EMAIL_HOST_USER="portal",
        EMAIL_HOST_PASSWORD="smtp-secret",
        EMAIL_USE_TLS="false",
        DEFAULT_FROM_EMAIL="WMASN <noreply@example.org>",
    )
    assert prod.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    assert (prod.EMAIL_HOST, prod.EMAIL_PORT) == ("smtp.example.org", 2525)
    assert (prod.EMAIL_HOST_USER, prod.EMAIL_HOST_PASSWORD) == ("portal", "smtp-secret")
    assert prod.EMAIL_USE_TLS is False
    assert prod.DEFAULT_FROM_EMAIL == "WMASN <noreply@example.org>"


def test_dev_sends_email_to_the_console(monkeypatch):
    dev = load_settings(monkeypatch, "wmasn.settings.dev")
    assert dev.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
    assert dev.DEBUG is True
    assert dev.WMASN_ADMIN_REQUIRES_MFA is False


def test_prod_requires_mfa_for_the_admin_unless_turned_off(monkeypatch):
    monkeypatch.delenv("ADMIN_REQUIRES_MFA", raising=False)
    assert load_settings(monkeypatch, "wmasn.settings.prod").WMASN_ADMIN_REQUIRES_MFA is True
    prod = load_settings(monkeypatch, "wmasn.settings.prod", ADMIN_REQUIRES_MFA="false")
    assert prod.WMASN_ADMIN_REQUIRES_MFA is False


def test_prod_keeps_sessions_and_rate_limits_out_of_process_memory(monkeypatch):
    prod = load_settings(monkeypatch, "wmasn.settings.prod")
    assert prod.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert "locmem" not in prod.CACHES["default"]["BACKEND"]
    assert prod.ACCOUNT_RATE_LIMITS["login_failed"]
    assert prod.ACCOUNT_RATE_LIMITS["reset_password"]


def test_dev_cache_is_shared_between_processes():
    """What one process of `make run` writes (the worker, a shell), the server reads."""
    key = f"test-dev-cache-{secrets.token_hex(8)}"
    env = {"DJANGO_SETTINGS_MODULE": "wmasn.settings.dev"}
    use_cache = f"{SETUP}; from django.core.cache import cache"
    write = f"{use_cache}; cache.set({key!r}, 'from another', 60)"
    read = f"{use_cache}; print(cache.get({key!r})); cache.delete({key!r})"
    assert run_python(["-c", write], env).returncode == 0
    result = run_python(["-c", read], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "from another"


def test_dev_feed_version_bump_reaches_another_process():
    env = {"DJANGO_SETTINGS_MODULE": "wmasn.settings.dev"}
    use_feeds = (
        f"{SETUP}; from django.core.cache import cache; from events import feed_cache as feeds"
    )
    show = f"{use_feeds}; print(cache.get(feeds.version_key()))"
    bump = f"{use_feeds}; feeds.bump_feed_version()"
    before = run_python(["-c", show], env).stdout.strip()
    assert run_python(["-c", bump], env).returncode == 0
    after = run_python(["-c", show], env).stdout.strip()
    assert after != before and after != "None"
