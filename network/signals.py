"""Signal receivers of the network app; connected in NetworkConfig.ready()."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver


@receiver(email_confirmed, dispatch_uid="network_auto_approve_on_email_confirmed")
def auto_approve_on_email_confirmed(sender, request=None, email_address=None, **kwargs):
    """A newly verified address on an agency's domain approves the pending request to it;
    the first one also tells officers of the requests made at sign-up."""
    from network.services import first_address_confirmed

    if email_address is not None and email_address.verified:
        first_address_confirmed(user=email_address.user)
