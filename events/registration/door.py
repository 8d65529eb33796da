"""The door: /events/<slug>/check-in/, for officers and the event's named door staff.

The page works without JavaScript (find by name or typed code, a button per person). With
it (static/js/check-in.js) the phone's camera scans tickets, and scans made while the
venue's wifi is down wait on the phone and are sent when it returns; those requests ask for
JSON."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from events.models import RSVP
from events.registration import access, checkin, services
from wmasn.officers import enrol_in_mfa, is_officer, needs_mfa

# The door page uses the camera; every other page keeps it off (settings.PERMISSIONS_POLICY).
DOOR_PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"


class WalkInForm(forms.Form):
    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=254, required=False, help_text="For their certificate.")
    organisation = forms.CharField(max_length=200, required=False)


def door_required(view):
    """Those who keep the event's door: a visitor is sent to log in, an officer without MFA
    (who is not named door staff) to set it up, as for every officer page; anyone else
    gets a 404. The view gets the event."""

    @wraps(view)
    def wrapped(request, slug):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(reverse("events:check-in", args=[slug]))
        if is_officer(user) and needs_mfa(user):
            event = access.get_registration_event(slug)
            if not access.is_door_staff(user, event):
                return enrol_in_mfa(request)
        return view(request, access.get_event_for_door(user, slug))

    return wrapped


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _scanned_at(request):
    value = request.POST.get("scanned_at") or ""
    parsed = parse_datetime(value) if value else None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@door_required
def check_in(request, event):
    """GET: the door page (with people found by ?q=); POST: check someone in, by a ticket
    code (typed or scanned) or by their registration (found by name)."""
    if request.method == "POST":
        return _record(request, event)
    if _wants_json(request):
        # The page asks every few seconds, so each door phone shows everyone's check-ins.
        return JsonResponse(services.counts(event))
    query = request.GET.get("q", "")
    response = render(
        request,
        "events/registration/check_in.html",
        {
            "event": event,
            "query": query,
            "found": checkin.find_people(event, query),
            "counts": services.counts(event),
            "walk_in_form": WalkInForm(),
        },
    )
    response.headers["Permissions-Policy"] = DOOR_PERMISSIONS_POLICY
    return response


def _record(request, event):
    registration = request.POST.get("registration")
    if registration:
        rsvp = get_object_or_404(
            RSVP.objects.counted().select_related("user", "event"),
            pk=registration if registration.isdigit() else 0,
        )
        result = checkin.check_in(event=event, rsvp=rsvp, by=request.user)
    else:
        result = checkin.check_in_code(
            event=event,
            code=request.POST.get("code", ""),
            by=request.user,
            scanned_at=_scanned_at(request),
        )
    if _wants_json(request):
        checked_in = event.attendances.count()
        return JsonResponse({**result.as_json(), "checked_in": checked_in})
    (messages.success if result.ok else messages.error)(request, result.message)
    return redirect(_door_url(event, request.POST.get("q", "")))


def _door_url(event, query=""):
    url = reverse("events:check-in", args=[event.slug])
    return f"{url}?q={query}" if query else url


@require_POST
@door_required
def walk_in(request, event):
    """Add someone who came without registering, and check them in."""
    form = WalkInForm(request.POST)
    if not form.is_valid():
        response = render(
            request,
            "events/registration/check_in.html",
            {
                "event": event,
                "query": "",
                "found": [],
                "counts": services.counts(event),
                "walk_in_form": form,
            },
            status=400,
        )
        response.headers["Permissions-Policy"] = DOOR_PERMISSIONS_POLICY
        return response
    result = checkin.add_walk_in(event=event, by=request.user, **form.cleaned_data)
    messages.success(request, f"Added at the door. {result.message}")
    return redirect(_door_url(event))
