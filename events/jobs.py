"""The events app's periodic job: meeting reminders, 7 days and 1 day before."""

import datetime as dt

from events import notices
from wmasn.jobs import periodic


@periodic("meeting-reminders", every=dt.timedelta(hours=1))
def meeting_reminders():
    """Send the meeting reminders due now; returns how many were sent. Idempotent."""
    return notices.send_reminders()
