"""Signals of the outbox, for apps that keep their own record of what they sent."""

from django.dispatch import Signal

# Sent after each batch a worker tried, with `ids`: the OutgoingEmail primary keys whose
# state may have changed. The newsletter copies its deliveries' states from here.
emails_attempted = Signal()
