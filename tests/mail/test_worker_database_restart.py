"""A worker that outlives its database: a real `db_worker`, on a PostgreSQL cluster of the
test's own (never the machine's shared one), keeps running while that cluster restarts and
sends the mail queued afterwards, with no one restarting it.

Slow (about half a minute) and it starts a cluster: marked `faults`, run on the PostgreSQL
pass only, as tests/test_faults.py is.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.servers import PostgresCluster, postgres_bin_dir

ROOT = Path(__file__).resolve().parent.parent.parent
ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="A fault test runs once, on the PostgreSQL pass (DATABASE_URL=postgres://…).",
    ),
    pytest.mark.skipif(postgres_bin_dir() is None, reason="No /usr/lib/postgresql/*/bin/initdb."),
]

QUEUE = """
import sys, django
django.setup()
from wmasn import mail
content = mail.store_content(mail.RenderedEmail(subject="News", text="Hello.\\n"))
mail.queue_emails(content, [sys.argv[1]], kind="test")
"""


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def cluster():
    cluster = PostgresCluster()
    try:
        yield cluster.create()
    finally:
        cluster.remove()


def test_the_worker_reconnects_after_postgresql_restarts_and_sends_what_was_queued(
    cluster, smtp_server, tmp_path
):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO")}
    env.update(
        DJANGO_SETTINGS_MODULE="wmasn.settings.dev",
        DATABASE_URL=cluster.url,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_server.port),
        EMAIL_USE_TLS="false",
        LOG_LEVEL="WARNING",
    )

    def manage(*args):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)

    def queue(address):
        subprocess.run([sys.executable, "-c", QUEUE, address], cwd=ROOT, env=env, check=True)

    manage("migrate", "--noinput", "-v0")
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.2",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        queue("before@example.org")
        assert wait_for(lambda: smtp_server.handler.recipients() == ["before@example.org"], 30)

        # As `systemctl restart postgresql` does (a crash, "immediate", may also forget the
        # last moment's "sent" marks and send those again: docs/deployment.md, "Mail").
        cluster.stop("fast")
        time.sleep(3)  # the worker polls every 0.2 s: it meets the dead database many times
        assert worker.poll() is None, "the worker exited while the database was down"
        cluster.start()
        back = time.monotonic()

        queue("after@example.org")
        assert wait_for(lambda: "after@example.org" in smtp_server.handler.recipients(), 60)
        print(f"sent {time.monotonic() - back:.1f} s after PostgreSQL accepted connections")
        assert worker.poll() is None
        assert smtp_server.handler.recipients() == ["before@example.org", "after@example.org"]
    finally:
        worker.terminate()
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
    assert "The database is unavailable" in (tmp_path / "worker.log").read_text()
