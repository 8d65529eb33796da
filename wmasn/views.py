"""Site-wide views: home, health check and error pages."""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def home_context(request):
    """What the home page shows beyond its fixed text; each section adds its own part."""
    return {
        "home_partials": [
            # Personal first: a newcomer's next step, a member's own next meeting.
            "network/home_next_step.html",
            "events/home_my_next_meeting.html",
            "events/home_next_meetings.html",
            "newsletters/home_latest.html",
        ]
    }


@require_safe
def home(request):
    return render(request, "home.html", home_context(request))


@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


# Clients (and a proxy in front) are told to come back after this many seconds.
DATABASE_RETRY_AFTER_SECONDS = 30


def is_database_outage(error):
    """Whether this error, or one it was raised from, says the database cannot be reached."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def database_unavailable():
    """The friendly 503 page, rendered without the database."""
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    # Django calls this inside its `except` block, wherever the error was raised (a view, a
    # middleware, the session save): a database that does not answer is a 503, not a 500.
    if is_database_outage(sys.exc_info()[1]):
        return database_unavailable()
    # Rendered without the request context: the database may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())


def too_many_requests(request, exception=None):
    """allauth's rate limits answer with this page (it looks up handler429 in the URLconf)."""
    from wmasn.cache import guards_unavailable

    response = render(request, "429.html", {"checks_unavailable": guards_unavailable()}, status=429)
    response["Retry-After"] = "60"
    return response
