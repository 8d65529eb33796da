"""The annual report: its numbers against a factory-built year, its CSVs, and the public
version published with one switch."""

import csv
import io

import pytest

from reports import annual
from reports.annual import build_report, record_coverage
from reports.models import CoverageRecord, ReportPublication
from tests.factories import (
    DeliveryFactory,
    EventFactory,
    IssueFactory,
    ProvidedServiceFactory,
    WorkingGroupFactory,
)
from tests.reports.factories import YEAR, at, build_year

pytestmark = pytest.mark.django_db

REPORT = f"/reports/{YEAR}/"
PUBLIC = f"/reports/{YEAR}/public/"


@pytest.fixture
def year_data():
    data = build_year()
    issue = IssueFactory(title="Spring issue", publish_at=at(YEAR, 4, 1))
    DeliveryFactory.create_batch(3, issue=issue, status="sent")
    DeliveryFactory(issue=issue, status="failed")
    IssueFactory(title="Old issue", publish_at=at(YEAR - 1, 4, 1))
    closed = WorkingGroupFactory(name="NRM pathway group", lead_agency=data["agencies"][0])
    closed.status = "closed"
    closed.closed_at = at(YEAR, 9, 1)
    closed.outcome = "A single referral pathway, adopted by all seven councils."
    closed.save()
    type(closed).objects.filter(pk=closed.pk).update(created_at=at(YEAR - 1))
    EventFactory(
        title="Group meeting", working_group=closed, starts_at=at(YEAR, 2, 2), kind="workshop"
    )
    return data


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_report_numbers_match_the_year(year_data):
    report = build_report(YEAR)
    assert report.numbers == {
        "events_held": 4,  # two meetings, the conference and the group's workshop
        "meetings_held": 2,
        "attendances": 6,  # the cancelled meeting's mistaken record is left out
        "people_attending": 4,
        "agencies_attending": 4,
        "agencies_not_attending": 1,
        "new_agencies": 2,
        "new_members": 3,  # the council's first member joined the year before
        "people_joined": 3,
        "pledges_made": 3,
        "pledges_achieved": 1,
        "gaps": 1,
        "newsletters": 1,
        "newsletter_emails": 3,
        "working_groups": 1,
        "actions_agreed": 0,
        "actions_on_time": 0,
        "actions_late": 0,
        "actions_open": 0,
    }
    assert report.tables["new-agencies"].rows == [
        ["Shelter", "Third sector"],
        ["Solicitors", "Private sector"],
    ]
    assert report.tables["newsletters"].rows == [["Spring issue", f"{YEAR}-04-01", 3, 1]]
    group = report.tables["working-groups"].rows[0]
    assert group[0] == "NRM pathway group" and group[1] == "Police" and group[3] == 1
    assert group[4:] == [
        f"Closed on 01 September {YEAR}",
        "A single referral pathway, adopted by all seven councils.",
    ]
    pledge_rows = {row[0]: row for row in report.tables["pledges"].rows}
    assert pledge_rows["Police"][1:3] == ["Train all", "Achieved"]
    assert pledge_rows["Police"][3].endswith("Everyone trained (Pat Author)")
    assert "Secret plan" in {row[1] for row in report.tables["pledges"].rows}


def test_public_version_has_no_personal_data(year_data):
    report = build_report(YEAR, public=True)
    assert "new-members" not in report.tables
    assert "agencies-not-attending" not in report.tables
    texts = {row[1] for row in report.tables["pledges"].rows}
    assert "Secret plan" not in texts
    assert report.numbers["pledges_made"] == 2
    notes = report.tables["pledges"].rows
    assert all("Pat Author" not in str(row) for row in notes)


@pytest.mark.parametrize("public", [False, True])
def test_the_page_fetches_only_the_rows_it_shows_and_counts_the_rest(
    year_data, monkeypatch, public
):
    monkeypatch.setattr(annual, "LONG_TABLE_SHOWN", 1)
    full = build_report(YEAR, public=public)
    page = build_report(YEAR, public=public, page=True)
    assert page.numbers == full.numbers
    assert page.tables.keys() == full.tables.keys()
    long_tables = 0
    for slug, table in page.tables.items():
        rows = full.tables[slug].rows
        assert table.shown_rows == full.tables[slug].shown_rows, slug
        assert len(table.shown_rows) + table.hidden_count == len(rows), slug
        long_tables += len(rows) > 1 and table.shown == 1
    assert long_tables >= 3


def test_open_groups_without_an_outcome_say_so_in_both_versions(year_data):
    group = WorkingGroupFactory(name="Victim care group")
    type(group).objects.filter(pk=group.pk).update(created_at=at(YEAR, 3, 1))
    for public in (False, True):
        rows = {
            row[0]: row for row in build_report(YEAR, public=public).tables["working-groups"].rows
        }
        assert rows["Victim care group"][4:] == ["Still open", "Not recorded yet"]
        assert rows["NRM pathway group"][5].startswith("A single referral pathway")


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member", "officer"])
def test_report_is_for_officers(client_for_role, role, year_data):
    response = client_for_role(role).get(REPORT)
    if role == "officer":
        assert response.status_code == 200
        html = response.content.decode()
        assert "Cleo Clerk" in html  # the officers' version names new members
        assert html.count("<h1") == 1
    elif role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 404


def test_report_wrong_method_and_bad_year(officer_client):
    assert officer_client.post(REPORT).status_code == 405
    assert officer_client.get("/reports/1999/").status_code == 404
    assert officer_client.get("/reports/2025/no-such-table.csv").status_code == 404


def test_each_table_downloads_as_csv_with_the_guard(officer_client, year_data):
    from network.models import Agency

    Agency.objects.filter(name="Shelter").update(name="=HYPERLINK(evil)")
    report = build_report(YEAR)
    for slug, table in report.tables.items():
        rows = csv_rows(officer_client.get(f"/reports/{YEAR}/{slug}.csv"))
        assert rows[0] == table.headers
        assert len(rows) == len(table.rows) + 1, slug
    new_agencies = csv_rows(officer_client.get(f"/reports/{YEAR}/new-agencies.csv"))
    assert ["'=HYPERLINK(evil)", "Third sector"] in new_agencies


NOT_OFFICERS = ["anonymous", "pending", "other_member", "member"]


def refused(response, role):
    """Visitors are sent to log in; signed-in people who are not officers get a 404."""
    if role == "anonymous":
        return response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    return response.status_code == 404


@pytest.mark.parametrize("role", NOT_OFFICERS)
def test_csv_is_for_officers(client_for_role, role, year_data):
    assert refused(client_for_role(role).get(f"/reports/{YEAR}/new-members.csv"), role)


@pytest.mark.parametrize("role", NOT_OFFICERS)
def test_only_officers_record_the_years_coverage(client_for_role, role, year_data):
    assert refused(client_for_role(role).post(f"/reports/{YEAR}/coverage/"), role)
    assert not CoverageRecord.objects.filter(year=YEAR).exists()


def test_recording_coverage_refuses_get(officer_client, year_data):
    assert officer_client.get(f"/reports/{YEAR}/coverage/").status_code == 405
    assert not CoverageRecord.objects.filter(year=YEAR).exists()


@pytest.mark.parametrize("role", [*NOT_OFFICERS, "officer"])
def test_an_unpublished_public_report_is_only_an_officers_preview(client_for_role, role, year_data):
    client = client_for_role(role)
    page, csv_file = client.get(PUBLIC), client.get(f"/reports/{YEAR}/public/pledges.csv")
    expected = 200 if role == "officer" else 404
    assert (page.status_code, csv_file.status_code) == (expected, expected)


def test_public_version_published_with_one_switch(officer_client, client, year_data):
    assert client.get(PUBLIC).status_code == 404
    assert client.get(f"{PUBLIC}pledges.csv").status_code == 404
    # Officers preview it before publishing.
    preview = officer_client.get(PUBLIC)
    assert preview.status_code == 200 and "not published yet" in preview.content.decode()

    assert officer_client.post(f"/reports/{YEAR}/publish/", {"published": "yes"}).status_code == 302
    assert ReportPublication.objects.filter(year=YEAR).exists()
    public = client.get(PUBLIC)
    assert public.status_code == 200
    html = public.content.decode()
    for name in ["Cleo Clerk", "Pat Author", "Secret plan", "@example.org"]:
        assert name not in html
    rows = csv_rows(client.get(f"{PUBLIC}pledges.csv"))
    assert all("Secret plan" not in row for row in rows)
    assert client.get(f"{PUBLIC}new-members.csv").status_code == 404

    officer_client.post(f"/reports/{YEAR}/publish/", {"published": "no"})
    assert client.get(PUBLIC).status_code == 404


@pytest.mark.parametrize("role", NOT_OFFICERS)
def test_only_officers_flip_the_switch(client_for_role, role, year_data):
    response = client_for_role(role).post(f"/reports/{YEAR}/publish/", {"published": "yes"})
    assert refused(response, role)
    assert not ReportPublication.objects.exists()


def test_switch_refuses_nonsense_and_get(officer_client):
    assert (
        officer_client.post(f"/reports/{YEAR}/publish/", {"published": "maybe"}).status_code == 400
    )
    assert officer_client.get(f"/reports/{YEAR}/publish/").status_code == 405


def test_publishing_keeps_the_years_coverage(officer_client, year_data):
    officer_client.post(f"/reports/{YEAR}/publish/", {"published": "yes"})
    assert CoverageRecord.objects.filter(year=YEAR).count() == 2 * 3


def test_gaps_changes_against_last_years_record(officer_client, year_data):
    legal, beds = year_data["services"]
    birmingham, coventry, region = year_data["areas"]
    record_coverage(YEAR - 1)
    # Since then, someone offers legal advice in Coventry; the Birmingham solicitor stops.
    ProvidedServiceFactory(service=legal, areas=[coventry])
    legal.providers.filter(areas=birmingham).delete()
    report = build_report(YEAR)
    assert report.tables["gap-changes"].rows == [
        ["Legal advice", "Birmingham", 1, 0, "New gap"],
        ["Legal advice", "Coventry", 0, 1, "Gap closed"],
    ]
    assert (report.numbers["gaps_closed"], report.numbers["gaps_opened"]) == (1, 1)
    # Recording this year's coverage from the report page freezes it.
    assert officer_client.post(f"/reports/{YEAR}/coverage/").status_code == 302
    ProvidedServiceFactory(service=legal, areas=[birmingham])
    assert build_report(YEAR).numbers["gaps"] == 1


def test_report_without_a_previous_record_says_so(officer_client, year_data):
    html = officer_client.get(REPORT).content.decode()
    assert f"No coverage was recorded for {YEAR - 1}" in html
