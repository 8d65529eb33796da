"""Officers' registration pages: the live counts, name badges, and (exports.py) the CSVs.

Officer-only through `access.is_officer`: anonymous visitors are sent to log in, anyone else
gets a 403, as for the portal's other staff-only views."""

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from events.models import RSVP
from events.registration import access, printing, services


class BadgeForm(forms.Form):
    sheet = forms.ChoiceField(
        label="Label sheet",
        choices=[(code, sheet.name) for code, sheet in printing.LABEL_SHEETS.items()],
        initial=printing.DEFAULT_SHEET,
    )


def officer_event(request, slug):
    """The event, for officers; None (the caller redirects to log in) for anonymous visitors."""
    if not request.user.is_authenticated:
        return None
    if not access.is_officer(request.user):
        raise PermissionDenied("Only officers see registrations.")
    return access.get_registration_event(slug)


def badge_people(event):
    """Everyone with a place, by name: (name, organisation) pairs."""
    rsvps = RSVP.objects.attending().filter(event=event).select_related("user")
    people = [(rsvp.name, rsvp.organisation) for rsvp in rsvps]
    return sorted(people, key=lambda person: person[0].casefold())


@require_safe
def registrations(request, slug):
    """The officers' page: counts now, badges, exports and the feedback summary."""
    event = officer_event(request, slug)
    if event is None:
        return redirect_to_login(request.get_full_path())
    from events.registration import feedback

    return render(
        request,
        "events/registration/registrations.html",
        {
            "event": event,
            "counts": services.counts(event),
            "badge_form": BadgeForm(),
            "feedback": feedback.summary(event),
        },
    )


@require_safe
def badges(request, slug):
    """Name badges for everyone with a place, as a PDF for a label sheet."""
    event = officer_event(request, slug)
    if event is None:
        return redirect_to_login(request.get_full_path())
    form = BadgeForm(request.GET or None)
    sheet = form.cleaned_data["sheet"] if form.is_valid() else printing.DEFAULT_SHEET
    pdf = printing.badges_pdf(badge_people(event), event=event, sheet=sheet)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="badges-{event.slug}-{sheet}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
