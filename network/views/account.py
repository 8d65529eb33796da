"""A person's own account and the privacy notice: download my data, delete my account."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from network import privacy
from network.forms.account import DeleteAccountForm


@require_safe
def privacy_notice(request):
    """What the portal stores, why, for how long, who sees it, and your rights."""
    return render(
        request,
        "network/privacy.html",
        {
            "privacy_contact": settings.WMASN_PRIVACY_CONTACT,
            "unverified_signup_days": privacy.UNVERIFIED_SIGNUP_DAYS,
            "backup_keep_days": privacy.BACKUP_KEEP_DAYS,
            "session_days": settings.SESSION_COOKIE_AGE // 86400,
        },
    )


@never_cache
@login_required
@require_safe
def account_data(request):
    """Everything we hold about the signed-in person, as a JSON download."""
    data = privacy.export_user_data(request.user)
    filename = f"wmasn-my-data-{timezone.now():%Y-%m-%d}.json"
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_delete(request):
    """Explain what deleting the account does; delete it once the password is given again."""
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        privacy.delete_account(user=request.user)
        logout(request)
        messages.success(request, "Your account has been deleted. Thank you for your work.")
        return redirect("home")
    return render(
        request,
        "network/account_delete.html",
        {"form": form, "privacy_contact": settings.WMASN_PRIVACY_CONTACT},
    )
