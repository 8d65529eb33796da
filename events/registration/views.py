"""Registration pages: the form, the guest's confirmation link, and the ticket."""

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from events import views as event_views
from events.models import RSVP
from events.registration import access, after, emails, printing, services, tickets
from events.registration.feedback import FeedbackForm
from events.registration.forms import RegistrationForm, initial_for_member
from events.registration.models import Feedback
from network.access import sees_member_details
from wmasn.clients import client_address

# Registrations a client address (or a member) may send in an hour: generous for a team
# registering together, small for a script.
REGISTRATIONS_PER_HOUR = 30


def _too_many_registrations(request):
    who = f"user:{request.user.pk}" if request.user.is_authenticated else client_address(request)
    key = f"events:registrations:{who}"
    cache.add(key, 0, 60 * 60)
    try:
        return cache.incr(key) > REGISTRATIONS_PER_HOUR
    except ValueError:
        return False


def _rate_limited(request):
    response = render(request, "429.html", status=429)
    response.headers["Retry-After"] = "3600"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def register(request, slug):
    """The registration form: a member registers in one click (their RSVP), anyone else,
    where the event is open to everyone, gives a name and an email to confirm."""
    event = access.get_registration_event(slug)
    settings = event.registration
    user = request.user
    member = sees_member_details(user)
    rsvp = RSVP.objects.filter(event=event, user=user).first() if member else None
    registered = rsvp is not None and rsvp.answer in (RSVP.Answer.ATTENDING, RSVP.Answer.WAITING)
    is_open = settings.accepts_registrations()
    guest = not member
    may_register = is_open and (member or settings.open_to_guests)
    initial = initial_for_member(user, rsvp) if member else None
    if guest and user.is_authenticated:
        initial = {"name": user.get_full_name(), "email": user.email}
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        settings=settings,
        guest=guest,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        if not may_register:
            status = 403 if is_open else 409
        elif _too_many_registrations(request):
            return _rate_limited(request)
        elif form.is_valid():
            if member:
                rsvp = services.register_member(
                    event=event, user=user, details=form.cleaned_details()
                )
                return redirect("events:ticket", event.slug, rsvp.ticket_secret)
            services.register_guest(
                event=event,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                details=form.cleaned_details(),
            )
            return redirect("events:register-sent", event.slug)
        else:
            status = 400
    return render(
        request,
        "events/registration/register.html",
        {
            "event": event,
            "settings": settings,
            "form": form,
            "member": member,
            "rsvp": rsvp,
            "registered": registered,
            "is_open": is_open,
            "may_register": may_register,
            "full": services.is_full(event),
        },
        status=status,
    )


@require_safe
def register_sent(request, slug):
    event = access.get_registration_event(slug)
    return render(request, "events/registration/sent.html", {"event": event})


def _confirming(slug, token):
    max_age = services.CONFIRM_WITHIN.total_seconds()
    pk = emails.read_confirm_token(token, max_age=max_age)
    rsvp = RSVP.objects.filter(pk=pk, event__slug=slug, user__isnull=True).first() if pk else None
    if rsvp is None:
        raise Http404("This link has expired or is not valid.")
    return rsvp


# A GET only shows the button: mail scanners open every link before the person does.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def register_confirm(request, slug, token):
    """A guest confirms their registration from the emailed link."""
    rsvp = _confirming(slug, token)
    if request.method == "POST":
        rsvp = services.confirm_guest(rsvp=rsvp)
        return redirect("events:ticket", slug, rsvp.ticket_secret)
    return render(request, "events/registration/confirm.html", {"event": rsvp.event, "rsvp": rsvp})


# SECURITY: the path holds the ticket's secret, which stands in for a login: never log it
# (the log redaction covers /events/<slug>/ticket/...), and the page is never cached.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def ticket(request, slug, secret):
    """A ticket: its QR code and typed code, when and where, add to calendar, cancel my
    place, and, for someone waiting who was offered a place, accept it."""
    rsvp = access.get_ticket(slug, secret)
    event = rsvp.event
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cancel":
            services.cancel_place(rsvp=rsvp)
            messages.success(request, "Your place is cancelled. Thank you for telling us.")
        elif action == "accept":
            if services.accept_offer(rsvp=rsvp):
                messages.success(request, "The place is yours: see you there.")
            else:
                messages.error(request, "Sorry: this offer has run out.")
        else:
            return render(request, "400.html", status=400)
        return redirect(request.path)
    now = timezone.now()
    has_place = rsvp.answer == RSVP.Answer.ATTENDING
    context = {
        "event": event,
        "rsvp": rsvp,
        "has_place": has_place,
        "offer_open": rsvp.answer == RSVP.Answer.WAITING
        and rsvp.offer_expires_at is not None
        and rsvp.offer_expires_at > now,
        "is_over": event.ends_at < now,
        "attendance": after.attended(rsvp) if has_place else None,
        "certificate_due": has_place and after.certificate_due(rsvp, now),
        "feedback_given": Feedback.objects.filter(registration=rsvp).exists(),
        "after_links": after.ticket_links(rsvp) if has_place else [],
        "google_url": event_views.google_calendar_url(event, members=True),
        "outlook_url": event_views.outlook_calendar_url(event, members=True),
        "ics_url": reverse("events:event-ics", args=[event.slug]),
    }
    if has_place and not event.is_cancelled and not context["is_over"]:
        context["qr_svg"] = mark_safe(tickets.qr_svg(rsvp))  # noqa: S308 - made by segno here
    if rsvp.answer == RSVP.Answer.WAITING:
        context["waiting_position"] = rsvp.waiting_position()
    return render(request, "events/registration/ticket.html", context)


@never_cache
@require_safe
def certificate(request, slug, secret):
    """The certificate of attendance, for someone checked in, once the event is over."""
    rsvp = access.get_ticket(slug, secret)
    if not after.certificate_due(rsvp):
        raise Http404("No certificate for this ticket.")
    pdf = printing.certificate_pdf(name=rsvp.name, event=rsvp.event)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{rsvp.event.slug}.pdf"'
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def feedback(request, slug, secret):
    """The short feedback form, for those who came, after the event; once each."""
    rsvp = access.get_ticket(slug, secret)
    if not after.certificate_due(rsvp):
        raise Http404("No feedback form for this ticket.")
    given = Feedback.objects.filter(registration=rsvp).first()
    form = FeedbackForm(request.POST if request.method == "POST" and not given else None)
    if form.is_bound and form.is_valid():
        form.instance.registration, form.instance.event = rsvp, rsvp.event
        form.save()
        messages.success(request, "Thank you for your feedback.")
        return redirect("events:ticket", slug, secret)
    return render(
        request,
        "events/registration/feedback.html",
        {"event": rsvp.event, "rsvp": rsvp, "form": form, "given": given},
        status=400 if form.errors else 200,
    )
