"""allauth's adapter: its emails (verification, password reset, notices) go through the
outbox, and its rate limits count per client address as wmasn/clients.py reads it."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied

from wmasn.clients import client_address
from wmasn.mail import send_message


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        """The address rate limits count by: behind the proxy, the visitor's own."""
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine the client's address.")
        return address

    def send_mail(self, template_prefix, email, context):
        """Render as allauth does, then queue: an SMTP outage never fails a sign-up."""
        request = allauth_context.request
        context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        message = self.render_mail(template_prefix, email, context)
        send_message(message, kind=f"account:{template_prefix.rsplit('/', 1)[-1]}")
