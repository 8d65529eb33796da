"""Site-wide middleware: security headers Django lacks, and MFA for the admin."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse


class PermissionsPolicyMiddleware:
    """Add a Permissions-Policy header that turns off browser features the portal never uses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class AdminRequiresMFAMiddleware:
    """Send staff without an MFA authenticator to enrol before the admin opens for them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.WMASN_ADMIN_REQUIRES_MFA and self._needs_mfa(request):
            messages.warning(request, "Set up two-factor authentication before using the admin.")
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _needs_mfa(request):
        if not request.path.startswith(reverse("admin:index")):
            return False
        user = request.user
        if not (user.is_authenticated and user.is_staff):
            return False
        from allauth.mfa.models import Authenticator

        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
