"""Guests' "download my data" and erasure, by an emailed link: /events/my-registrations/."""

import json

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from events.registration import emails, privacy
from events.registration.views import _rate_limited, _too_many_registrations
from wmasn.links import absolute_reverse


class EmailForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Email address you registered with")


@require_http_methods(["GET", "HEAD", "POST"])
def request_link(request):
    """Ask for the link; the answer is the same whether or not the address is known."""
    form = EmailForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if _too_many_registrations(request):
            return _rate_limited(request)
        email = form.cleaned_data["email"].strip().lower()
        if privacy.guest_registrations(email).exists():
            token = privacy.data_link_token(email)
            emails.send_guest_data_link(email, absolute_reverse("events:guest-data", token))
        return render(request, "events/registration/guest_data_sent.html", {"email": email})
    return render(
        request,
        "events/registration/guest_data_request.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


# SECURITY: the token in the path stands in for a login; the page is never stored.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def guest_data(request, token):
    """A guest's registrations: see them, download them as JSON, or erase them."""
    email = privacy.read_data_link_token(token)
    if email is None:
        raise Http404("This link has expired or is not valid.")
    if request.method == "POST":
        if request.POST.get("action") != "erase":
            return render(request, "400.html", status=400)
        erased = privacy.erase_guest_data(email)
        messages.success(request, f"Erased: {erased} registration{'s' if erased != 1 else ''}.")
        return redirect(reverse("events:guest-data", args=[token]))
    data = privacy.export_guest_data(email)
    if request.GET.get("download"):
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="wmasn-registrations.json"'
        return response
    return render(
        request,
        "events/registration/guest_data.html",
        {"email": email, "registrations": data["registrations"], "token": token},
    )
