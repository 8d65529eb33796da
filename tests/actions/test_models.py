"""Actions and decisions: the rules the data obeys, the QuerySet methods, the access helper."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from actions.access import get_action_for_owner, get_action_for_viewer
from actions.models import Action, ActionReminder
from tests.factories import (
    EventFactory,
    MembershipFactory,
    UserFactory,
    WorkingGroupFactory,
)

from .conftest import TODAY, ActionFactory, DecisionFactory, at

pytestmark = pytest.mark.django_db


def test_an_action_needs_a_due_date(agency, meeting):
    with pytest.raises(IntegrityError):
        Action.objects.create(
            title="No date", meeting=meeting, owner_agency=agency, agreed_on=TODAY, due_on=None
        )


def test_a_dropped_action_needs_a_reason_in_the_database(own_action):
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=own_action.pk).update(
            status=Action.Status.DROPPED, closed_on=TODAY, drop_reason=""
        )


def test_a_dropped_action_needs_a_reason_in_the_form(own_action):
    own_action.status = Action.Status.DROPPED
    own_action.closed_on = TODAY
    with pytest.raises(ValidationError) as raised:
        own_action.full_clean()
    assert "drop_reason" in raised.value.message_dict


def test_an_action_comes_from_a_meeting_or_a_group(agency):
    with pytest.raises(IntegrityError):
        Action.objects.create(
            title="From nowhere", owner_agency=agency, agreed_on=TODAY, due_on=TODAY
        )


def test_the_owner_person_must_be_a_member_of_the_owner_agency(own_action, other_member, member):
    own_action.owner_person = other_member
    with pytest.raises(ValidationError) as raised:
        own_action.full_clean()
    assert "owner_person" in raised.value.message_dict
    own_action.owner_person = member
    own_action.full_clean()


def test_an_action_from_a_groups_meeting_belongs_to_the_group(agency):
    group = WorkingGroupFactory()
    meeting = EventFactory(working_group=group, starts_at=at(dt.date(2017, 12, 1)))
    action = ActionFactory.build(meeting=meeting, owner_agency=agency)
    action.full_clean()
    assert action.working_group == group


def test_one_reminder_of_each_kind_per_action(own_action):
    ActionReminder.objects.create(action=own_action, kind=ActionReminder.Kind.OVERDUE)
    with pytest.raises(IntegrityError):
        ActionReminder.objects.create(action=own_action, kind=ActionReminder.Kind.OVERDUE)


def test_open_and_overdue(own_action, others_action):
    ActionFactory(status=Action.Status.DONE, closed_on=TODAY, due_on=dt.date(2017, 12, 31))
    assert set(Action.objects.open()) == {own_action, others_action}
    assert list(Action.objects.overdue(TODAY)) == [others_action]


def test_visible_to_members_and_officers_only(
    own_action, member, other_member, officer, pending_user
):
    from django.contrib.auth.models import AnonymousUser

    assert list(Action.objects.visible_to(member)) == [own_action]
    assert list(Action.objects.visible_to(other_member)) == [own_action]
    assert list(Action.objects.visible_to(officer)) == [own_action]
    assert not Action.objects.visible_to(pending_user).exists()
    assert not Action.objects.visible_to(AnonymousUser()).exists()


def test_for_owner_agency(own_action, others_action, agency):
    assert list(Action.objects.for_owner_agency([agency])) == [own_action]


def test_matters_arising_are_the_open_actions_agreed_before_the_meeting(
    own_action, others_action, next_meeting
):
    others_action.status = Action.Status.DONE
    others_action.closed_on = TODAY
    others_action.save()
    later = ActionFactory(meeting=next_meeting)
    arising = Action.objects.matters_arising(before=next_meeting)
    assert list(arising) == [own_action]
    assert later not in arising


def test_a_groups_matters_arising_are_its_own(own_action, agency):
    group = WorkingGroupFactory()
    group_meeting = EventFactory(working_group=group, starts_at=at(dt.date(2017, 11, 1)))
    group_action = ActionFactory(meeting=group_meeting, working_group=group, owner_agency=agency)
    next_group_meeting = EventFactory(working_group=group, starts_at=at(dt.date(2018, 1, 20)))
    assert list(Action.objects.matters_arising(before=next_group_meeting)) == [group_action]


def test_the_owner_helper_gives_the_owners_action_and_404_to_others(
    own_action, member, other_member, officer, pending_user
):
    from django.contrib.auth.models import AnonymousUser

    assert get_action_for_owner(member, own_action.pk) == own_action
    assert get_action_for_owner(officer, own_action.pk) == own_action
    for outsider in (other_member, pending_user, AnonymousUser()):
        with pytest.raises(Http404):
            get_action_for_owner(outsider, own_action.pk)


def test_an_ended_membership_loses_the_action(own_action, member, agency):
    member.memberships.filter(agency=agency).update(status="ended")
    member = type(member).objects.get(pk=member.pk)
    with pytest.raises(Http404):
        get_action_for_owner(member, own_action.pk)


def test_the_viewer_helper_is_for_members(own_action, other_member, pending_user):
    assert get_action_for_viewer(other_member, own_action.pk) == own_action
    with pytest.raises(Http404):
        get_action_for_viewer(pending_user, own_action.pk)


def test_decisions_newest_first_by_year_and_group(meeting, next_meeting):
    group = WorkingGroupFactory()
    group_meeting = EventFactory(working_group=group, starts_at=at(dt.date(2018, 3, 1)))
    older = DecisionFactory(meeting=meeting)
    newer = DecisionFactory(meeting=next_meeting)
    grouped = DecisionFactory(meeting=group_meeting)
    from actions.models import Decision

    assert list(Decision.objects.newest_first()) == [grouped, newer, older]
    assert list(Decision.objects.in_year(2017)) == [older]
    assert list(Decision.objects.for_group(group)) == [grouped]
    assert Decision.objects.years() == [2018, 2017]


def test_a_decisions_document_is_one_of_its_meetings_papers(meeting, next_meeting):
    from events.models import EventDocument

    decision = DecisionFactory.build(meeting=meeting)
    decision.document = EventDocument(pk=99, event=next_meeting)
    with pytest.raises(ValidationError):
        decision.clean()


def test_a_person_can_own_only_as_a_member(agency):
    stranger = UserFactory()
    MembershipFactory(user=stranger, status="pending", decided_at=None, agency=agency)
    action = ActionFactory.build(meeting=EventFactory(), owner_agency=agency, owner_person=stranger)
    with pytest.raises(ValidationError):
        action.full_clean()
