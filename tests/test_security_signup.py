"""Issue 24, item 4: sign-up takes the same time for a known and an unknown address, so its
timing does not tell who has an account (medians within 20 %, with the real password hasher).

The assertion uses this process's CPU time: the work is CPU-bound (hashing, SQLite), and
other processes on a busy machine then cannot tip it; the wall-clock medians are printed too.
"""

import statistics
import time

import pytest
from django.test import Client, TestCase

from network.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROUNDS = 9
PASSWORD = "a-long-and-unusual-passphrase-2018"


def sign_up(email, address):
    data = {
        "first_name": "Sam",
        "last_name": "Okafor",
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    client = Client(REMOTE_ADDR=address)
    started, cpu_started = time.perf_counter(), time.process_time()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/accounts/signup/", data)
    cpu, wall = time.process_time() - cpu_started, time.perf_counter() - started
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    return cpu, wall


def test_sign_up_takes_as_long_for_a_known_address_as_for_a_new_one(settings):
    # Production's hasher (PBKDF2), not the tests' fast MD5: hashing is the work that differed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    known = UserFactory(email="known@example.org")
    sign_up("warm.up@example.org", "192.0.2.200")
    new_times, known_times = [], []
    for i in range(ROUNDS):  # interleaved, so that a slow moment hits both alike
        new_times.append(sign_up(f"new.{i}@example.org", f"192.0.2.{i + 1}"))
        known_times.append(sign_up(known.email, f"198.51.100.{i + 1}"))
    assert User.objects.filter(email__startswith="new.").count() == ROUNDS
    (new_cpu, new_wall), (known_cpu, known_wall) = (
        [statistics.median(sample[k] for sample in times) * 1000 for k in (0, 1)]
        for times in (new_times, known_times)
    )
    print(
        f"sign-up medians (CPU / wall): new address {new_cpu:.0f} / {new_wall:.0f} ms, "
        f"known address {known_cpu:.0f} / {known_wall:.0f} ms"
    )
    assert abs(new_cpu - known_cpu) <= 0.2 * max(new_cpu, known_cpu)
