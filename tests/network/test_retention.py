"""Retention: sign-ups never verified are removed after 30 days by a cron command."""

import datetime as dt
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.utils import timezone

from network.models import Membership, User
from network.privacy import delete_account, purge_unverified_signups, unverified_signups
from pledges.models import Pledge
from tests.factories import (
    MembershipFactory,
    PendingMembershipFactory,
    PledgeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2018, 3, 22, 10, 0, tzinfo=dt.UTC)


def signup(email, *, joined, verified=False, **kwargs):
    """A sign-up as allauth leaves it: an email address row, verified or not."""
    user = UserFactory(email=email, verified=False, date_joined=joined, **kwargs)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def run(*args):
    out = StringIO()
    call_command("purge_unverified_signups", *args, stdout=out)
    return out.getvalue()


def test_the_30_day_boundary():
    just_kept = signup(
        "kept@example.org", joined=NOW - dt.timedelta(days=30) + dt.timedelta(minutes=1)
    )
    exactly = signup("exactly@example.org", joined=NOW - dt.timedelta(days=30))
    just_gone = signup("gone@example.org", joined=NOW - dt.timedelta(days=30, minutes=1))

    removed = purge_unverified_signups(now=NOW)

    assert [email for _, email, _ in removed] == ["gone@example.org"]
    assert set(User.objects.values_list("pk", flat=True)) == {just_kept.pk, exactly.pk}
    assert not User.objects.filter(pk=just_gone.pk).exists()


def test_verified_staff_members_and_tombstones_are_kept():
    old = NOW - dt.timedelta(days=400)
    verified = signup("verified@example.org", joined=old, verified=True)
    staff = signup("staff@example.org", joined=old, is_staff=True)
    member = signup("member@example.org", joined=old)
    MembershipFactory(user=member)
    ended = signup("ended@example.org", joined=old)
    MembershipFactory(user=ended, status=Membership.Status.ENDED)
    tombstone = UserFactory(date_joined=old)
    delete_account(user=tombstone)
    no_address_at_all = UserFactory(email="noaddress@example.org", verified=False, date_joined=old)
    pending = signup("pending@example.org", joined=old)
    PendingMembershipFactory(user=pending)

    removed = purge_unverified_signups(now=NOW)

    assert sorted(email for _, email, _ in removed) == [
        "noaddress@example.org",
        "pending@example.org",
    ]
    kept = set(User.objects.values_list("pk", flat=True))
    assert {verified.pk, staff.pk, member.pk, ended.pk, tombstone.pk} <= kept
    assert no_address_at_all.pk not in kept and pending.pk not in kept
    # Their pending request goes with them.
    assert not Membership.objects.filter(user_id=pending.pk).exists()


def test_an_unverified_second_address_does_not_save_or_doom_a_verified_user():
    user = signup("main@example.org", joined=NOW - dt.timedelta(days=90), verified=True)
    EmailAddress.objects.create(user=user, email="second@example.org", verified=False)

    assert not unverified_signups(now=NOW).filter(pk=user.pk).exists()


def test_pledges_of_a_removed_sign_up_stay():
    user = signup("old@example.org", joined=NOW - dt.timedelta(days=60))
    pledge = PledgeFactory(created_by=user)

    purge_unverified_signups(now=NOW)

    pledge.refresh_from_db()
    assert Pledge.objects.filter(pk=pledge.pk).exists()
    assert pledge.created_by is None


def test_command_removes_and_prints_what_it_removed():
    now = timezone.now()
    gone = signup("gone@example.org", joined=now - dt.timedelta(days=31))
    signup("recent@example.org", joined=now - dt.timedelta(days=29))

    output = run()

    assert f"Removed user {gone.pk} <gone@example.org>" in output
    assert "Removed 1 unverified sign-up(s) older than 30 days." in output
    assert "recent@example.org" not in output
    assert list(User.objects.values_list("email", flat=True)) == ["recent@example.org"]


def test_dry_run_deletes_nothing():
    now = timezone.now()
    signup("gone@example.org", joined=now - dt.timedelta(days=31))

    output = run("--dry-run")

    assert "Would remove user" in output and "gone@example.org" in output
    assert "Dry run: nothing was deleted." in output
    assert User.objects.filter(email="gone@example.org").exists()


def test_days_option_moves_the_boundary():
    now = timezone.now()
    signup("eleven@example.org", joined=now - dt.timedelta(days=11))
    signup("nine@example.org", joined=now - dt.timedelta(days=9))

    run("--days", "10")

    assert list(User.objects.values_list("email", flat=True)) == ["nine@example.org"]


@pytest.mark.parametrize("days", ["0", "-5"])
def test_days_must_be_positive(days):
    with pytest.raises(CommandError):
        run("--days", days)


def test_nothing_to_remove_says_so():
    assert "Removed 0 unverified sign-up(s)" in run()
