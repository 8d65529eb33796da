"""The send_pledge_reminders command: the right people, the right windows, never twice."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import TestCase

from network.models import Agency, Membership
from pledges.models import Pledge, PledgeReminder
from tests.factories import AgencyFactory, MembershipFactory, PledgeFactory, UserFactory

pytestmark = pytest.mark.django_db


def run(today, **options):
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_pledge_reminders", today=today, stdout=out, **options)
    return out.getvalue()


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def subjects_to(address):
    return sorted(m.subject for m in mail.outbox if address in m.to)


@pytest.fixture
def network(agency, other_agency, member, other_member, pending_user):
    """WMP has an open 2018 pledge; Barnardo's achieved theirs; nobody has pledged for 2019."""
    open_pledge = PledgeFactory(
        agency=agency, year=2018, status=Pledge.Status.IN_PROGRESS, text="Train every officer."
    )
    PledgeFactory(agency=other_agency, year=2018, status=Pledge.Status.ACHIEVED)
    return open_pledge


def test_nothing_is_sent_before_the_conference(network):
    out = run("2018-10-17")

    assert mail.outbox == []
    assert not PledgeReminder.objects.exists()
    assert "Emails sent: 0." in out


def test_after_the_conference_agencies_without_a_pledge_for_next_year_are_asked(
    network, agency, other_agency
):
    PledgeFactory(agency=other_agency, year=2019)

    out = run("2018-10-18")

    assert recipients() == ["member@example.org"]
    assert mail.outbox[0].subject == "[WMASN] West Midlands Police: make your pledge for 2019"
    assert "http://testserver/pledges/new/?year=2019" in mail.outbox[0].body
    assert PledgeReminder.objects.get().kind == PledgeReminder.Kind.NEW_PLEDGE
    assert "New-pledge reminders: 1 agencies." in out
    assert "Year-end reminders: 0 agencies." in out


def test_year_end_reminder_goes_to_members_of_agencies_with_open_pledges(
    network, agency, other_agency
):
    PledgeFactory(agency=agency, year=2019)
    PledgeFactory(agency=other_agency, year=2019)

    run("2018-11-01")

    assert recipients() == ["member@example.org"]
    message = mail.outbox[0]
    assert message.subject == "[WMASN] West Midlands Police: how did your 2018 pledges go?"
    assert "Train every officer." in message.body
    assert f"http://testserver/pledges/{network.pk}/edit/" in message.body
    assert "In progress" in message.body
    reminder = PledgeReminder.objects.get()
    assert (reminder.agency, reminder.kind, reminder.year, reminder.sent_on) == (
        agency,
        "year_end",
        2018,
        dt.date(2018, 11, 1),
    )


def test_in_november_both_reminders_go_out_to_the_right_people(network):
    run("2018-11-05")

    assert subjects_to("member@example.org") == [
        "[WMASN] West Midlands Police: how did your 2018 pledges go?",
        "[WMASN] West Midlands Police: make your pledge for 2019",
    ]
    assert subjects_to("other@example.org") == ["[WMASN] Barnardo's: make your pledge for 2019"]
    assert subjects_to("pending@example.org") == []
    assert len(mail.outbox) == 3


def test_each_email_goes_to_one_member_only(agency, member):
    MembershipFactory(agency=agency, user__email="colleague@example.org")

    run("2018-10-20")

    assert [message.to for message in mail.outbox] == [
        ["colleague@example.org"],
        ["member@example.org"],
    ]


def test_second_run_on_the_same_day_sends_nothing(network):
    run("2018-11-05")
    first = len(mail.outbox)

    out = run("2018-11-05")

    assert first == 3
    assert len(mail.outbox) == first
    assert PledgeReminder.objects.count() == 3
    assert "Emails sent: 0." in out


def test_reminders_repeat_weekly_not_daily(network):
    run("2018-11-05")
    run("2018-11-06")
    run("2018-11-11")
    assert len(mail.outbox) == 3

    run("2018-11-12")

    assert len(mail.outbox) == 6


def test_interval_option_sets_how_often_reminders_repeat(network):
    run("2018-11-05", interval_days=1)
    run("2018-11-06", interval_days=1)
    assert len(mail.outbox) == 6


def test_a_run_on_new_years_day_sends_nothing(network):
    run("2019-01-01")
    assert mail.outbox == []


def test_no_year_end_reminder_once_pledges_are_settled(network):
    network.status = Pledge.Status.ACHIEVED
    network.save()

    run("2018-11-05")

    assert all("how did" not in m.subject for m in mail.outbox)


def test_ended_memberships_inactive_users_and_proposed_agencies_get_nothing(agency):
    MembershipFactory(agency=agency, user__email="left@example.org", status="ended")
    MembershipFactory(agency=agency, user=UserFactory(email="gone@example.org", is_active=False))
    proposed = AgencyFactory(status=Agency.Status.PROPOSED)
    MembershipFactory(agency=proposed, user__email="proposed@example.org")

    run("2018-11-05")

    assert mail.outbox == []
    assert not PledgeReminder.objects.exists()


def test_agency_without_members_is_reminded_once_it_has_one(agency):
    run("2018-11-05")
    assert mail.outbox == []

    MembershipFactory(agency=agency, user__email="joined@example.org")
    run("2018-11-05")

    assert recipients() == ["joined@example.org"]


def test_existing_reminder_row_stops_a_concurrent_send(network, agency):
    # What a second process sees once the first has committed its row for today.
    PledgeReminder.objects.create(
        agency=agency, kind="year_end", year=2018, sent_on=dt.date(2018, 11, 5)
    )

    run("2018-11-05")

    assert subjects_to("member@example.org") == [
        "[WMASN] West Midlands Police: make your pledge for 2019"
    ]


@pytest.mark.parametrize("value", ["05/11/2018", "2018-13-01", "tomorrow"])
def test_bad_today_is_a_command_error(value):
    with pytest.raises(CommandError):
        run(value)


def test_without_today_the_command_uses_the_local_date(network):
    import time_machine

    with time_machine.travel(dt.datetime(2018, 7, 1, 9, 0), tick=False):
        out = run(None)
    assert "Pledge reminders for 2018-07-01" in out
    assert mail.outbox == []
    assert Membership.objects.approved().count() == 2
