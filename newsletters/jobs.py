"""The newsletter's periodic job: a scheduled issue goes out when its publish time comes."""

import datetime as dt

from wmasn.jobs import periodic

from . import sending


@periodic("newsletters.send-published", every=dt.timedelta(minutes=1))
def send_published_issues():
    """Queued deliveries of issues now published go to the outbox; states are brought up
    to date for any batch whose worker died before it could report."""
    sending.send_published_issues()
    sending.sync_delivery_states()
