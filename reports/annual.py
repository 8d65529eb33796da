"""The annual report: a year of the network told from the portal's data.

`build_report(year, public=...)` gathers every section with a fixed number of queries. The
public version leaves out personal data: no person's name (new members, attendees, authors
of progress notes) and no members-only pledge.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from events.models import Attendance, Event
from network.models import Agency, Membership, WorkingGroup
from newsletters.models import Delivery, Issue
from pledges.models import Pledge, PledgeUpdate
from reports import figures
from reports.models import CoverageRecord, ReportPublication
from reports.tables import Table

LONG_TABLE_SHOWN = 200


def local_date(moment):
    """The day in UK time, as 2025-06-01 (cheap enough for ten thousand rows)."""
    return moment.astimezone(timezone.get_default_timezone()).date().isoformat()


def full_name(first, last):
    return " ".join(part for part in (first, last) if part)


def year_bounds(year):
    tz = timezone.get_default_timezone()
    start = dt.datetime(year, 1, 1, tzinfo=tz)
    return start, dt.datetime(year + 1, 1, 1, tzinfo=tz)


@dataclass
class Report:
    year: int
    public: bool
    # For the page: long tables hold only the rows shown, with their total (the CSV, built
    # with page=False, has every row).
    page: bool = False
    numbers: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)
    charts: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)

    @property
    def by_name(self):
        """The tables by slug with underscores, as templates look them up."""
        return {slug.replace("-", "_"): table for slug, table in self.tables.items()}

    def add(self, table):
        self.tables[table.slug] = table
        return table

    def long_rows(self, queryset, total):
        """(rows, total) of a long table: on the page only the rows shown are fetched.
        `total` is a callable counting them all, asked only then."""
        if self.page:
            return list(queryset[:LONG_TABLE_SHOWN]), total()
        return list(queryset), None


def build_report(year, *, public=False, page=False):
    report = Report(year=year, public=public, page=page)
    meetings_section(report)
    growth_section(report)
    pledges_section(report)
    coverage_section(report)
    newsletters_section(report)
    groups_section(report)
    actions_section(report)
    return report


def meetings_section(report):
    start, end = year_bounds(report.year)
    # Held: up to now, in the year still running.
    end = min(end, timezone.now())
    held = Event.objects.filter(starts_at__gte=start, starts_at__lt=end).scheduled()
    counts = held.aggregate(
        events=Count("pk"), meetings=Count("pk", filter=Q(kind=Event.Kind.NETWORK_MEETING))
    )
    events, total = report.long_rows(
        held.annotate(
            attended=Count("attendances", distinct=True),
            agencies=Count("attendances__agency", distinct=True),
        )
        .order_by("starts_at", "pk")
        .values_list("title", "kind", "starts_at", "attended", "agencies"),
        lambda: counts["events"],
    )
    kinds = dict(Event.Kind.choices)
    attendances = Attendance.objects.filter(event__starts_at__gte=start, event__starts_at__lt=end)
    attendances = attendances.filter(event__status=Event.Status.SCHEDULED)
    report.numbers.update(
        events_held=counts["events"],
        meetings_held=counts["meetings"],
        attendances=attendances.count(),
        # Members counted once each; guests checked in at the door have no user.
        people_attending=attendances.exclude(user=None).values("user_id").distinct().count()
        + attendances.filter(user=None).count(),
        agencies_attending=attendances.exclude(agency=None).values("agency_id").distinct().count(),
    )
    report.add(
        Table(
            slug="events",
            caption=f"Meetings and events held in {report.year}",
            headers=["Event", "Kind", "Date", "People attending", "Agencies attending"],
            rows=[
                [title, kinds[kind], local_date(starts_at), attended, agencies]
                for title, kind, starts_at, attended, agencies in events
            ],
            shown=LONG_TABLE_SHOWN,
            total=total,
        )
    )
    attendance = figures.attendance(
        report.year, latest=figures.MEETINGS_CHARTED if report.page else None
    )
    report.charts["attendance"] = attendance.chart()
    report.add(attendance.table())
    report.numbers["agencies_not_attending"] = attendance.not_attending_count
    if not report.public:
        names = figures.agencies_not_attending(report.year).values_list("name", flat=True)
        report.add(attendance.not_attending_table(list(names)))


def growth_section(report):
    start, end = year_bounds(report.year)
    new_agencies = (
        Agency.objects.active()
        .filter(created_at__gte=start, created_at__lt=end)
        .order_by("name")
        .values_list("name", "sector")
    )
    joined = Membership.objects.filter(
        status__in=[Membership.Status.APPROVED, Membership.Status.ENDED],
        agency__status=Agency.Status.ACTIVE,
        decided_at__gte=start,
        decided_at__lt=end,
    )
    # One pass over the year's memberships for the count by sector and the people.
    counts = joined.aggregate(
        people=Count("user_id", distinct=True),
        **{s: Count("pk", filter=Q(agency__sector=s)) for s in figures.SECTORS.values},
    )
    by_sector = {s: counts[s] for s in figures.SECTORS.values}
    new_agencies, new_agencies_total = report.long_rows(new_agencies, new_agencies.count)
    report.numbers.update(
        new_agencies=len(new_agencies) if new_agencies_total is None else new_agencies_total,
        new_members=sum(by_sector.values()),
        people_joined=counts["people"],
    )
    report.add(
        Table(
            slug="new-agencies",
            caption=f"Agencies that joined in {report.year}",
            headers=["Agency", "Sector"],
            rows=[[name, figures.sector_label(sector)] for name, sector in new_agencies],
            shown=LONG_TABLE_SHOWN,
            total=new_agencies_total,
        )
    )
    report.add(
        Table(
            slug="new-members-by-sector",
            caption=f"Memberships approved in {report.year}, by sector",
            headers=["Sector", "Memberships"],
            rows=[[figures.sector_label(s), by_sector.get(s, 0)] for s in figures.SECTORS.values],
        )
    )
    if not report.public:
        people, total = report.long_rows(
            joined.order_by("decided_at", "pk").values_list(
                "user__first_name", "user__last_name", "user__email", "agency__name", "decided_at"
            ),
            lambda: report.numbers["new_members"],
        )
        report.add(
            Table(
                slug="new-members",
                caption=f"People who joined in {report.year}",
                headers=["Name", "Email", "Agency", "Approved"],
                rows=[
                    [full_name(first, last), email, agency, local_date(decided_at)]
                    for first, last, email, agency, decided_at in people
                ],
                shown=LONG_TABLE_SHOWN,
                total=total,
            )
        )
    growth = figures.growth(report.year)
    report.charts["agencies"] = growth.chart("agencies")
    report.charts["members"] = growth.chart("members")
    report.add(growth.table("agencies"))
    report.add(growth.table("members"))


def pledges_section(report):
    pledges = Pledge.objects.of_active_agencies()
    if report.public:
        pledges = pledges.public()
    year_pledges = pledges.for_year(report.year)
    pledge_figures = figures.pledges(report.year, queryset=pledges)
    counts = pledge_figures.this_year()
    report.numbers.update(
        pledges_made=sum(counts.values()),
        pledges_achieved=counts.get(Pledge.Status.ACHIEVED, 0),
    )
    # Tuples rather than model instances: a year may hold ten thousand pledges.
    rows, total = report.long_rows(
        year_pledges.order_by("agency__name", "pk").values_list(
            "pk", "agency__name", "text", "status"
        ),
        lambda: report.numbers["pledges_made"],
    )
    updates = PledgeUpdate.objects.filter(
        pledge__in=[row[0] for row in rows] if report.page else year_pledges
    )
    notes = {}
    for pledge_id, created_at, note, first, last in updates.order_by(
        "created_at", "pk"
    ).values_list("pledge_id", "created_at", "note", "author__first_name", "author__last_name"):
        author = "" if report.public else full_name(first, last)
        notes.setdefault(pledge_id, []).append(
            f"{local_date(created_at)}: {note}" + (f" ({author})" if author else "")
        )
    labels = dict(Pledge.Status.choices)
    report.add(
        Table(
            slug="pledges",
            caption=f"Pledges for {report.year} and their progress",
            headers=["Agency", "Pledge", "Status", "Progress notes"],
            rows=[
                [agency, text, labels[status], " | ".join(notes.get(pk, []))]
                for pk, agency, text, status in rows
            ],
            shown=LONG_TABLE_SHOWN,
            total=total,
        )
    )
    report.charts["pledges_status"] = pledge_figures.status_chart()
    report.charts["pledges_years"] = pledge_figures.years_chart()
    report.add(pledge_figures.status_table())
    report.add(pledge_figures.table())


def recorded_coverage(year):
    """{(service id, area id): agencies} as recorded for the year, or None if it was not."""
    records = CoverageRecord.objects.filter(year=year).values_list(
        "service_id", "area_id", "agencies"
    )
    counts = {(s, a): n for s, a, n in records}
    return counts or None


@transaction.atomic
def record_coverage(year, now=None):
    """Keep today's coverage as the year's, replacing what was recorded for it before."""
    now = now or timezone.now()
    coverage = figures.coverage()
    CoverageRecord.objects.filter(year=year).delete()
    CoverageRecord.objects.bulk_create(
        [
            CoverageRecord(
                year=year,
                service=service,
                area=area,
                agencies=coverage.counts.get((service.pk, area.pk), 0),
                recorded_at=now,
            )
            for service in coverage.services
            for area in coverage.areas
        ]
    )
    return coverage


def coverage_section(report):
    coverage = figures.coverage()
    recorded = recorded_coverage(report.year)
    if recorded is not None:
        coverage.counts = recorded
    previous = recorded_coverage(report.year - 1)
    report.notes["coverage_recorded"] = recorded is not None
    report.notes["coverage_previous"] = previous is not None
    report.charts["coverage"] = coverage.heat_map()
    report.add(coverage.table())
    gaps = coverage.gaps
    report.numbers["gaps"] = len(gaps)
    report.add(
        Table(
            slug="gaps",
            caption=f"Services gaps in {report.year}: no agency offers the service in the area",
            headers=["Service", "Area"],
            rows=[[s.name, a.name] for s, a in gaps],
        )
    )
    if previous is None:
        return
    changes = []
    for service in coverage.services:
        for area in coverage.areas:
            if area.is_region_wide:
                continue
            before = previous.get((service.pk, area.pk), 0)
            now = coverage.counts.get((service.pk, area.pk), 0)
            if bool(before) != bool(now):
                changes.append(
                    [service.name, area.name, before, now, "Gap closed" if now else "New gap"]
                )
    report.numbers["gaps_closed"] = sum(row[-1] == "Gap closed" for row in changes)
    report.numbers["gaps_opened"] = sum(row[-1] == "New gap" for row in changes)
    report.add(
        Table(
            slug="gap-changes",
            caption=f"How the gaps changed since {report.year - 1}",
            headers=["Service", "Area", f"Agencies in {report.year - 1}", "Agencies now", "Change"],
            rows=changes,
        )
    )


def newsletters_section(report):
    start, end = year_bounds(report.year)
    issues = (
        Issue.objects.published()
        .filter(publish_at__gte=start, publish_at__lt=end)
        .annotate(
            sent=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
            failed=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
        )
        .order_by("publish_at", "pk")
    )
    rows = [
        [i.title, f"{timezone.localtime(i.publish_at):%Y-%m-%d}", i.sent, i.failed] for i in issues
    ]
    report.numbers.update(newsletters=len(rows), newsletter_emails=sum(row[2] for row in rows))
    report.add(
        Table(
            slug="newsletters",
            caption=f"Newsletters sent in {report.year}",
            headers=["Issue", "Published", "Emails sent", "Emails failed"],
            rows=rows,
        )
    )


def groups_section(report):
    start, end = year_bounds(report.year)
    groups = (
        WorkingGroup.objects.filter(created_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        .select_related("lead_agency")
        .annotate(
            meetings=Count(
                "events",
                filter=Q(
                    events__starts_at__gte=start,
                    events__starts_at__lt=end,
                    events__status=Event.Status.SCHEDULED,
                ),
                distinct=True,
            ),
        )
        .order_by("name")
    )

    def status(group):
        if group.closed_at and group.closed_at < end:
            return f"Closed on {timezone.localtime(group.closed_at):%d %B %Y}"
        return "Still open"

    rows = [
        [
            g.name,
            g.lead_agency.name if g.lead_agency else "",
            g.purpose,
            g.meetings,
            status(g),
            g.outcome or "Not recorded yet",
        ]
        for g in groups
    ]
    report.numbers["working_groups"] = len(rows)
    report.add(
        Table(
            slug="working-groups",
            caption=f"Working groups in {report.year}",
            headers=[
                "Group",
                "Lead agency",
                "Purpose",
                "Meetings in the year",
                "Status",
                "Outcome",
            ],
            rows=rows,
        )
    )


def actions_section(report):
    """Actions agreed in the year, by group: done on time, late, open and dropped."""
    outcomes = figures.actions(report.year)
    total = outcomes.total()
    report.numbers.update(
        actions_agreed=total["agreed"],
        actions_on_time=total["on_time"],
        actions_late=total["late"],
        actions_open=total["open"],
    )
    report.charts["actions"] = outcomes.chart()
    report.add(outcomes.table())


def is_published(year):
    return ReportPublication.objects.filter(year=year).exists()


@transaction.atomic
def set_published(*, year, published, by):
    """The one switch: publishing records the year's coverage too, so it is kept as shown."""
    if not published:
        ReportPublication.objects.filter(year=year).delete()
        return None
    if not recorded_coverage(year):
        record_coverage(year)
    publication, _ = ReportPublication.objects.get_or_create(
        year=year, defaults={"published_by": by}
    )
    return publication
