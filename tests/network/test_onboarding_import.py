"""Onboarding: agencies and people imported from CSV or Excel in the admin, dry run first."""

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


@pytest.fixture
def areas(db):
    return [
        AreaFactory(name="Birmingham", slug="birmingham"),
        AreaFactory(name="Walsall", slug="walsall"),
        AreaFactory(name="Region-wide", slug="region-wide", is_region_wide=True),
    ]


def upload(client, model, content, name="sheet.csv", fmt="0"):
    return client.post(
        f"/admin/network/{model}/import/",
        {
            "resource": "0",
            "format": fmt,
            "import_file": SimpleUploadedFile(
                name, content if isinstance(content, bytes) else content.encode()
            ),
        },
    )


def confirm(client, model, dry_run):
    html = dry_run.content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    fields.pop("csrfmiddlewaretoken", None)
    return client.post(f"/admin/network/{model}/process_import/", fields)


def row_types(html):
    return re.findall(r'<td class="import-type">\s*([\w ]+?)\s*</td>', html)


def test_dry_run_shows_new_rows_and_writes_nothing(officer_client, areas):
    response = upload(officer_client, "agency", AGENCIES_CSV)
    assert response.status_code == 200
    html = response.content.decode()
    assert row_types(html) == ["New", "New"], html[-3000:]
    assert not Agency.objects.exists()


def test_confirming_imports_in_full(officer_client, areas):
    confirm(officer_client, "agency", upload(officer_client, "agency", AGENCIES_CSV))
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
    dry_run = upload(officer_client, "agency", changed)
    assert row_types(dry_run.content.decode()) == ["Update", "Skipped"]
    confirm(officer_client, "agency", dry_run)
    assert Agency.objects.count() == 2
    assert Agency.objects.get(name="Walsall Council").public_phone == "01922 000000"


def test_invalid_rows_are_refused_with_reasons_and_nothing_is_written(officer_client, areas):
    bad = AGENCIES_CSV + "Mystery Ltd,martian,Birmingham,,,,,\nNowhere Trust,third,Atlantis,,,,,\n"
    html = upload(officer_client, "agency", bad).content.decode()
    assert "Unknown sector" in html and "martian" in html
    assert "Unknown area Atlantis" in html
    # No confirm button while any row is refused.
    assert "process_import" not in html
    assert not Agency.objects.exists()


def test_excel_import(officer_client, areas):
    import tablib

    data = tablib.Dataset(headers=["name", "sector", "areas"])
    data.append(["Excel Agency", "private", "Birmingham"])
    dry_run = upload(officer_client, "agency", data.export("xlsx"), name="sheet.xlsx", fmt="1")
    assert row_types(dry_run.content.decode()) == ["New"]
    confirm(officer_client, "agency", dry_run)
    assert Agency.objects.get(name="Excel Agency").sector == "private"


PEOPLE_CSV = """email,first_name,last_name,agency,role
Ann.Lead@walsall.gov.uk,Ann,Lead,Walsall Council,Safeguarding lead
bob@hope.example.org,Bob,Helper,walsall council,
"""


def test_people_import_as_invitations_not_sent_yet(officer_client, officer):
    walsall = AgencyFactory(name="Walsall Council")
    dry_run = upload(officer_client, "invitation", PEOPLE_CSV)
    assert row_types(dry_run.content.decode()) == ["New", "New"]
    assert not Invitation.objects.exists()
    done = confirm(officer_client, "invitation", dry_run)
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
    confirm(officer_client, "invitation", upload(officer_client, "invitation", again))
    assert Invitation.objects.count() == 2
    assert Invitation.objects.get(email="ann.lead@walsall.gov.uk").role == "Modern slavery lead"


def test_people_with_an_unknown_agency_are_refused(officer_client):
    html = upload(officer_client, "invitation", PEOPLE_CSV).content.decode()
    assert "No agency called" in html
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member"])
def test_only_officers_import(client_for_role, role, areas):
    response = upload(client_for_role(role), "agency", AGENCIES_CSV)
    assert response.status_code == 302
    assert not Agency.objects.filter(name="Walsall Council").exists()


def test_import_wrong_file_is_a_form_error(officer_client):
    response = upload(officer_client, "agency", b"\x00\x01 not a sheet", name="x.xlsx", fmt="1")
    assert response.status_code == 200
    assert not Agency.objects.exists()
