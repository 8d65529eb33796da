"""Onboarding: agencies and people imported from CSV or Excel in the admin, preview first."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from network.models import Agency, Invitation
from tests.factories import AgencyFactory, AreaFactory

pytestmark = pytest.mark.django_db

AGENCIES_CSV = (
    "name,sector,areas,email_domains,website,public_email,public_phone,description\n"
    "Walsall Council,Public sector,Walsall,walsall.gov.uk,https://go.walsall.gov.uk/,"
    "info@walsall.gov.uk,01922 650000,A council\n"
    "Hope for Justice,third,Birmingham; Region-wide,hopeforjustice.org,,,,A charity\n"
)
FIELD_HEADERS = (
    "name,slug,sector,description,website,public_email,public_phone,address,areas,email_domains\n"
)


@pytest.fixture
def areas(db):
    return [
        AreaFactory(name="Birmingham", slug="birmingham"),
        AreaFactory(name="Walsall", slug="walsall"),
        AreaFactory(name="Region-wide", slug="region-wide", is_region_wide=True),
    ]


def upload(client, model, content, name="sheet.csv"):
    return client.post(
        f"/admin/network/{model}/import/",
        {
            "sheet": SimpleUploadedFile(
                name, content if isinstance(content, bytes) else content.encode()
            )
        },
    )


def confirm(client, model, preview):
    html = preview.content.decode()
    rows = re.search(r'<input type="hidden" name="rows" value="([^"]*)"', html)
    assert rows, html[-3000:]
    return client.post(f"/admin/network/{model}/import/", {"rows": rows.group(1)})


def row_kinds(html):
    return re.findall(r'<tr class="import-(\w+)">', html)


def test_preview_shows_new_rows_and_writes_nothing(officer_client, areas):
    response = upload(officer_client, "agency", AGENCIES_CSV)
    assert response.status_code == 200
    assert row_kinds(response.content.decode()) == ["new", "new"]
    assert not Agency.objects.exists()


def test_confirming_imports_in_full(officer_client, areas):
    done = confirm(officer_client, "agency", upload(officer_client, "agency", AGENCIES_CSV))
    assert done.status_code == 302
    walsall = Agency.objects.get(name="Walsall Council")
    assert walsall.sector == "public"
    assert walsall.slug == "walsall-council"
    assert [a.name for a in walsall.areas.all()] == ["Walsall"]
    assert walsall.email_domain_list == ["walsall.gov.uk"]
    assert walsall.public_phone == "01922 650000"
    hope = Agency.objects.get(name="Hope for Justice")
    assert hope.sector == "third"
    assert sorted(a.name for a in hope.areas.all()) == ["Birmingham", "Region-wide"]


def test_repeated_import_updates_rather_than_duplicates(officer_client, areas):
    confirm(officer_client, "agency", upload(officer_client, "agency", AGENCIES_CSV))
    changed = AGENCIES_CSV.replace("01922 650000", "01922 000000")
    preview = upload(officer_client, "agency", changed)
    html = preview.content.decode()
    assert row_kinds(html) == ["changed", "unchanged"]
    assert "01922 650000" in html and "01922 000000" in html
    confirm(officer_client, "agency", preview)
    assert Agency.objects.count() == 2
    assert Agency.objects.get(name="Walsall Council").public_phone == "01922 000000"


def test_reimporting_with_a_blank_slug_and_blank_cells_changes_nothing(officer_client, areas):
    """Issue 25: the row `Barnardo's,,third,,,,,,,` renamed the slug and blanked the rest."""
    barnardos = AgencyFactory(
        name="Barnardo's",
        slug="barnardos",
        sector="third",
        description="Children's charity",
        website="https://www.barnardos.org.uk/",
    )
    barnardos.areas.set(areas)
    preview = upload(officer_client, "agency", FIELD_HEADERS + "Barnardo's,,third,,,,,,,\n")
    assert row_kinds(preview.content.decode()) == ["unchanged"]
    confirm(officer_client, "agency", preview)
    barnardos.refresh_from_db()
    assert barnardos.slug == "barnardos"
    assert barnardos.description == "Children's charity"
    assert barnardos.website == "https://www.barnardos.org.uk/"
    assert barnardos.areas.count() == 3
    assert Agency.objects.count() == 1
    assert officer_client.get("/agencies/barnardos/").status_code != 404


def test_a_row_matches_by_slug_and_the_slug_never_changes(officer_client, areas):
    AgencyFactory(name="Old Name Trust", slug="old-name", sector="third")
    sheet = "Name,Slug,Website\nNew Name Trust,old-name,https://new.example.org/\n"
    preview = upload(officer_client, "agency", sheet)
    html = preview.content.decode()
    assert row_kinds(html) == ["changed"]
    assert "Old Name Trust" in html and "New Name Trust" in html
    confirm(officer_client, "agency", preview)
    agency = Agency.objects.get()
    assert (agency.name, agency.slug) == ("New Name Trust", "old-name")
    assert agency.website == "https://new.example.org/"


def test_human_headers_in_any_case_are_understood(officer_client, areas):
    """Issue 25: `Name,Sector,Website,Email,Phone,Areas` showed a traceback."""
    sheet = (
        "NAME,Sector,Website,email,Phone,areas\n"
        "Safe Haven,Third sector,https://safehaven.example.org/,hi@safehaven.example.org,"
        "0121 496 0000,Birmingham; walsall\n"
    )
    preview = upload(officer_client, "agency", sheet)
    html = preview.content.decode()
    assert "Traceback" not in html and "import_id_fields" not in html
    assert row_kinds(html) == ["new"]
    confirm(officer_client, "agency", preview)
    agency = Agency.objects.get(name="Safe Haven")
    assert agency.public_email == "hi@safehaven.example.org"
    assert agency.public_phone == "0121 496 0000"
    assert sorted(a.name for a in agency.areas.all()) == ["Birmingham", "Walsall"]


def test_problems_are_sentences_naming_row_and_column(officer_client, areas):
    bad = (
        AGENCIES_CSV
        + "Mystery Ltd,martian,Birmingham,,notaurl,,,\nNowhere Trust,third,Atlantis,,,,,\n"
    )
    response = upload(officer_client, "agency", bad)
    html = response.content.decode()
    assert "Row 4, column Sector: &quot;martian&quot; is not" in html
    assert "Row 4, column Website: Enter a valid URL." in html
    assert "Row 5, column Areas: Atlantis is not an area" in html
    assert row_kinds(html) == ["new", "new", "refused", "refused"]
    # No confirm button while any row is refused.
    assert 'name="rows"' not in html
    assert not Agency.objects.exists()


def test_a_file_without_a_name_column_is_one_sentence(officer_client, areas):
    html = upload(officer_client, "agency", "Organisation name,Sector\nX,third\n").content.decode()
    assert "The file has no &quot;Name&quot; column" in html
    assert "Traceback" not in html and "KeyError" not in html


def test_a_tampered_confirmation_imports_nothing(officer_client, areas):
    response = officer_client.post("/admin/network/agency/import/", {"rows": "forged"})
    assert response.status_code == 400
    assert "upload the file again" in response.content.decode()
    assert not Agency.objects.exists()


def test_template_downloads_with_human_headers(officer_client):
    response = officer_client.get("/admin/network/agency/import/template/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines()[0].startswith("Name,Slug,Sector")


def test_the_agency_list_links_to_the_import(officer_client):
    html = officer_client.get("/admin/network/agency/").content.decode()
    assert "/admin/network/agency/import/" in html


def test_excel_import(officer_client, areas):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Name", "Sector", "Areas"])
    book.active.append(["Excel Agency", "private", "Birmingham"])
    sheet = io.BytesIO()
    book.save(sheet)
    preview = upload(officer_client, "agency", sheet.getvalue(), name="sheet.xlsx")
    assert row_kinds(preview.content.decode()) == ["new"]
    confirm(officer_client, "agency", preview)
    assert Agency.objects.get(name="Excel Agency").sector == "private"


PEOPLE_CSV = """Email,First name,Last name,Agency,Role
Ann.Lead@walsall.gov.uk,Ann,Lead,Walsall Council,Safeguarding lead
bob@hope.example.org,Bob,Helper,walsall council,
"""


def test_people_import_as_invitations_not_sent_yet(officer_client, officer):
    walsall = AgencyFactory(name="Walsall Council")
    preview = upload(officer_client, "invitation", PEOPLE_CSV)
    assert row_kinds(preview.content.decode()) == ["new", "new"]
    assert not Invitation.objects.exists()
    done = confirm(officer_client, "invitation", preview)
    assert done.status_code == 302
    told = [str(m) for m in officer_client.get(done["Location"]).context["messages"]]
    assert any("Nobody has been emailed yet" in m for m in told)
    invitations = Invitation.objects.order_by("email")
    assert [(i.email, i.agency, i.sent_at) for i in invitations] == [
        ("ann.lead@walsall.gov.uk", walsall, None),
        ("bob@hope.example.org", walsall, None),
    ]
    assert invitations[0].invited_by == officer
    # Again, with a changed role and the address in another case: updated, not duplicated.
    again = PEOPLE_CSV.replace("Safeguarding lead", "Modern slavery lead").replace(
        "Ann.Lead", "ann.lead"
    )
    preview = upload(officer_client, "invitation", again)
    assert row_kinds(preview.content.decode()) == ["changed", "unchanged"]
    confirm(officer_client, "invitation", preview)
    assert Invitation.objects.count() == 2
    assert Invitation.objects.get(email="ann.lead@walsall.gov.uk").role == "Modern slavery lead"


def test_people_reimport_with_blank_cells_keeps_names(officer_client):
    AgencyFactory(name="Walsall Council")
    confirm(officer_client, "invitation", upload(officer_client, "invitation", PEOPLE_CSV))
    preview = upload(
        officer_client, "invitation", "email,agency\nann.lead@walsall.gov.uk,Walsall Council\n"
    )
    assert row_kinds(preview.content.decode()) == ["unchanged"]
    confirm(officer_client, "invitation", preview)
    assert Invitation.objects.get(email="ann.lead@walsall.gov.uk").first_name == "Ann"


def test_people_with_an_unknown_agency_are_refused(officer_client):
    html = upload(officer_client, "invitation", PEOPLE_CSV).content.decode()
    assert "Row 2, column Agency: there is no agency called" in html
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member"])
def test_only_officers_import(client_for_role, role, areas):
    client = client_for_role(role)
    response = upload(client, "agency", AGENCIES_CSV)
    assert response.status_code == 302
    assert client.get("/admin/network/agency/import/template/").status_code == 302
    assert not Agency.objects.filter(name="Walsall Council").exists()


def test_import_page_refuses_other_methods(officer_client):
    assert officer_client.get("/admin/network/agency/import/").status_code == 200
    assert officer_client.put("/admin/network/agency/import/").status_code == 405
    assert officer_client.post("/admin/network/agency/import/template/").status_code == 405


def test_import_wrong_file_is_a_form_error(officer_client):
    response = upload(officer_client, "agency", b"\x00\x01 not a sheet", name="x.xlsx")
    assert response.status_code == 400
    assert "cannot be opened" in response.content.decode()
    assert not Agency.objects.exists()


def test_two_new_agencies_with_the_same_slug_get_different_ones(officer_client, areas):
    AgencyFactory(name="Hope Trust Old", slug="hope-trust")
    sheet = "Name,Sector\nHope Trust,third\nHope-Trust!,third\n"
    confirm(officer_client, "agency", upload(officer_client, "agency", sheet))
    slugs = set(Agency.objects.values_list("slug", flat=True))
    assert slugs == {"hope-trust", "hope-trust-2", "hope-trust-3"}
