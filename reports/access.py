"""Reports are for network officers: a visitor is sent to log in, anyone else gets a 404."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

FIRST_YEAR, LAST_YEAR = 2000, 2100


def officer_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_officer:
            raise Http404("No such report.")
        return view(request, *args, **kwargs)

    return wrapped


def check_public_report(user, year):
    """The public version of a year's report: once published, for everyone; before, only
    officers may preview it (anyone else gets a 404)."""
    from reports.annual import is_published

    check_year(year)
    if not (user.is_authenticated and user.is_officer) and not is_published(year):
        raise Http404("This report is not published.")
    return year


def check_year(year):
    """A year the portal can report on, or 404."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404("No report for that year.")
    return year
