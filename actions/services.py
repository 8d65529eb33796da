"""Writes that touch several models: recording an action with its audit, progress, status."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from actions.models import Action, ProgressNote, StatusChange


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
