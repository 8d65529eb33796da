"""A real `python manage.py db_worker` against PostgreSQL: an officer's action in the admin
ends as an email at a real SMTP server; a worker killed with SIGKILL mid-batch costs at most
one repeated message, and the rest go out within two minutes. PostgreSQL only (CI runs it
once there): the worker is another process and must see the test's committed rows."""

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from network.models import Membership
from wmasn import mail
from wmasn.mail.models import OutgoingEmail

ROOT = Path(__file__).resolve().parent.parent.parent
ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="The worker is another process: run with DATABASE_URL=postgres://… (CI does).",
    ),
    # Committed rows, so the worker (another process) sees them. The officers group and the
    # site are made again after each flush by network/officers.py's post_migrate receiver.
    pytest.mark.django_db(transaction=True),
]


def worker_database_url():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, smtp_port):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "wmasn.settings.dev",
            "DATABASE_URL": worker_database_url(),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "false",
            "LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
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
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.stdout.read().decode()


@pytest.fixture
def start_worker(smtp_server):
    workers = []

    def start():
        worker = Worker(smtp_server.port)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_an_officers_approval_arrives_at_the_smtp_server(
    database_tasks, start_worker, smtp_server, officer_client, pending_user
):
    start_worker()
    membership = Membership.objects.get(user=pending_user)
    response = officer_client.post(
        reverse("admin:network_membership_changelist"),
        {"action": "approve", "_selected_action": [membership.pk], "index": 0},
    )
    assert response.status_code == 302

    def approvals():
        # The worker also runs the scheduled jobs: in the weeks after the conference the new
        # member rightly gets a pledge reminder too, so pick the decision out by its subject.
        return [
            (recipient, raw)
            for recipient, raw in smtp_server.handler.received
            if b"Subject: [WMASN] Your membership of" in raw
        ]

    assert wait_for(approvals), "the worker sent no decision"
    [(recipient, raw)] = approvals()
    assert recipient == "pending@example.org"
    assert b"is approved" in raw
    email = OutgoingEmail.objects.get(recipient="pending@example.org", kind="membership-decision")
    assert wait_for(lambda: OutgoingEmail.objects.get(pk=email.pk).state == "sent")


def test_a_worker_killed_mid_batch_repeats_only_the_message_in_flight(
    database_tasks, start_worker, smtp_server
):
    addresses = [f"reader{n}@example.org" for n in range(10)]
    in_flight, release = threading.Event(), threading.Event()

    def hold_the_fifth(recipient):
        # The server has the whole message; the worker waits for its "250".
        if recipient == addresses[4] and not in_flight.is_set():
            in_flight.set()
            release.wait(20)

    smtp_server.handler.before_accepting = hold_the_fifth
    content = mail.store_content(mail.RenderedEmail(subject="News", text="Hello.\n"))
    mail.queue_emails(content, addresses, kind="test")  # committed: enqueues a task now

    first = start_worker()
    assert in_flight.wait(30), "the worker never reached the fifth message"
    first.process.kill()  # SIGKILL: no clean-up of any kind
    first.process.wait()
    release.set()
    assert Counter(OutgoingEmail.objects.values_list("state", flat=True)) == {
        "sent": 4,
        "sending": 6,
    }

    # The dead worker's lease runs out within LEASE, and the next worker's minute job sends
    # the rest: within two minutes of the kill, with nothing done by hand.
    killed_at = time.monotonic()
    start_worker()
    assert wait_for(lambda: not OutgoingEmail.objects.exclude(state="sent").exists(), 150)
    assert time.monotonic() - killed_at <= 120
    print(f"the rest sent {time.monotonic() - killed_at:.1f} s after the kill")
    received = Counter(smtp_server.handler.recipients())
    assert received == Counter(addresses) + Counter([addresses[4]])
