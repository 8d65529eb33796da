"""One rule for officer powers, in the admin and outside it: an officer uses them only after
two-factor authentication, when WMASN_ADMIN_REQUIRES_MFA is on (production's default).

`officer_required` guards every officer-only view and action outside the admin (reports,
their CSVs and publishing, and any new officer page: check-in, tickets); the admin goes
through AdminRequiresMFAMiddleware, which asks `needs_mfa` too. An officer without an
authenticator gets the admin's answer everywhere: a redirect to set one up. Pages that only
show more to officers (the attendee list on an event page) ask `has_officer_powers(user)`.

Passing MFA here means having an authenticator app: allauth then asks for its code at every
log-in, so a session of such a user has passed it (the admin has always used this rule).
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect

ENROL_MESSAGE = "Set up two-factor authentication before using officer pages or the admin."


def has_authenticator_app(user):
    """Whether the user has enrolled an authenticator app (asked once per request)."""
    cached = getattr(user, "_wmasn_has_totp", None)
    if cached is None:
        from allauth.mfa.models import Authenticator

        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._wmasn_has_totp = cached
    return cached


def needs_mfa(user):
    """A signed-in user who must enrol an authenticator before using staff powers."""
    return (
        settings.WMASN_ADMIN_REQUIRES_MFA
        and user.is_authenticated
        and not has_authenticator_app(user)
    )


def is_officer(user):
    return user.is_authenticated and getattr(user, "is_officer", False)


def has_officer_powers(user):
    """An officer who may use officer powers now: enrolled in MFA when it is required."""
    return is_officer(user) and not needs_mfa(user)


def enrol_in_mfa(request):
    """The admin's answer to staff without MFA: a redirect to set up an authenticator app."""
    messages.warning(request, ENROL_MESSAGE)
    return redirect("mfa_activate_totp")


def officer_required(view):
    """Officers only, after MFA: a visitor is sent to log in, anyone else who is not an
    officer gets a 404, an officer without MFA is sent to enrol (as by the admin)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_officer(user):
            raise Http404("No such page.")
        if needs_mfa(user):
            return enrol_in_mfa(request)
        return view(request, *args, **kwargs)

    # tests/test_security_officers.py walks the URLconf for views marked so.
    wrapped.officer_only = True
    return wrapped
