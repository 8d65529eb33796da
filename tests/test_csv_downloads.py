"""Every CSV download goes through wmasn.spreadsheets.csv_download: one filename pattern,
formula-escaped cells, text/csv; and each download answers only the roles it is for."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from reports.models import ReportPublication
from tests.factories import (
    AgencyFactory,
    AreaFactory,
    EventFactory,
    PledgeFactory,
    ProvidedServiceFactory,
    RSVPFactory,
    ServiceFactory,
)
from tests.reports.factories import agency_created
from wmasn.spreadsheets import csv_download, csv_filename, csv_safe

pytestmark = pytest.mark.django_db

# 01:30 UTC on the day the clocks go forward: 02:30 in London, and the filename says so.
SPRING_FORWARD = dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)
FILENAME = re.compile(r'^attachment; filename="wmasn-[a-z0-9-]+-\d{4}-\d{2}-\d{2}-\d{4}\.csv"$')
REPORT_YEAR = 2025


def rows_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert FILENAME.match(response["Content-Disposition"]), response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def is_csv(response):
    return response.status_code == 200 and response["Content-Type"].startswith("text/csv")


# --- The helper ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 121", "'+44 121"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=1", "a=1"),
        ("", ""),
        (None, ""),
        (-3, "-3"),
        (-2.5, "-2.5"),
        (Decimal("-0.5"), "-0.5"),
        (True, "True"),
    ],
)
def test_a_cell_that_a_spreadsheet_would_run_is_quoted_and_a_number_stays_a_number(value, expected):
    assert csv_safe(value) == expected


def test_the_filename_is_the_local_time_of_the_download():
    assert csv_filename("agencies", SPRING_FORWARD) == "wmasn-agencies-2026-03-29-0230.csv"
    assert csv_filename("Report 2025 / pledges") == csv_filename("report-2025-pledges")


def test_the_helper_escapes_header_and_rows_and_names_the_file():
    with time_machine.travel(SPRING_FORWARD, tick=False):
        response = csv_download("things", ["=name", "count"], [["@evil", -4], ["plain", 0]])
    assert response["Content-Disposition"] == (
        'attachment; filename="wmasn-things-2026-03-29-0230.csv"'
    )
    assert rows_of(response) == [["'=name", "count"], ["'@evil", "-4"], ["plain", "0"]]


# --- The admin's exports: officers only, by POST (a GET only shows the list) ---------------

ADMIN_EXPORTS = {
    "agencies": ("admin:network_agency_changelist", "export_csv"),
    "pledges": ("admin:pledges_pledge_changelist", "export_csv"),
    "attendees": ("admin:events_event_changelist", "export_attendees_csv"),
}


@pytest.fixture
def evil_rows(agency, member):
    """One agency, pledge and RSVP whose names a spreadsheet would run as formulas."""
    evil = AgencyFactory(name="=HYPERLINK(1)")
    pledge = PledgeFactory(agency=evil, text="+cmd")
    event = EventFactory(title="@meeting")
    RSVPFactory(event=event, user=member)
    return {"agencies": evil, "pledges": pledge, "attendees": event}


@pytest.mark.parametrize("export", ADMIN_EXPORTS)
def test_officers_download_each_admin_export_with_formulas_defused(
    export, officer_client, evil_rows
):
    url_name, action = ADMIN_EXPORTS[export]
    selected = evil_rows[export]
    with time_machine.travel(SPRING_FORWARD, tick=False):
        response = officer_client.post(
            reverse(url_name), {"action": action, ACTION_CHECKBOX_NAME: [selected.pk]}
        )
    assert response["Content-Disposition"].endswith(f'"wmasn-{export}-2026-03-29-0230.csv"')
    rows = rows_of(response)
    assert len(rows) == 2
    assert {"'=HYPERLINK(1)", "'+cmd", "'@meeting"} & set(rows[1])


@pytest.mark.parametrize("export", ADMIN_EXPORTS)
@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member"])
def test_no_one_but_an_officer_gets_an_admin_export(export, role, client_for_role, evil_rows):
    url_name, action = ADMIN_EXPORTS[export]
    response = client_for_role(role).post(
        reverse(url_name), {"action": action, ACTION_CHECKBOX_NAME: [evil_rows[export].pk]}
    )
    assert response.status_code == 302
    assert not is_csv(response)


@pytest.mark.parametrize("export", ADMIN_EXPORTS)
def test_an_admin_export_is_not_run_by_a_get(export, officer_client, evil_rows):
    url_name, action = ADMIN_EXPORTS[export]
    response = officer_client.get(
        reverse(url_name), {"action": action, ACTION_CHECKBOX_NAME: [evil_rows[export].pk]}
    )
    # The admin takes the unknown parameters for a bad filter and sends the list back.
    assert response.status_code == 302
    assert not is_csv(response)


# --- The gap view's CSV: everyone, names for members ---------------------------------------

GAPS = reverse("survey:service-gaps-csv")


def test_the_gap_csv_for_every_role(role, client_for_role, other_agency):
    area = AreaFactory(name="Birmingham", slug="birmingham")
    service = ServiceFactory(name="=Legal", slug="legal", category="legal")
    ProvidedServiceFactory(agency=other_agency, service=service, areas=[area])

    with time_machine.travel(SPRING_FORWARD, tick=False):
        response = client_for_role(role).get(GAPS)

    assert response["Content-Disposition"].endswith('"wmasn-service-gaps-2026-03-29-0230.csv"')
    assert response["Cache-Control"] == "private, no-cache"
    rows = rows_of(response)
    assert rows[1][:5] == ["'=Legal", "Legal advice", "Birmingham", "1", "no"]
    sees_names = role not in ("anonymous", "pending")
    assert (rows[0][-1] == "agencies") is sees_names
    assert ("Barnardo's" in rows[1]) is sees_names


def test_the_gap_csv_refuses_a_post(client):
    assert client.post(GAPS).status_code == 405


# --- The report's tables: officers; the public version once published ---------------------


@pytest.fixture
def new_agency(db):
    return agency_created(REPORT_YEAR, name="@New Agency")


def test_the_report_table_csv_for_every_role(role, client_for_role, new_agency):
    url = f"/reports/{REPORT_YEAR}/new-agencies.csv"
    with time_machine.travel(SPRING_FORWARD, tick=False):
        response = client_for_role(role).get(url)
    if role != "officer":
        assert response.status_code == (302 if role == "anonymous" else 404)
        return
    assert response["Content-Disposition"].endswith(
        f'"wmasn-report-{REPORT_YEAR}-new-agencies-2026-03-29-0230.csv"'
    )
    assert ["'@New Agency", "Public sector"] in rows_of(response)


def test_the_public_report_table_csv_for_every_role_once_published(
    role, client_for_role, new_agency
):
    ReportPublication.objects.create(year=REPORT_YEAR)
    response = client_for_role(role).get(f"/reports/{REPORT_YEAR}/public/new-agencies.csv")
    assert "new-agencies-public-" in response["Content-Disposition"]
    assert ["'@New Agency", "Public sector"] in rows_of(response)


def test_the_report_table_csvs_refuse_a_post(officer_client, new_agency):
    ReportPublication.objects.create(year=REPORT_YEAR)
    for url in [
        f"/reports/{REPORT_YEAR}/new-agencies.csv",
        f"/reports/{REPORT_YEAR}/public/new-agencies.csv",
    ]:
        assert officer_client.post(url).status_code == 405
