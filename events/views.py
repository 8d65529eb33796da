"""Events pages and calendar feeds."""

import gzip
import hashlib
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from events import feeds, ics, notices, times
from events.access import get_event_document_for_member
from events.forms import EventFilterForm, RSVPForm
from events.models import RSVP, CalendarToken, Event
from events.services import answer_event
from network.access import sees_member_details
from network.models import User
from wmasn.downloads import stored_file_response
from wmasn.officers import has_officer_powers, is_officer, needs_mfa

# The message after an answer: saved as given, or past the venue's capacity.
ANSWER_SAVED = {
    True: "Thank you: your answer is saved.",
    False: "The venue is full, so you are on the waiting list; we will email you if a place "
    "comes free.",
}


@require_safe
def event_list(request):
    form = EventFilterForm(request.GET or None)
    when, kind = "upcoming", ""
    if form.is_bound and form.is_valid():
        when = form.cleaned_data["when"] or "upcoming"
        kind = form.cleaned_data["kind"]
    events = Event.objects.past() if when == "past" else Event.objects.upcoming()
    if kind:
        events = events.filter(kind=kind)
    events = events.select_related("venue", "organiser")
    page = Paginator(events, 25).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in {"when": when, "kind": kind}.items() if v})
    return render(
        request,
        "events/event_list.html",
        {
            "form": form if form.is_bound else EventFilterForm(),
            "page": page,
            "when": when,
            "kind": kind,
            "query": query,
            "members_view": sees_member_details(request.user),
        },
    )


def link_details(event, *, members):
    """The text an "add to calendar" link carries: when, as the page says it, then the rest."""
    when = f"When: {times.event_span(event)} (UK time)"
    return f"{when}\n\n{ics.event_description(event, members=members)}"


def google_calendar_url(event, *, members):
    """A prefilled 'add to Google Calendar' link (no venue for the public)."""
    if event.all_day:
        start, end = ics.all_day_dates(event)
        dates = f"{start:%Y%m%d}/{end:%Y%m%d}"
    else:
        dates = f"{event.starts_at.astimezone(ics.dt.UTC):%Y%m%dT%H%M%SZ}/" + (
            f"{event.ends_at.astimezone(ics.dt.UTC):%Y%m%dT%H%M%SZ}"
        )
    params = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": dates,
        "details": link_details(event, members=members),
        "ctz": ics.LONDON_TZID,
    }
    if members and event.venue_id:
        params["location"] = event.venue.full_address
    return "https://calendar.google.com/calendar/render?" + urlencode(params)


def outlook_calendar_url(event, *, members):
    """A prefilled 'add to Outlook' (Microsoft 365 on the web) link."""
    if event.all_day:
        start, end = ics.all_day_dates(event)
        startdt, enddt = start.isoformat(), end.isoformat()
    else:
        startdt = event.starts_at.astimezone(ics.dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        enddt = event.ends_at.astimezone(ics.dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.title,
        "startdt": startdt,
        "enddt": enddt,
        "allday": "true" if event.all_day else "false",
        "body": link_details(event, members=members),
    }
    if members and event.venue_id:
        params["location"] = event.venue.full_address
    return "https://outlook.office.com/calendar/0/deeplink/compose?" + urlencode(params)


def _event_or_404(slug):
    return get_object_or_404(
        Event.objects.select_related("venue", "venue__host_agency", "organiser", "working_group"),
        slug=slug,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def event_detail(request, slug):
    event = _event_or_404(slug)
    user = request.user
    members_view = sees_member_details(user)
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not members_view:
            raise PermissionDenied("Only members answer for events.")
    my_rsvp = None
    if members_view:
        my_rsvp = RSVP.objects.filter(event=event, user=user).first()
    form = RSVPForm(
        request.POST if request.method == "POST" else None,
        event=event,
        initial={"answer": my_rsvp.answer} if my_rsvp else None,
    )
    if request.method == "POST" and form.is_valid():
        rsvp = answer_event(event=event, user=user, answer=form.cleaned_data["answer"])
        messages.success(request, ANSWER_SAVED[rsvp.answer == form.cleaned_data["answer"]])
        return redirect(event)

    today = timezone.localdate()
    context = {
        "event": event,
        "members_view": members_view,
        "form": form,
        "my_rsvp": my_rsvp,
        "accepts_rsvps": event.accepts_rsvps(),
        "deadline_passed": (
            event.registration_deadline is not None and event.registration_deadline < today
        ),
    }
    if not event.is_cancelled:
        context["google_url"] = google_calendar_url(event, members=members_view)
        context["outlook_url"] = outlook_calendar_url(event, members=members_view)
    if my_rsvp and my_rsvp.answer == RSVP.Answer.WAITING:
        context["waiting_position"] = my_rsvp.waiting_position()
    if members_view:
        context["documents"] = event.documents.all()
        attending = RSVP.objects.attending().filter(event=event).select_related("user")
        context["colleagues_attending"] = attending.from_agencies_of(user).order_by(
            "user__first_name", "user__last_name", "user__email"
        )
        # Everyone's answers and addresses: officer data, only after MFA (wmasn/officers.py).
        context["officer_needs_mfa"] = is_officer(user) and needs_mfa(user)
        if has_officer_powers(user):
            context["all_answers"] = (
                RSVP.objects.counted()
                .filter(event=event)
                .select_related("user")
                .order_by("answer", "user__first_name", "user__last_name", "user__email")
            )
    return render(
        request, "events/event_detail.html", context, status=200 if not form.errors else 400
    )


CONTENT_TYPE = "text/calendar; charset=utf-8"
# Public feeds may sit in a proxy for five minutes; a personal feed never in a shared one.
PUBLIC_CACHE_CONTROL = "public, max-age=300"
PRIVATE_CACHE_CONTROL = "private, no-cache"


def calendar_response(
    request, *, etag, last_modified, body, filename, private, gzipped=False, attachment=False
):
    """An ICS response, or a 304 when the client's copy is current: the one conditional-GET
    path of every calendar the portal serves. `body()` is called only for a 200, so a 304
    never reads or builds one."""
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        content = body()
        response = HttpResponse(content, content_type=CONTENT_TYPE)
        response["Content-Length"] = str(len(content))
        disposition = "attachment" if attachment else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
        if gzipped:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = PRIVATE_CACHE_CONTROL if private else PUBLIC_CACHE_CONTROL
    return response


@require_safe
def event_ics(request, slug):
    """One event as an ICS file; the venue only for members."""
    event = _event_or_404(slug)
    members_view = sees_member_details(request.user)
    body = ics.single_event(event, members=members_view)
    return calendar_response(
        request,
        etag='"' + hashlib.sha256(body).hexdigest() + '"',
        last_modified=int(event.updated_at.timestamp()),
        body=lambda: body,
        filename=f"{event.slug}.ics",
        private=members_view,
        attachment=True,
    )


def feed_response(request, kind, feed):
    """A feed, gzipped for clients that take it; each encoding has its own strong ETag."""
    use_gzip = "gzip" in request.headers.get("Accept-Encoding", "")

    def body():
        gzipped = feeds.body(kind, feed)
        return gzipped if use_gzip else gzip.decompress(gzipped)

    response = calendar_response(
        request,
        etag=feed.etag[:-1] + '-gz"' if use_gzip else feed.etag,
        last_modified=feed.last_modified,
        body=body,
        filename=kind.filename,
        private=kind.private,
        gzipped=use_gzip,
    )
    response["Vary"] = "Accept-Encoding"
    return response


# The feeds read no session and no user, so neither sets a cookie or varies on one: a proxy
# may keep the public one.
@require_safe
def public_feed(request):
    """The public feed: dates and titles, never venues."""
    kind = feeds.public_kind()
    return feed_response(request, kind, feeds.current_feed(kind))


# SECURITY: the path of this view holds the member's secret. Never log request.path or
# request.get_full_path() here, and never pass them to an exception message. Django's and
# the servers' own request logs are redacted by wmasn/log_redaction.py (installed by
# settings.LOGGING_CONFIG); a proxy in front of the portal must not log /calendar/*.ics paths.
@require_safe
def personal_feed(request, token):
    """A member's personal feed, with venues; 404 once the link or membership ends."""
    found = feeds.personal_feed(token, user_agent=request.headers.get("User-Agent", ""))
    if found is None:
        raise Http404("No such calendar.")
    return feed_response(request, *found)


def _feed_links(request, path):
    https_url = request.build_absolute_uri(path)
    webcal_url = "webcal://" + https_url.split("://", 1)[1]
    return https_url, webcal_url


def subscribe_links(https_url, webcal_url, name):
    """One-click subscriptions to a feed: Google Calendar's `render?cid=` with the webcal
    link, and Outlook on the web's `addfromweb` with the https link and the calendar's name,
    for work and school accounts (Microsoft 365) and personal ones (Outlook.com)."""
    outlook_query = urlencode({"url": https_url, "name": name})
    return {
        "google": "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal_url}),
        "outlook_365": f"https://outlook.office.com/calendar/0/addfromweb?{outlook_query}",
        "outlook_com": f"https://outlook.live.com/calendar/0/addfromweb?{outlook_query}",
    }


# The page shows the member's secret link: it is in WMASN_SECRET_PAGES, never stored.
@require_http_methods(["GET", "HEAD", "POST"])
def calendar_page(request):
    """How to subscribe; members see their own link, and POST here to regenerate it."""
    if request.method == "POST":
        return _regenerate_calendar_link(request)
    public_url, public_webcal = _feed_links(request, reverse("events:public-feed"))
    context = {
        "public_url": public_url,
        "public_webcal": public_webcal,
        "public_subscribe": subscribe_links(public_url, public_webcal, ics.PUBLIC_FEED_NAME),
        "token": None,
    }
    if sees_member_details(request.user):
        token = CalendarToken.objects.filter(user=request.user).first()
        if token is None:
            token = CalendarToken.regenerate_for(request.user)
        personal_url, personal_webcal = _feed_links(
            request, reverse("events:personal-feed", args=[token.raw_token])
        )
        context.update(
            token=token,
            personal_url=personal_url,
            personal_webcal=personal_webcal,
            personal_subscribe=subscribe_links(
                personal_url, personal_webcal, ics.PERSONAL_FEED_NAME
            ),
        )
    return render(request, "events/calendar.html", context)


def _regenerate_calendar_link(request):
    """A new personal link; the old one answers 404 at once."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("events:calendar"))
    if not request.user.sees_member_details:
        raise PermissionDenied("Only members have a personal calendar link.")
    with transaction.atomic():
        CalendarToken.regenerate_for(request.user)
    messages.success(
        request,
        "Your calendar link is new. The old link no longer works: subscribe again with this "
        "one in every calendar app that used the old link.",
    )
    return redirect("events:calendar")


def _answer_link_or_404(slug, token):
    """The event and member a signed answer link was made for; 404 if forged or mismatched."""
    parsed = notices.read_answer_token(token)
    if parsed is None:
        raise Http404("No such link.")
    event_pk, user_pk, answer = parsed
    event = get_object_or_404(Event.objects.select_related("venue"), pk=event_pk, slug=slug)
    member = User.objects.filter(pk=user_pk, is_active=True).first()
    if member is None or not member.sees_member_details:
        raise Http404("No such link.")
    return event, member, answer


# The token stands in for a login, so the page is never cached. A GET only shows the
# button: mail scanners and Outlook Safe Links open every link before the person does.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def answer_from_email(request, slug, token):
    """Answer "Attending" or "Sending apologies" from an emailed link, without logging in."""
    event, member, answer = _answer_link_or_404(slug, token)
    if request.user.is_authenticated and request.user.pk != member.pk:
        raise PermissionDenied("This link was emailed to someone else.")
    expired = not event.accepts_rsvps()
    if request.method == "POST" and not expired:
        rsvp = answer_event(event=event, user=member, answer=answer)
        messages.success(request, ANSWER_SAVED[rsvp.answer == answer])
        return redirect(request.path)
    current = RSVP.objects.filter(event=event, user=member).first()
    return render(
        request,
        "events/answer.html",
        {
            "event": event,
            "member": member,
            "answer": answer,
            "answer_label": "Attending" if answer == RSVP.Answer.ATTENDING else "Sending apologies",
            "current": current,
            "expired": expired,
            # Already answered so (a waiting member's "attending" keeps their place in line).
            "answered": current is not None
            and (
                current.answer == answer
                or (current.answer == RSVP.Answer.WAITING and answer == RSVP.Answer.ATTENDING)
            ),
        },
        status=410 if expired and not event.is_cancelled else 200,
    )


@require_safe
def event_document(request, slug, pk, filename):
    """An agenda, paper or minutes, for members only, through this access check."""
    document = get_event_document_for_member(request.user, slug, pk)
    if filename != document.filename:
        raise Http404("No such document.")
    response = stored_file_response(
        document.file, content_type=document.content_type, filename=document.filename
    )
    response["Cache-Control"] = "private, no-store"
    return response
