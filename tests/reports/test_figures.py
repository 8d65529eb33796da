"""Every chart's figures against the data they are drawn from."""

import pytest
from django.utils import timezone

from reports import figures
from reports.svg import BarChart, Series
from survey.gaps import compute_provision
from tests.factories import AgencyFactory, ProvidedServiceFactory, ServiceFactory
from tests.reports.factories import YEAR, build_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_data():
    return build_year()


def test_agencies_and_members_by_sector_over_time(year_data):
    growth = figures.growth(YEAR, years=3)
    assert growth.years == [YEAR - 2, YEAR - 1, YEAR]
    # The proposed agency is left out; agencies count from the year they were created.
    assert growth.agencies == {"public": [1, 2, 2], "private": [0, 0, 1], "third": [0, 1, 2]}
    # The council's first member counts in YEAR - 1 only (ended in YEAR).
    assert growth.members == {"public": [1, 2, 2], "private": [0, 0, 1], "third": [0, 0, 1]}
    table = growth.table("members")
    assert table.rows[-1] == [YEAR, 2, 1, 1, 4]
    chart = growth.chart("agencies")
    assert chart.summary.startswith(f"At the end of {YEAR} the network had 5 agencies")
    assert [s.values for s in chart.series] == [[1, 2, 2], [0, 0, 1], [0, 1, 2]]


def test_growth_charts_start_the_year_the_first_agency_joined(year_data):
    """Years before any agency joined are not a network of 0 agencies: they are left out."""
    growth = figures.growth(YEAR, years=8)

    assert growth.years == [YEAR - 2, YEAR - 1, YEAR]
    assert growth.chart("agencies").categories == [YEAR - 2, YEAR - 1, YEAR]
    assert [row[0] for row in growth.table("agencies").rows] == [YEAR - 2, YEAR - 1, YEAR]
    assert all(counts[0] > 0 for counts in [growth.agencies["public"]])


def test_growth_of_a_network_with_no_agencies_yet_is_one_year(db):
    assert figures.growth(YEAR).years == [YEAR]


def test_attendance_at_each_meeting_by_sector(year_data):
    attendance = figures.attendance(YEAR)
    # Cancelled meetings and the conference are left out.
    assert [e.title for e, _ in attendance.meetings] == ["January meeting", "March meeting"]
    assert [counts for _, counts in attendance.meetings] == [
        {"public": 2, "third": 1},
        {"public": 1, "private": 1},
    ]
    assert attendance.table().rows == [
        ["January meeting", f"{YEAR}-01-16", 2, 0, 1, 3],
        ["March meeting", f"{YEAR}-03-20", 1, 1, 0, 2],
    ]
    chart = attendance.chart()
    assert chart.categories == ["16 Jan", "20 Mar"]
    assert "5 attendances" in chart.summary


def test_a_page_charts_the_latest_meetings_and_counts_them_all(year_data, monkeypatch):
    monkeypatch.setattr(figures, "MEETINGS_CHARTED", 1)
    full = figures.attendance(YEAR)
    latest = figures.attendance(YEAR, latest=1)
    assert [e.title for e, _ in latest.meetings] == ["March meeting"]
    assert (latest.meeting_count, latest.total) == (full.meeting_count, full.total) == (2, 5)
    chart = latest.chart()
    assert chart.categories == [f"{timezone.localtime(latest.meetings[0][0].starts_at):%d %b}"]
    assert chart.summary.startswith(f"2 network meetings in {YEAR}, 5 attendances in all:")
    assert "The chart shows the latest 1" in chart.summary
    assert full.chart().categories == chart.categories  # the full copy charts the latest too
    table = latest.table()
    assert table.shown_rows == full.table().shown_rows == [full.table().rows[-1]]
    assert table.hidden_count == full.table().hidden_count == 1


def test_agencies_not_attending_this_year(year_data):
    attendance = figures.attendance(YEAR)
    assert attendance.not_attending == ["Shelter"]
    assert attendance.not_attending_count == 1
    assert attendance.active_agencies == 5
    assert figures.attendance(YEAR + 1).not_attending_count == 5


def test_attendance_without_an_agency_is_counted_apart(year_data):
    from events.models import Attendance
    from tests.factories import UserFactory

    Attendance.objects.create(event=year_data["meetings"][0], user=UserFactory(), agency=None)
    attendance = figures.attendance(YEAR)
    assert attendance.meetings[0][1][None] == 1
    assert attendance.table().headers[-2] == figures.NO_AGENCY


def test_pledges_by_status_and_year_on_year(year_data):
    from network.models import Agency
    from tests.factories import PledgeFactory

    # A proposed agency's pledge is not the network's yet.
    PledgeFactory(agency=Agency.objects.get(name="Proposed"), year=YEAR, status="made")
    pledges = figures.pledges(YEAR)
    assert pledges.this_year() == {"achieved": 1, "in_progress": 1, "made": 1}
    assert pledges.years == list(range(YEAR - 4, YEAR + 1))
    assert pledges.table().rows[-2:] == [[YEAR - 1, 0, 0, 0, 1, 1], [YEAR, 1, 1, 1, 0, 3]]
    assert [s.values for s in pledges.status_chart().series] == [[1, 1, 1, 0]]


def test_coverage_counts_region_wide_in_every_area_once(year_data):
    coverage = figures.coverage()
    assert [a.name for a in coverage.areas] == ["Birmingham", "Coventry", "Region-wide"]
    # Legal: solicitors in Birmingham. Safe house: shelter region-wide (and Birmingham,
    # counted once), charity in Coventry.
    assert coverage.grid() == [[1, 0, 0], [1, 2, 1]]
    assert [(s.name, a.name) for s, a in coverage.gaps] == [("Legal advice", "Coventry")]
    heat = coverage.heat_map()
    gap_cells = [c for c in heat.cells if c["is_gap"]]
    assert [c["label"] for c in gap_cells] == ["Legal advice in Coventry: 0 agencies"]
    assert gap_cells[0]["text"] == "gap"
    # An empty region-wide column is not a gap: local agencies may cover every area.
    region_legal = heat.cells[2]
    assert region_legal["text"] == "0" and not region_legal["is_gap"]


def test_coverage_agrees_with_the_services_gap_view(year_data):
    service = ServiceFactory(name="Interpreting", order=3)
    birmingham, coventry, region = year_data["areas"]
    ProvidedServiceFactory(agency=AgencyFactory(), service=service, areas=[region])
    ProvidedServiceFactory(agency=AgencyFactory(), service=service, areas=[birmingham, coventry])
    ProvidedServiceFactory(
        agency=AgencyFactory(status="proposed"), service=service, areas=[coventry]
    )
    coverage = figures.coverage()
    provision = compute_provision()
    for row in provision.rows:
        for cell in row.cells:
            assert coverage.counts.get((row.service.pk, cell.area.pk), 0) == cell.count, (
                row.service.name,
                cell.area.name,
            )


def test_bars_are_drawn_in_proportion():
    chart = BarChart(
        slug="t",
        title="T",
        summary="S",
        categories=["a", "b"],
        series=[Series("x", [2, 4]), Series("y", [2, 0])],
    )
    heights = [bar["h"] for bar in chart.bars]
    assert heights[0] == heights[1] == heights[2] / 2
    # Stacked: the second segment starts where the first ends.
    assert chart.bars[1]["y"] + chart.bars[1]["h"] == pytest.approx(chart.bars[0]["y"])
    assert [t["text"] for t in chart.ticks] == ["0", "1", "2", "3", "4"]
    assert not chart.is_empty


def test_meetings_still_to_come_are_not_counted_as_held():
    import datetime as dt

    import time_machine

    from tests.factories import EventFactory
    from tests.reports.factories import at

    EventFactory(title="Held", starts_at=at(2026, 3, 1))
    EventFactory(title="To come", starts_at=at(2026, 9, 1))
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.UTC), tick=False):
        assert [e.title for e, _ in figures.attendance(2026).meetings] == ["Held"]
