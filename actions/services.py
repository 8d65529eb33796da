"""Writes that touch several models: an action with its audit, progress, status; reminders."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from actions.models import Action, ActionReminder, ProgressNote, StatusChange
from network import notifications
from network.models import Membership, User
from wmasn.links import absolute_reverse
from wmasn.mail import send_email


@transaction.atomic
def record_action(*, action, recorded_by):
    """Save a new action (built by a form or the admin) and the first line of its audit."""
    action.created_by = recorded_by
    action.full_clean()
    action.save()
    StatusChange.objects.create(
        action=action,
        from_status="",
        to_status=action.status,
        changed_by=recorded_by,
        reason=action.drop_reason if action.status == Action.Status.DROPPED else "",
    )
    return action


@transaction.atomic
def save_action(*, action, changed_by, previous_status):
    """Save an edited action (the admin); a change of status is kept in the audit."""
    action.full_clean()
    action.save()
    if action.status != previous_status:
        StatusChange.objects.create(
            action=action,
            from_status=previous_status,
            to_status=action.status,
            changed_by=changed_by,
            reason=action.drop_reason if action.status == Action.Status.DROPPED else "",
        )
    return action


@transaction.atomic
def update_progress(*, action, author, note="", status=None, reason=""):
    """An owner's update from the site: a dated note, and optionally done or dropped (with a
    reason). Locks the row so two updates at once keep one audit line each, in order."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    note = note.strip()
    reason = reason.strip()
    status = status or action.status
    if not note and status == action.status:
        raise ValidationError("Write a progress note or change the status.")
    if status == Action.Status.DROPPED and not reason:
        raise ValidationError({"reason": "Say why the action is dropped."})
    if note:
        progress = ProgressNote(action=action, note=note, author=author)
        progress.full_clean()
        progress.save()
    if status != action.status:
        previous = action.status
        action.status = status
        action.drop_reason = reason if status == Action.Status.DROPPED else ""
        action.closed_on = None if status == Action.Status.OPEN else timezone.localdate()
        action.full_clean()
        action.save()
        StatusChange.objects.create(
            action=action, from_status=previous, to_status=status, changed_by=author, reason=reason
        )
    return action


# Reminders ---------------------------------------------------------------------------------

DUE_SOON_DAYS = 7


def action_recipients(action):
    """Who hears about an action: its named owner while still a member of the owner agency,
    else the agency's members; only those who have not switched action reminders off."""
    members = Membership.objects.approved().filter(agency_id=action.owner_agency_id)
    people = User.objects.filter(is_active=True, pk__in=members.values("user_id"))
    if action.owner_person_id and people.filter(pk=action.owner_person_id).exists():
        people = people.filter(pk=action.owner_person_id)
    return list(
        notifications.wanting(people, notifications.Kind.ACTION_REMINDERS).order_by("email")
    )


def send_action_reminders(*, today):
    """Remind owners of open actions due within DUE_SOON_DAYS, and once of overdue ones.
    Each (action, kind) is recorded in ActionReminder, whose unique constraint makes a second
    run, or two runs at once, send nothing twice. Returns how many emails were queued."""
    due_soon = (
        Action.objects.open()
        .filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
        .exclude(reminders__kind=ActionReminder.Kind.DUE_SOON)
    )
    overdue = Action.objects.overdue(today).exclude(reminders__kind=ActionReminder.Kind.OVERDUE)
    sent = 0
    for kind, actions in (
        (ActionReminder.Kind.DUE_SOON, due_soon),
        (ActionReminder.Kind.OVERDUE, overdue),
    ):
        for action in actions.with_related().order_by("due_on", "pk"):
            sent += _remind(action, kind, today)
    return sent


def _remind(action, kind, today):
    recipients = action_recipients(action)
    try:
        with transaction.atomic():
            ActionReminder.objects.create(action=action, kind=kind, recipients=len(recipients))
            for user in recipients:
                unsubscribe_url = notifications.unsubscribe_url(
                    user, notifications.Kind.ACTION_REMINDERS
                )
                send_email(
                    f"actions/email/{kind}",
                    to=user.email,
                    kind=notifications.Kind.ACTION_REMINDERS,
                    headers=notifications.unsubscribe_headers(unsubscribe_url),
                    context={
                        "action": action,
                        "user": user,
                        "days_left": (action.due_on - today).days,
                        "action_url": absolute_reverse("actions:action-detail", action.pk),
                        "preferences_url": absolute_reverse("network:notifications"),
                        "unsubscribe_url": unsubscribe_url,
                    },
                )
    except IntegrityError:
        return 0  # another run sent this one
    return len(recipients)
