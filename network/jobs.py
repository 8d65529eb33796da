"""The network app's periodic job: the retention purge the privacy notice promises."""

import datetime as dt

from wmasn.jobs import periodic

from .privacy import purge_unverified_signups


@periodic("network.purge-unverified-signups", every=dt.timedelta(days=1))
def purge_signups_never_verified():
    purge_unverified_signups()
