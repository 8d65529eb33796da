"""The newsletter's periodic jobs: a scheduled issue goes out when its publish time comes;
sign-ups never confirmed are forgotten."""

import datetime as dt

from wmasn.jobs import periodic

from . import sending, subscriptions


@periodic("newsletters.send-published", every=dt.timedelta(minutes=1))
def send_published_issues():
    """Queued deliveries of issues now published go to the outbox; states are brought up
    to date for any batch whose worker died before it could report."""
    sending.send_published_issues()
    sending.sync_delivery_states()


@periodic("newsletters.purge-unconfirmed-subscribers", every=dt.timedelta(days=1))
def purge_unconfirmed_subscribers():
    """Strangers' sign-ups never confirmed go once their link has expired, whether or not
    anyone signs up again (which purges them too)."""
    subscriptions.purge_unconfirmed()
