"""The network in figures. Every function counts in the database (GROUP BY), so its number
of queries and rows stays the same at ten agencies or ten thousand."""

import datetime as dt
import functools
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.utils import timezone

from actions.models import Action
from events.models import Attendance, Event
from network.models import Agency, Area, Membership
from pledges.models import Pledge
from survey.gaps import counts_by_cell
from survey.models import Service

from .svg import BarChart, HeatMap, Series
from .tables import Table

SECTORS = Agency.Sector
NO_AGENCY = "No agency recorded"
GROWTH_YEARS = 8
PLEDGE_YEARS = 5
NOT_ATTENDING_SHOWN = 50
# A bar each: beyond two years of monthly meetings the bars are too thin to read.
MEETINGS_CHARTED = 24


SECTOR_LABELS = dict(SECTORS.choices)


def sector_label(value):
    return SECTOR_LABELS.get(value, NO_AGENCY)


# Members and agencies by sector over time


@dataclass
class Growth:
    years: list
    agencies: dict  # sector -> [count at the end of each year]
    members: dict

    def chart(self, which):
        counts = getattr(self, which)
        latest = {sector_label(s): values[-1] for s, values in counts.items()}
        total = sum(latest.values())
        noun = "agencies" if which == "agencies" else "memberships"
        return BarChart(
            slug=f"{which}-by-sector",
            title=f"{'Agencies' if which == 'agencies' else 'Members'} by sector, "
            f"{self.years[0]}–{self.years[-1]}",
            summary=f"At the end of {self.years[-1]} the network had {total} {noun}: "
            + ", ".join(f"{n} {label.lower()}" for label, n in latest.items())
            + ".",
            categories=self.years,
            series=[Series(sector_label(s), counts[s]) for s in SECTORS.values],
        )

    def table(self, which):
        counts = getattr(self, which)
        return Table(
            slug=f"{which}-by-sector",
            caption=f"{'Agencies' if which == 'agencies' else 'Members'} by sector at the end "
            "of each year",
            headers=["Year", *[sector_label(s) for s in SECTORS.values], "Total"],
            rows=[
                [year, *[counts[s][i] for s in SECTORS.values], sum(c[i] for c in counts.values())]
                for i, year in enumerate(self.years)
            ],
        )


def year_end(year):
    return timezone.make_aware(dt.datetime(year + 1, 1, 1))


def growth(until_year, years=GROWTH_YEARS):
    """Active agencies and approved memberships by sector at the end of each year: one
    query each, a filtered count per year grouped by sector (plain comparisons, so SQLite
    runs no date function per row). The years run from the one the first active agency
    joined, found by the agencies' query itself: earlier years would show a network of 0."""
    latest = list(range(until_year - years + 1, until_year + 1))
    agency_counts = list(
        Agency.objects.active()
        .order_by()
        .values("sector")
        .annotate(
            first=Min("created_at"),
            **{f"y{y}": Count("pk", filter=Q(created_at__lt=year_end(y))) for y in latest},
        )
    )
    joined = min(
        (timezone.localtime(row["first"]).year for row in agency_counts), default=until_year
    )
    span = [y for y in latest if y >= min(joined, until_year)]
    agencies = {s: [0] * len(span) for s in SECTORS.values}
    for row in agency_counts:
        agencies[row["sector"]] = [row[f"y{y}"] for y in span]
    members = {s: [0] * len(span) for s in SECTORS.values}
    # A membership counts from its approval until it ended.
    member_counts = (
        Membership.objects.filter(
            status__in=[Membership.Status.APPROVED, Membership.Status.ENDED],
            agency__status=Agency.Status.ACTIVE,
        )
        .order_by()
        .values("agency__sector")
        .annotate(
            **{
                f"y{y}": Count(
                    "pk",
                    filter=Q(decided_at__lt=year_end(y))
                    & (Q(ended_at__isnull=True) | Q(ended_at__gte=year_end(y))),
                )
                for y in span
            }
        )
    )
    for row in member_counts:
        members[row["agency__sector"]] = [row[f"y{y}"] for y in span]
    return Growth(years=span, agencies=agencies, members=members)


# Attendance at each meeting by sector


def meetings_in(year, now=None):
    """The year's network meetings that went ahead (so far), in date order."""
    return (
        Event.objects.filter(
            kind=Event.Kind.NETWORK_MEETING,
            starts_at__year=year,
            starts_at__lt=now or timezone.now(),
        )
        .scheduled()
        .order_by("starts_at", "pk")
        .only("pk", "title", "starts_at")
    )


@dataclass
class AttendanceFigures:
    year: int
    meetings: list  # [(event, {sector: count})]: all of them, or the latest (for a page)
    not_attending: list  # agency names, up to NOT_ATTENDING_SHOWN
    not_attending_count: int
    active_agencies: int
    meeting_count: int  # the year's meetings, however many `meetings` holds
    total: int  # attendances at all of them

    @functools.cached_property
    def sectors(self):
        keys = [*SECTORS.values]
        if any(None in counts for _, counts in self.meetings):
            keys.append(None)
        return keys

    @property
    def charted(self):
        """The meetings the chart shows: the latest MEETINGS_CHARTED (a bar each)."""
        return self.meetings[-MEETINGS_CHARTED:]

    def chart(self):
        total = self.total
        charted = self.charted
        shown = (
            f" The chart shows the latest {len(charted)}; the table's CSV has them all."
            if len(charted) < self.meeting_count
            else ""
        )
        return BarChart(
            slug="attendance",
            title=f"Attendance at each network meeting in {self.year}, by sector",
            summary=(
                f"{self.meeting_count} network meetings in {self.year}, {total} attendances in "
                "all: "
                + "; ".join(
                    f"{timezone.localtime(e.starts_at):%d %b}: {sum(c.values())}"
                    for e, c in charted
                )
                + "."
                + shown
                if self.meetings
                else f"No network meetings in {self.year}."
            ),
            categories=[f"{timezone.localtime(e.starts_at):%d %b}" for e, _ in charted],
            series=[
                Series(sector_label(s), [c.get(s, 0) for _, c in charted]) for s in self.sectors
            ],
        )

    def table(self):
        return Table(
            slug="attendance",
            caption=f"Attendance at each network meeting in {self.year}, by sector",
            headers=["Meeting", "Date", *[sector_label(s) for s in self.sectors], "Total"],
            rows=[
                [
                    event.title,
                    f"{timezone.localtime(event.starts_at):%Y-%m-%d}",
                    *[counts.get(s, 0) for s in self.sectors],
                    sum(counts.values()),
                ]
                for event, counts in self.meetings
            ],
            shown=MEETINGS_CHARTED,
            latest=True,
            total=self.meeting_count,
        )

    def not_attending_table(self, names):
        return Table(
            slug="agencies-not-attending",
            caption=f"Agencies that have not attended a network meeting in {self.year}",
            headers=["Agency"],
            rows=[[name] for name in names],
            shown=NOT_ATTENDING_SHOWN,
        )


def attended_agencies(year):
    return Attendance.objects.filter(event__in=meetings_in(year), agency__isnull=False).values(
        "agency_id"
    )


def agencies_not_attending(year):
    """Active agencies nobody came for to a network meeting in the year (a query set)."""
    return Agency.objects.active().exclude(pk__in=attended_agencies(year))


def attendance(year, *, latest=None):
    """The year's attendance by meeting and sector: every meeting, or for a page only the
    `latest` ones (with the count and the attendances of them all)."""
    held = meetings_in(year)
    if latest is None:
        meetings = list(held)
        meeting_count = len(meetings)
    else:
        meetings = list(held.reverse()[:latest])[::-1]
        meeting_count = held.count()
    counts = {}
    for event_id, sector, n in (
        Attendance.objects.filter(event__in=[e.pk for e in meetings])
        .order_by()
        .values_list("event_id", "agency__sector")
        .annotate(n=Count("pk"))
    ):
        counts.setdefault(event_id, {})[sector] = n
    missing = agencies_not_attending(year)
    agencies = Agency.objects.active().aggregate(
        active=Count("pk"), missing=Count("pk", filter=~Q(pk__in=attended_agencies(year)))
    )
    return AttendanceFigures(
        year=year,
        meetings=[(e, counts.get(e.pk, {})) for e in meetings],
        not_attending=list(missing.values_list("name", flat=True)[:NOT_ATTENDING_SHOWN]),
        not_attending_count=agencies["missing"],
        active_agencies=agencies["active"],
        meeting_count=meeting_count,
        total=(
            sum(sum(c.values()) for c in counts.values())
            if latest is None
            else Attendance.objects.filter(event__in=held).count()
        ),
    )


# Pledges by status, and year on year

PLEDGE_STATUSES = Pledge.Status


@dataclass
class PledgeFigures:
    year: int
    by_year: dict  # year -> {status: count}

    @property
    def years(self):
        return list(range(self.year - PLEDGE_YEARS + 1, self.year + 1))

    def this_year(self):
        return self.by_year.get(self.year, {})

    def status_chart(self):
        counts = self.this_year()
        total = sum(counts.values())
        return BarChart(
            slug="pledges-by-status",
            title=f"Pledges for {self.year} by status",
            summary=f"{total} pledges for {self.year}: "
            + ", ".join(f"{counts.get(s, 0)} {s.label.lower()}" for s in PLEDGE_STATUSES)
            + ".",
            categories=[s.label for s in PLEDGE_STATUSES],
            series=[Series("Pledges", [counts.get(s.value, 0) for s in PLEDGE_STATUSES])],
        )

    def years_chart(self):
        return BarChart(
            slug="pledges-by-year",
            title=f"Pledges year on year, {self.years[0]}–{self.year}",
            summary="Pledges made for each year: "
            + ", ".join(f"{y}: {sum(self.by_year.get(y, {}).values())}" for y in self.years)
            + ".",
            categories=self.years,
            series=[
                Series(s.label, [self.by_year.get(y, {}).get(s.value, 0) for y in self.years])
                for s in PLEDGE_STATUSES
            ],
        )

    def status_table(self):
        counts = self.this_year()
        return Table(
            slug="pledges-by-status",
            caption=f"Pledges for {self.year} by status",
            headers=["Status", "Pledges"],
            rows=[[s.label, counts.get(s.value, 0)] for s in PLEDGE_STATUSES],
        )

    def table(self):
        return Table(
            slug="pledges-by-year",
            caption="Pledges by year and status",
            headers=["Year", *[s.label for s in PLEDGE_STATUSES], "Total"],
            rows=[
                [
                    y,
                    *[self.by_year.get(y, {}).get(s.value, 0) for s in PLEDGE_STATUSES],
                    sum(self.by_year.get(y, {}).values()),
                ]
                for y in self.years
            ],
        )


def pledges(year, queryset=None):
    """Pledges by year and status for the five years to `year` (public ones if asked)."""
    if queryset is None:
        queryset = Pledge.objects.of_active_agencies()
    by_year = {}
    for pledge_year, status, n in (
        queryset.filter(year__gt=year - PLEDGE_YEARS, year__lte=year)
        .order_by()
        .values_list("year", "status")
        .annotate(n=Count("pk"))
    ):
        by_year.setdefault(pledge_year, {})[status] = n
    return PledgeFigures(year=year, by_year=by_year)


# Services coverage


@dataclass
class Coverage:
    services: list
    areas: list  # local areas, then the region-wide ones
    counts: dict  # (service id, area id) -> agencies

    def grid(self):
        return [[self.counts.get((s.pk, a.pk), 0) for a in self.areas] for s in self.services]

    @property
    def gaps(self):
        """(service, area) pairs nobody covers, region-wide columns left out."""
        return [
            (s, a)
            for s in self.services
            for a in self.areas
            if not a.is_region_wide and not self.counts.get((s.pk, a.pk))
        ]

    def heat_map(self):
        gaps = self.gaps
        return HeatMap(
            slug="coverage",
            title="Services coverage by area",
            summary=(
                f"{len(self.services)} services in {sum(not a.is_region_wide for a in self.areas)}"
                f" areas: {len(gaps)} gaps where no agency offers the service"
                + (": " + "; ".join(f"{s.name} in {a.name}" for s, a in gaps[:20]) if gaps else "")
                + ("; and more (see the table)" if len(gaps) > 20 else "")
                + ". An agency serving the whole region counts in every area."
            ),
            rows=[s.name for s in self.services],
            columns=[a.name for a in self.areas],
            counts=self.grid(),
            gap_columns=[not a.is_region_wide for a in self.areas],
        )

    def table(self):
        return Table(
            slug="coverage",
            caption="Agencies offering each service, by area (region-wide ones count in every "
            "area)",
            headers=["Service", *[a.name for a in self.areas]],
            rows=[[s.name, *row] for s, row in zip(self.services, self.grid(), strict=True)],
        )


def coverage():
    """Distinct active agencies per service and area, as the gap view counts them
    (survey.gaps): an answer given region-wide counts in every local area."""
    services = list(Service.objects.all())
    areas = sorted(Area.objects.all(), key=lambda a: (a.is_region_wide, a.order, a.name))
    return Coverage(services=services, areas=areas, counts=counts_by_cell(areas))


ACTION_OUTCOMES = [
    ("on_time", "Done on time"),
    ("late", "Late"),
    ("open", "Open"),
    ("dropped", "Dropped"),
]
NETWORK_MEETINGS = "Network meetings"


@dataclass
class ActionFigures:
    year: int
    by_group: dict  # group name ("Network meetings" for none) -> {outcome: count, "agreed": n}

    def groups(self):
        named = sorted(name for name in self.by_group if name != NETWORK_MEETINGS)
        return [NETWORK_MEETINGS, *named] if NETWORK_MEETINGS in self.by_group else named

    def total(self):
        keys = ["agreed", *[key for key, _ in ACTION_OUTCOMES]]
        return {key: sum(row[key] for row in self.by_group.values()) for key in keys}

    def chart(self):
        total = self.total()
        groups = self.groups()
        return BarChart(
            slug="actions-by-group",
            title=f"Actions agreed in {self.year}, by group",
            summary=f"{total['agreed']} actions agreed in {self.year}: "
            + ", ".join(f"{total[key]} {label.lower()}" for key, label in ACTION_OUTCOMES)
            + ".",
            categories=groups,
            series=[
                Series(label, [self.by_group[g][key] for g in groups])
                for key, label in ACTION_OUTCOMES
            ],
        )

    def table(self):
        total = self.total()
        return Table(
            slug="actions-by-group",
            caption=f"Actions agreed in {self.year}, by group",
            headers=["Group", "Agreed", *[label for _, label in ACTION_OUTCOMES]],
            rows=[
                [g, self.by_group[g]["agreed"], *[self.by_group[g][k] for k, _ in ACTION_OUTCOMES]]
                for g in self.groups()
            ]
            + [["All groups", total["agreed"], *[total[k] for k, _ in ACTION_OUTCOMES]]],
        )


def actions(year, today=None):
    """What became of the actions agreed in the year, by group (one query)."""
    outcomes = Action.objects.agreed_in(year).outcomes_by_group(today or timezone.localdate())
    return ActionFigures(
        year=year,
        by_group={name or NETWORK_MEETINGS: row for name, row in outcomes.items()},
    )


def network_in_pictures(year):
    """Everything the charts page shows, for a year."""
    return {
        "growth": growth(year),
        "attendance": attendance(year, latest=MEETINGS_CHARTED),
        "pledges": pledges(year),
        "coverage": coverage(),
    }
