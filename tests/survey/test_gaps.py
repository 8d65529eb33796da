"""The gap computation: counts per service and area, region-wide coverage, gaps, CSV."""

import csv
import io

import pytest

from network.models import Agency
from survey.gaps import compute_provision, gaps_table
from tests.factories import AgencyFactory, AreaFactory, ProvidedServiceFactory, ServiceFactory
from wmasn.spreadsheets import csv_download, csv_safe


@pytest.fixture
def areas(db):
    return {
        "birmingham": AreaFactory(name="Birmingham", slug="birmingham", order=0),
        "sandwell": AreaFactory(name="Sandwell", slug="sandwell", order=1),
        "region-wide": AreaFactory(
            name="Region-wide", slug="region-wide", is_region_wide=True, order=9
        ),
    }


def counts(provision):
    return {
        (row.service.slug, cell.area.slug): cell.count
        for row in provision.rows
        for cell in row.cells
    }


def test_counts_agencies_per_service_and_area(areas):
    legal = ServiceFactory(slug="legal", name="Legal advice")
    ProvidedServiceFactory(service=legal, areas=[areas["birmingham"]])
    ProvidedServiceFactory(service=legal, areas=[areas["birmingham"], areas["sandwell"]])

    result = counts(compute_provision())

    assert result[("legal", "birmingham")] == 2
    assert result[("legal", "sandwell")] == 1
    assert ("legal", "region-wide") not in result  # region-wide is not a column


def test_region_wide_answer_covers_every_local_area(areas):
    housing = ServiceFactory(slug="housing")
    ProvidedServiceFactory(service=housing, areas=[areas["region-wide"]])

    result = counts(compute_provision())

    assert result[("housing", "birmingham")] == 1
    assert result[("housing", "sandwell")] == 1
    provision = compute_provision()
    [row] = provision.rows
    assert row.region_wide_count == 1
    assert provision.cell("housing", "region-wide").count == 1
    assert provision.gap_count == 0


def test_agency_answering_local_and_region_wide_is_counted_once(areas):
    housing = ServiceFactory(slug="housing")
    ProvidedServiceFactory(service=housing, areas=[areas["birmingham"], areas["region-wide"]])

    provision = compute_provision()

    cell = provision.cell("housing", "birmingham")
    assert cell.count == 1
    assert counts(provision)[("housing", "sandwell")] == 1


def test_empty_cells_are_gaps(areas):
    ServiceFactory(slug="interpreting")
    legal = ServiceFactory(slug="legal")
    ProvidedServiceFactory(service=legal, areas=[areas["sandwell"]])

    provision = compute_provision()

    assert provision.cell("interpreting", "birmingham").is_gap
    assert provision.cell("legal", "birmingham").is_gap
    assert not provision.cell("legal", "sandwell").is_gap
    # Nobody serves region-wide, yet that is no gap: it is not a place.
    assert not provision.cell("interpreting", "region-wide").is_gap
    # 2 services x 2 local areas, one cell covered.
    assert provision.gap_count == 3
    assert [area.slug for area in provision.areas] == ["birmingham", "sandwell"]


def test_cell_lists_the_providers_by_name(areas):
    legal = ServiceFactory(slug="legal")
    ProvidedServiceFactory(
        service=legal, agency=AgencyFactory(name="Zeta Law"), areas=[areas["sandwell"]]
    )
    ProvidedServiceFactory(
        service=legal, agency=AgencyFactory(name="Alpha Law"), areas=[areas["region-wide"]]
    )

    cell = compute_provision().cell("legal", "sandwell")

    assert [provider.name for provider in cell.providers] == ["Alpha Law", "Zeta Law"]


def test_proposed_agencies_are_not_counted(areas):
    legal = ServiceFactory(slug="legal")
    ProvidedServiceFactory(
        service=legal,
        agency=AgencyFactory(status=Agency.Status.PROPOSED),
        areas=[areas["birmingham"]],
    )

    assert compute_provision().cell("legal", "birmingham").is_gap


def test_unknown_slugs_have_no_cell(areas):
    ServiceFactory(slug="legal")
    provision = compute_provision()
    assert provision.cell("legal", "atlantis") is None
    assert provision.cell("nothing", "birmingham") is None


def test_services_are_grouped_by_category_in_category_order(areas):
    ServiceFactory(slug="legal", category="legal")
    ServiceFactory(slug="housing", category="accommodation")
    groups = compute_provision().by_category()
    assert [label for label, _ in groups] == ["Accommodation", "Legal advice"]


def test_query_count_does_not_grow_with_answers_or_areas(areas, django_assert_num_queries):
    services = [ServiceFactory(), ServiceFactory()]
    ServiceFactory()  # nobody provides it: no preview to fetch
    for service in services:
        ProvidedServiceFactory(service=service, areas=[areas["birmingham"]])
    # Services, areas, two counts, answers per service, the previews' areas, and the
    # preview of each service answered (a short, curated list: each query stops at the
    # PREVIEW-th answer by name).
    with django_assert_num_queries(6 + len(services)):
        compute_provision()
    for n in range(10):
        ProvidedServiceFactory(
            service=services[n % 2], areas=[areas["birmingham"], areas["region-wide"]]
        )
    AreaFactory(slug="walsall")
    with django_assert_num_queries(6 + len(services)):
        compute_provision()


def test_the_directory_previews_a_few_providers_per_service_by_name(areas):
    from survey.gaps import PREVIEW

    legal = ServiceFactory(slug="legal")
    for i in range(PREVIEW + 3):
        ProvidedServiceFactory(
            service=legal, agency=AgencyFactory(name=f"Law {9 - i}"), areas=[areas["sandwell"]]
        )
    row = compute_provision().row("legal")
    assert row.provider_count == PREVIEW + 3
    assert row.more_count == 3
    names = [answer.agency.name for answer in row.preview]
    assert names == sorted(names) and len(names) == PREVIEW
    assert names[0] == "Law 2"


def read_csv(provision, with_agencies):
    response = csv_download("service-gaps", *gaps_table(provision, with_agencies=with_agencies))
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_csv_has_counts_and_gaps_without_names_for_the_public(areas):
    legal = ServiceFactory(slug="legal", name="Legal advice")
    ProvidedServiceFactory(
        service=legal, agency=AgencyFactory(name="Bailey Wright"), areas=[areas["birmingham"]]
    )

    rows = read_csv(compute_provision(), with_agencies=False)

    birmingham = next(r for r in rows if r["area"] == "Birmingham")
    assert birmingham["agencies_count"] == "1"
    assert birmingham["gap"] == "no"
    assert "agencies" not in birmingham
    assert next(r for r in rows if r["area"] == "Sandwell")["gap"] == "yes"


def test_csv_names_agencies_for_members_and_defuses_formulas(areas):
    legal = ServiceFactory(slug="legal", name='=HYPERLINK("http://evil")')
    ProvidedServiceFactory(
        service=legal, agency=AgencyFactory(name="@SUM(A1)"), areas=[areas["birmingham"]]
    )

    rows = read_csv(compute_provision(), with_agencies=True)

    birmingham = next(r for r in rows if r["area"] == "Birmingham")
    assert birmingham["agencies"] == "'@SUM(A1)"
    assert birmingham["service"].startswith("'=")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+2", "'=1+2"), ("+44", "'+44"), ("-1", "'-1"), ("@x", "'@x"), ("Legal", "Legal")],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_a_service_served_in_every_local_area_has_no_gap_without_region_wide(areas):
    legal = ServiceFactory(slug="legal")
    ProvidedServiceFactory(service=legal, areas=[areas["birmingham"], areas["sandwell"]])
    provision = compute_provision()
    assert provision.gap_count == 0
    assert provision.rows[0].region_wide_count == 0


def test_csv_has_local_areas_only_with_the_region_wide_share(areas):
    housing = ServiceFactory(slug="housing", name="Housing")
    ProvidedServiceFactory(service=housing, areas=[areas["region-wide"]])
    ProvidedServiceFactory(service=housing, areas=[areas["sandwell"]])
    rows = read_csv(compute_provision(), with_agencies=False)
    assert [
        (r["area"], r["agencies_count"], r["gap"], r["of_which_region_wide"]) for r in rows
    ] == [
        ("Birmingham", "1", "no", "1"),
        ("Sandwell", "2", "no", "1"),
    ]
