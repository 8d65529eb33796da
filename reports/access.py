"""Reports are for network officers who passed MFA (wmasn/officers.py): a visitor is sent to
log in, an officer without MFA to enrol, anyone else gets a 404."""

from django.http import Http404

from wmasn.officers import has_officer_powers

FIRST_YEAR, LAST_YEAR = 2000, 2100


def check_public_report(user, year):
    """The public version of a year's report: once published, for everyone; before, only
    officers who passed MFA may preview it (anyone else gets a 404)."""
    from reports.annual import is_published

    check_year(year)
    if not has_officer_powers(user) and not is_published(year):
        raise Http404("This report is not published.")
    return year


def check_year(year):
    """A year the portal can report on, or 404."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404("No report for that year.")
    return year
