"""Officers' registration pages: the live counts, name badges, and (exports.py) the CSVs.

Officer-only through the one rule, `wmasn.officers.officer_required`: anonymous visitors are
sent to log in, an officer without MFA to set it up, anyone else gets a 404."""

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from events.models import RSVP
from events.registration import access, printing, services
from wmasn.officers import officer_required


class BadgeForm(forms.Form):
    sheet = forms.ChoiceField(
        label="Label sheet",
        choices=[(code, sheet.name) for code, sheet in printing.LABEL_SHEETS.items()],
        initial=printing.DEFAULT_SHEET,
    )


def badge_people(event):
    """Everyone with a place, by name: (name, organisation) pairs."""
    rsvps = RSVP.objects.attending().filter(event=event).select_related("user")
    people = [(rsvp.name, rsvp.organisation) for rsvp in rsvps]
    return sorted(people, key=lambda person: person[0].casefold())


@require_safe
@officer_required
def registrations(request, slug):
    """The officers' page: counts now, badges, exports and the feedback summary."""
    event = access.get_registration_event(slug)
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
@officer_required
def badges(request, slug):
    """Name badges for everyone with a place, as a PDF for a label sheet."""
    event = access.get_registration_event(slug)
    form = BadgeForm(request.GET or None)
    sheet = form.cleaned_data["sheet"] if form.is_valid() else printing.DEFAULT_SHEET
    pdf = printing.badges_pdf(badge_people(event), event=event, sheet=sheet)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="badges-{event.slug}-{sheet}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
