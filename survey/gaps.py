"""The services survey read as a whole: who provides what, where, and where nobody does.

"Region-wide" is a way of serving every area, not an area of its own: an answer offered in a
region-wide area (``Area.is_region_wide``) counts in every local area. So the table's columns
are the local areas; a cell counts the distinct agencies that offer the service there or
region-wide, and a service is a gap only in a local area that no one serves. Each row also
says how many of its providers serve region-wide (never a gap: it is not a place). Only
active agencies count (``Agency.objects.active()``).

The counts are computed in the database (two aggregate queries over the answers), and the
directory shows at most PREVIEW providers per service, so ``compute_provision()`` runs a fixed
number of queries (and one per service answered) returning a fixed number of rows, however
many agencies answer. The full lists of a cell or a service are querysets
(``cell_providers()``, ``service_offerings()``) that the page shows paged.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, prefetch_related_objects

from network.models import Agency, Area
from survey.models import AgencyService, Service

# Providers shown per service in the directory before "see all".
PREVIEW = 5


def active_answers():
    """The answers of active agencies, unordered (the model's ordering joins the services,
    which the counts never need): callers that list them order them."""
    return AgencyService.objects.filter(agency__in=Agency.objects.active()).order_by()


def _region_wide_answer():
    """True for an answer offered in a region-wide area."""
    through = AgencyService.areas.through
    return Exists(
        through.objects.filter(agencyservice_id=OuterRef("pk"), area__is_region_wide=True)
    )


def cell_providers(service, area):
    """The active agencies providing this service in this area (region-wide counts in every
    local area), by name."""
    through = AgencyService.areas.through
    in_cell = through.objects.filter(area=area)
    if not area.is_region_wide:
        in_cell = through.objects.filter(Q(area=area) | Q(area__is_region_wide=True))
    answers = active_answers().filter(service=service, pk__in=in_cell.values("agencyservice_id"))
    return Agency.objects.filter(pk__in=answers.values("agency_id")).order_by("name", "pk")


def service_offerings(service):
    """Every active agency's answer for this service, by agency name, with its areas."""
    return (
        active_answers()
        .filter(service=service)
        .select_related("agency")
        .prefetch_related(Prefetch("areas", queryset=Area.objects.order_by("order", "name")))
        .order_by("agency__name", "pk")
    )


@dataclass
class Cell:
    """One service in one area: how many agencies provide it there."""

    service: Service
    area: Area
    count: int = 0

    @property
    def is_gap(self):
        # Region-wide is not a place where a service can be missing.
        return not self.count and not self.area.is_region_wide

    @property
    def providers(self):
        """The agencies, by name (a query: for one cell at a time, or paged)."""
        return cell_providers(self.service, self.area)


@dataclass
class ServiceRow:
    """A service, how many agencies answer for it, the first few answers, and its cells."""

    service: Service
    provider_count: int
    preview: list
    cells: list = field(default_factory=list)
    region_wide_count: int = 0  # of the providers, those answering region-wide

    @property
    def more_count(self):
        return self.provider_count - len(self.preview)

    @property
    def areas_covered(self):
        return [cell.area for cell in self.cells if not cell.is_gap]


@dataclass
class Provision:
    """Services (rows) by areas (columns), with counts and a preview of the directory."""

    areas: list
    rows: list
    region_wide_areas: list = field(default_factory=list)

    def by_category(self):
        """[(category label, [rows])] in the order of Service.Category, empty ones left out."""
        labels = dict(Service.Category.choices)
        grouped = {}
        for row in self.rows:
            grouped.setdefault(row.service.category, []).append(row)
        return [(labels[key], grouped[key]) for key in labels if key in grouped]

    def row(self, service_slug):
        for row in self.rows:
            if row.service.slug == service_slug:
                return row
        return None

    def cell(self, service_slug, area_slug):
        """The cell for these slugs, or None when either is unknown."""
        row = self.row(service_slug)
        if row is not None:
            for cell in row.cells:
                if cell.area.slug == area_slug:
                    return cell
            for area in self.region_wide_areas:
                if area.slug == area_slug:
                    return Cell(service=row.service, area=area, count=row.region_wide_count)
        return None

    @property
    def gap_count(self):
        return sum(cell.is_gap for row in self.rows for cell in row.cells)


def counts_by_cell(areas):
    """{(service id, area id): agencies} computed in the database (two GROUP BY queries):
    for a local area, the answers naming it or a region-wide area; for a region-wide area,
    the answers naming a region-wide area. The gap view and the report's heat map read it."""
    region_wide_ids = [area.pk for area in areas if area.is_region_wide]
    local_ids = [area.pk for area in areas if not area.is_region_wide]
    answers = active_answers().annotate(region_wide=_region_wide_answer())
    # One answer per agency and service (a constraint): counting answers counts agencies.
    region_wide = dict(
        answers.filter(region_wide=True)
        .values("service_id")
        .annotate(n=Count("pk"))
        .values_list("service_id", "n")
    )
    local = (
        answers.filter(region_wide=False, areas__in=local_ids)
        .values("service_id", "areas")
        .annotate(n=Count("pk"))
        .values_list("service_id", "areas", "n")
    )
    counts = {}
    for service_id, area_id, n in local:
        counts[(service_id, area_id)] = n
    for service_id, n in region_wide.items():
        for area_id in local_ids:
            counts[(service_id, area_id)] = counts.get((service_id, area_id), 0) + n
        for area_id in region_wide_ids:
            counts[(service_id, area_id)] = n
    return counts


def _previews(services, provider_counts):
    """{service id: [the first PREVIEW answers by agency name]}: one short query per service
    that has answers (the survey's list of services, not its answers), and one for their
    areas.

    Each query walks the agencies in name order (their unique index) and stops at the
    PREVIEW-th answer, so its cost does not grow with the number of agencies; ranking every
    answer in one query sorted all of them by name (19 ms of a 53 ms page at 10,000)."""
    previews = {
        service.pk: list(
            active_answers()
            .filter(service=service)
            .select_related("agency")
            .order_by("agency__name", "pk")[:PREVIEW]
        )
        for service in services
        if service.pk in provider_counts
    }
    prefetch_related_objects(
        [answer for answers in previews.values() for answer in answers],
        Prefetch("areas", queryset=Area.objects.order_by("order", "name")),
    )
    return previews


def compute_provision():
    """Counts per service and area, and the directory's preview: six queries and one per
    service answered, none of whose results grow with the number of agencies."""
    services = list(Service.objects.all())
    areas = list(Area.objects.all())
    counts = counts_by_cell(areas)
    provider_counts = dict(
        active_answers().values("service_id").annotate(n=Count("pk")).values_list("service_id", "n")
    )
    previews = _previews(services, provider_counts)
    local_areas = [area for area in areas if not area.is_region_wide]
    region_wide_areas = [area for area in areas if area.is_region_wide]
    rows = [
        ServiceRow(
            service=service,
            provider_count=provider_counts.get(service.pk, 0),
            preview=previews.get(service.pk, []),
            cells=[
                Cell(service=service, area=area, count=counts.get((service.pk, area.pk), 0))
                for area in local_areas
            ],
            region_wide_count=next(
                (counts.get((service.pk, area.pk), 0) for area in region_wide_areas), 0
            ),
        )
        for service in services
    ]
    return Provision(areas=local_areas, rows=rows, region_wide_areas=region_wide_areas)


def _names_by_cell(areas):
    """{(service id, area id): [agency names]} for the CSV download, from one query over
    the answers' areas."""
    region_wide_ids = {area.pk for area in areas if area.is_region_wide}
    local_ids = [area.pk for area in areas if not area.is_region_wide]
    through = AgencyService.areas.through
    rows = (
        through.objects.filter(agencyservice__agency__in=Agency.objects.active())
        .order_by("agencyservice__agency__name", "agencyservice_id")
        .values_list(
            "agencyservice_id",
            "agencyservice__service_id",
            "area_id",
            "agencyservice__agency__name",
        )
    )
    covered = {}
    for answer_id, service_id, area_id, name in rows.iterator():
        entry = covered.setdefault(answer_id, [service_id, name, set()])
        entry[2].add(area_id)
    names = {}
    for service_id, name, answer_areas in covered.values():
        cells = set(answer_areas)
        if cells & region_wide_ids:
            cells |= set(local_ids)
        for area_id in cells:
            names.setdefault((service_id, area_id), []).append(name)
    return names


def gaps_table(provision, *, with_agencies):
    """The gap view as (header, rows): one line per service and local area with the count
    (region-wide providers included), how many of them serve region-wide, whether it is a
    gap, and (for members) the agencies."""
    header = ["service", "category", "area", "agencies_count", "gap", "of_which_region_wide"]
    if with_agencies:
        header.append("agencies")
    names = _names_by_cell(provision.areas + provision.region_wide_areas) if with_agencies else {}
    rows = []
    for row in provision.rows:
        for cell in row.cells:
            line = [
                row.service.name,
                row.service.get_category_display(),
                cell.area.name,
                cell.count,
                "yes" if cell.is_gap else "no",
                row.region_wide_count,
            ]
            if with_agencies:
                line.append("; ".join(names.get((row.service.pk, cell.area.pk), [])))
            rows.append(line)
    return header, rows
