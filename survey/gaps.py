"""The services survey read as a whole: who provides what, where, and where nobody does.

Coverage rule: an answer offered in a region-wide area (``Area.is_region_wide``) covers every
local area too. So a local area's cell counts the distinct agencies that offer the service
there or region-wide, and the region-wide column counts only the agencies that answered
"region-wide". Only active agencies count (``Agency.objects.active()``).

``compute_provision()`` runs a fixed number of queries (services, areas, answers, and the
answers' areas), however many services, areas and agencies there are.
"""

import csv
from dataclasses import dataclass, field

from network.models import Agency, Area
from survey.models import AgencyService, Service
from wmasn.spreadsheets import csv_safe

# A spreadsheet runs a cell starting with one of these as a formula.


@dataclass(frozen=True)
class Provider:
    """An agency as the directory shows it."""

    pk: int
    name: str
    slug: str


@dataclass
class Offering:
    """One agency's answer for one service: the areas it offers it in, and its notes."""

    provider: Provider
    areas: list
    notes: str = ""


@dataclass
class Cell:
    """One service in one area: the agencies providing it there."""

    service: Service
    area: Area
    providers: list = field(default_factory=list)

    @property
    def count(self):
        return len(self.providers)

    @property
    def is_gap(self):
        return not self.providers


@dataclass
class ServiceRow:
    """A service, the answers for it, and its cell in every area."""

    service: Service
    offerings: list
    cells: list

    @property
    def provider_count(self):
        return len(self.offerings)

    @property
    def areas_covered(self):
        return [cell.area for cell in self.cells if not cell.is_gap]


@dataclass
class Provision:
    """Services (rows) by areas (columns), with the directory's answers."""

    areas: list
    rows: list

    def by_category(self):
        """[(category label, [rows])] in the order of Service.Category, empty ones left out."""
        labels = dict(Service.Category.choices)
        grouped = {}
        for row in self.rows:
            grouped.setdefault(row.service.category, []).append(row)
        return [(labels[key], grouped[key]) for key in labels if key in grouped]

    def cell(self, service_slug, area_slug):
        """The cell for these slugs, or None when either is unknown."""
        for row in self.rows:
            if row.service.slug == service_slug:
                for cell in row.cells:
                    if cell.area.slug == area_slug:
                        return cell
        return None

    @property
    def gap_count(self):
        return sum(cell.is_gap for row in self.rows for cell in row.cells)


def compute_provision():
    """Read the whole survey in four queries and build the directory and the gap table."""
    services = list(Service.objects.all())
    areas = list(Area.objects.all())
    answers = (
        AgencyService.objects.filter(agency__in=Agency.objects.active())
        .select_related("agency")
        .prefetch_related("areas")
        .order_by("agency__name", "pk")
    )
    region_wide_ids = {area.pk for area in areas if area.is_region_wide}
    local_ids = {area.pk for area in areas if not area.is_region_wide}

    offerings_by_service = {}
    # (service id, area id) -> providers, in name order.
    providers_by_cell = {}
    for answer in answers:
        agency = answer.agency
        provider = Provider(pk=agency.pk, name=agency.name, slug=agency.slug)
        answer_areas = list(answer.areas.all())
        offerings_by_service.setdefault(answer.service_id, []).append(
            Offering(provider=provider, areas=answer_areas, notes=answer.notes)
        )
        covered = {area.pk for area in answer_areas}
        if covered & region_wide_ids:
            covered |= local_ids
        # One answer per agency and service (a constraint), so no agency is counted twice.
        for area_id in covered:
            providers_by_cell.setdefault((answer.service_id, area_id), []).append(provider)

    rows = [
        ServiceRow(
            service=service,
            offerings=offerings_by_service.get(service.pk, []),
            cells=[
                Cell(
                    service=service,
                    area=area,
                    providers=providers_by_cell.get((service.pk, area.pk), []),
                )
                for area in areas
            ],
        )
        for service in services
    ]
    return Provision(areas=areas, rows=rows)


def write_gaps_csv(provision, out, *, with_agencies):
    """One line per service and area: the count, whether it is a gap, and (for members)
    the agencies' names."""
    writer = csv.writer(out)
    header = ["service", "category", "area", "agencies_count", "gap"]
    if with_agencies:
        header.append("agencies")
    writer.writerow(header)
    for row in provision.rows:
        for cell in row.cells:
            line = [
                row.service.name,
                row.service.get_category_display(),
                cell.area.name,
                cell.count,
                "yes" if cell.is_gap else "no",
            ]
            if with_agencies:
                line.append("; ".join(provider.name for provider in cell.providers))
            writer.writerow([csv_safe(value) for value in line])
