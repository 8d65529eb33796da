"""The actions app's periodic job: reminders before the due date and once overdue."""

import datetime as dt

from django.utils import timezone

from wmasn.jobs import periodic

from .services import send_action_reminders


@periodic("actions.reminders", every=dt.timedelta(hours=6))
def remind_action_owners():
    """Each action's reminders are recorded, so running often sends nothing twice."""
    send_action_reminders(today=timezone.localdate())
