"""allauth sends its emails (verification, password reset, notices) through the outbox."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from wmasn.mail import send_message


class AccountAdapter(DefaultAccountAdapter):
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
