from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from reports import annual, figures
from reports.access import check_public_report, check_year
from wmasn.officers import officer_required
from wmasn.spreadsheets import csv_download


def requested_year(request):
    try:
        return check_year(int(request.GET.get("year", "")))
    except ValueError:
        return timezone.localdate().year


@require_GET
@officer_required
def charts(request):
    """The network in pictures, for officers."""
    year = requested_year(request)
    context = figures.network_in_pictures(year)
    attendance = context["attendance"]
    return render(
        request,
        "reports/charts.html",
        {
            **context,
            "year": year,
            "charts": {
                "agencies": context["growth"].chart("agencies"),
                "members": context["growth"].chart("members"),
                "attendance": attendance.chart(),
                "pledges_status": context["pledges"].status_chart(),
                "pledges_years": context["pledges"].years_chart(),
                "coverage": context["coverage"].heat_map(),
            },
            "tables": {
                "agencies": context["growth"].table("agencies"),
                "members": context["growth"].table("members"),
                "attendance": attendance.table(),
                "not_attending": attendance.not_attending_table(attendance.not_attending),
                "pledges": context["pledges"].table(),
                "pledges_status": context["pledges"].status_table(),
                "coverage": context["coverage"].table(),
            },
            "years": range(year - 3, year + 2),
        },
    )


def render_report(request, year, *, public):
    report = annual.build_report(year, public=public, page=True)
    return render(
        request,
        "reports/report.html",
        {
            "report": report,
            "year": year,
            "published": annual.is_published(year),
            "csv_view": "reports:public-report-csv" if public else "reports:report-csv",
        },
    )


@require_GET
@officer_required
def report(request, year):
    """The annual report with every figure, for officers."""
    return render_report(request, check_year(year), public=False)


@require_GET
def public_report(request, year):
    """The public report, once an officer has published it (officers may preview it)."""
    return render_report(request, check_public_report(request.user, year), public=True)


def table_csv(year, slug, *, public):
    table = annual.build_report(year, public=public).tables.get(slug)
    if table is None:
        raise Http404("No such table.")
    name = f"report-{year}-{slug}" + ("-public" if public else "")
    return csv_download(name, table.headers, table.rows)


@require_GET
@officer_required
def report_csv(request, year, slug):
    return table_csv(check_year(year), slug, public=False)


@require_GET
def public_report_csv(request, year, slug):
    return table_csv(check_public_report(request.user, year), slug, public=True)


@require_POST
@officer_required
def publish(request, year):
    """The one switch: publish or withdraw the public version of the year's report."""
    check_year(year)
    choice = request.POST.get("published")
    if choice not in ("yes", "no"):
        return HttpResponse("Say published=yes or published=no.", status=400)
    annual.set_published(year=year, published=choice == "yes", by=request.user)
    return redirect("reports:report", year=year)


@require_POST
@officer_required
def record_coverage(request, year):
    """Keep today's services coverage as the year's, for next year's comparison."""
    annual.record_coverage(check_year(year))
    return redirect("reports:report", year=year)
