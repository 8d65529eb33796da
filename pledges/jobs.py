"""The pledges app's periodic job: year-end and "make a pledge" reminders."""

import datetime as dt

from django.utils import timezone

from wmasn.jobs import periodic

from .services import send_pledge_reminders


@periodic("pledges.reminders", every=dt.timedelta(days=1))
def remind_agencies_about_pledges():
    """Outside its windows it sends nothing; each agency hears a reminder at most weekly."""
    send_pledge_reminders(today=timezone.localdate())
