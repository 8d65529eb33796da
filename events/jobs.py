"""Regular work for the events app."""

from events import notices


def meeting_reminders():
    """Send the meeting reminders due now; returns how many were sent."""
    return notices.send_reminders()
