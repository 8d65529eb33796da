"""Owners are reminded 7 days before an action is due and once when it is overdue: through the
mail queue, once, under each person's email choices; the meeting reminder lists their actions."""

import datetime as dt

import pytest
from django.core import mail

from actions.models import Action, ActionReminder
from actions.services import send_action_reminders
from events import notices
from network import notifications
from network.models import User
from network.notifications import Kind
from tests.factories import EventFactory, MembershipFactory

from .conftest import TODAY, ActionFactory, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def run(function, *args, **kwargs):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            function(*args, **kwargs)
        return list(mail.outbox)

    return run


def remind(send, day):
    return send(send_action_reminders, today=day)


def test_owners_are_reminded_a_week_before_and_once_overdue(send, own_action, member):
    due = own_action.due_on  # 1 February 2018
    assert remind(send, due - dt.timedelta(days=8)) == []
    [week] = remind(send, due - dt.timedelta(days=7))
    assert week.to == [member.email]
    assert week.subject.startswith("[WMASN] Action due in 7 days: Agree lead agencies")
    assert f"/actions/{own_action.pk}/" in week.body
    assert "List-Unsubscribe" in week.extra_headers
    assert remind(send, due - dt.timedelta(days=7)) == []  # the same day again
    assert remind(send, due) == []
    [late] = remind(send, due + dt.timedelta(days=1))
    assert late.subject.startswith("[WMASN] Action overdue")
    assert remind(send, due + dt.timedelta(days=2)) == []
    assert remind(send, due + dt.timedelta(days=30)) == []
    assert set(ActionReminder.objects.values_list("kind", flat=True)) == {"due_soon", "overdue"}


def test_a_named_owner_is_reminded_and_not_their_colleagues(send, own_action, member, agency):
    colleague = MembershipFactory(agency=agency).user
    own_action.owner_person = colleague
    own_action.save()
    [message] = remind(send, own_action.due_on)
    assert message.to == [colleague.email]
    assert "you are named as the action's owner" in message.body
    assert member.email not in [m.to[0] for m in mail.outbox]


def test_nobody_who_switched_action_reminders_off(send, own_action, member, agency):
    colleague = MembershipFactory(agency=agency).user
    notifications.switch(member, Kind.ACTION_REMINDERS, on=False)
    messages = remind(send, own_action.due_on)
    assert [m.to for m in messages] == [[colleague.email]]


def test_the_one_click_unsubscribe_stops_them(send, client, own_action, member):
    token = notifications.unsubscribe_token(member, Kind.ACTION_REMINDERS)
    response = client.post(f"/account/notifications/unsubscribe/{token}/")
    assert response.status_code == 200
    assert not User.objects.wanting(Kind.ACTION_REMINDERS).filter(pk=member.pk).exists()
    assert remind(send, own_action.due_on) == []


def test_done_and_dropped_actions_are_not_reminded(send, own_action, member):
    Action.objects.filter(pk=own_action.pk).update(status="done", closed_on=TODAY)
    assert remind(send, own_action.due_on + dt.timedelta(days=3)) == []


def test_reminders_go_through_the_mail_queue(
    own_action, member, database_tasks, django_capture_on_commit_callbacks
):
    from wmasn.mail.models import OutgoingEmail

    with django_capture_on_commit_callbacks(execute=True):
        send_action_reminders(today=own_action.due_on)
    assert mail.outbox == []
    queued = OutgoingEmail.objects.get()
    assert (queued.recipient, queued.kind) == (member.email, "action-reminders")


def test_the_periodic_job_is_registered():
    from wmasn.jobs import get_job

    assert get_job("actions.reminders").every == dt.timedelta(hours=6)


def test_the_meeting_reminder_lists_the_persons_own_open_actions(
    send, member, agency, own_action, others_action
):
    import time_machine

    colleague = MembershipFactory(agency=agency).user
    ActionFactory(owner_agency=agency, owner_person=colleague, title="A colleague's action")
    meeting = EventFactory(starts_at=at(dt.date(2018, 1, 18)))
    with time_machine.travel(at(dt.date(2018, 1, 17), 9), tick=False):
        messages = send(notices.send_reminders)
    [mine] = [m for m in messages if m.to == [member.email]]
    assert (
        f"/events/{meeting.slug}/\n\nYour open actions, to report on at the meeting:\n- "
        in mine.body
    )
    assert f"/actions/{own_action.pk}/\n\n--\n" in mine.body
    assert own_action.title in mine.body
    assert others_action.title not in mine.body
    assert "A colleague's action" not in mine.body
    [theirs] = [m for m in messages if m.to == [colleague.email]]
    assert "A colleague's action" in theirs.body
    assert meeting.title in mine.subject


def test_a_named_owner_who_left_the_agency_hands_the_reminder_to_its_members(
    send, own_action, member, agency
):
    leaver = MembershipFactory(agency=agency).user
    own_action.owner_person = leaver
    own_action.save()
    leaver.memberships.update(status="ended")
    [message] = remind(send, own_action.due_on)
    assert message.to == [member.email]
