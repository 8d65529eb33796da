"""The events app's periodic jobs: announcements and notices a lost task left waiting, and
meeting reminders, 7 days and 1 day before."""

import datetime as dt

from events import notices, tasks
from wmasn.jobs import periodic


@periodic("meeting-announcements", every=dt.timedelta(minutes=1))
def meeting_announcements():
    """Announce new events, and send change, cancellation and waiting-list notices, still
    waiting (their task was lost, or its worker died); returns how many emails were sent.
    Idempotent."""
    return tasks.announce_waiting() + tasks.send_pending_notices()


@periodic("meeting-reminders", every=dt.timedelta(hours=1))
def meeting_reminders():
    """Send the meeting reminders due now; returns how many were sent. Idempotent."""
    return notices.send_reminders()
