"""allauth's adapters and sign-up form: its emails (verification, password reset, notices) go
through the outbox; its rate limits count per client address as wmasn/clients.py reads it; a
TOTP code that cannot be recorded as used is refused with the reason (wmasn/cache.py); and
sign-up does the same work for a known address as for a new one (docs/security.md)."""

from allauth.account import forms as allauth_forms
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.contrib.auth.hashers import make_password
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied, ValidationError

from wmasn.cache import guards_unavailable
from wmasn.clients import client_address
from wmasn.mail import send_message

TOTP_CHECK_UNAVAILABLE = (
    "Codes cannot be checked for a moment: the portal cannot record that a code was used, "
    "and it accepts none it cannot record. Please try again in a minute."
)


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


class MFAAdapter(DefaultMFAAdapter):
    def validation_error(self, code, *args):
        """A TOTP code refused because no cache could record it as used says so."""
        if code == "incorrect_code" and guards_unavailable():
            return ValidationError(TOTP_CHECK_UNAVAILABLE, code="mfa_unavailable")
        return super().validation_error(code, *args)


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up form (ACCOUNT_FORMS), doing a new account's work for a known address.

    With ACCOUNT_PREVENT_ENUMERATION both answers are the same redirect, but a new address
    hashed the password and a known one did not: 1,667 ms against 91 ms gave accounts away
    (issue 24). Now a known address hashes the password too; the rest of a new account's work
    (a few inserts, one queued email) is a few milliseconds. tests/test_security_signup.py
    measures the medians.
    """

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)
