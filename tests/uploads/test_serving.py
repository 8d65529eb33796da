"""Every stored file goes out under one policy (wmasn/downloads.py), in every app: shown,
never run. Documents, PDFs included, are downloads; images may open; all are sandboxed."""

import pytest
from django.urls import reverse

from events.models import EventDocument
from tests.factories import EventFactory, IssueFactory, SectionFactory, add_document, add_photo
from tests.files import HTML_BYTES, PDF_BYTES, ooxml_bytes, upload
from wmasn.uploads import validate_upload

pytestmark = pytest.mark.django_db

# Who gets a meeting's papers: members only (a published issue's files: everyone).
PAPER_STATUS = {
    "anonymous": 404,
    "pending": 404,
    "other_member": 200,
    "member": 200,
    "officer": 200,
}


def attach(event, name, content):
    document = EventDocument(event=event, kind="paper", title=name)
    document.set_upload(validate_upload(upload(name, content)))
    document.save()
    return document


@pytest.fixture
def papers(db):
    event = EventFactory(slug="network-meeting-2027-03-18")
    return attach(event, "agenda.pdf", PDF_BYTES), attach(event, "budget.xlsx", ooxml_bytes("xlsx"))


@pytest.fixture
def newsletter_files(db):
    section = SectionFactory(issue=IssueFactory())
    return add_photo(section), add_document(section)


def assert_sandboxed(response, resource_policy="same-site"):
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert "sandbox" in policy
    assert "default-src 'none'" in policy
    assert response["Cross-Origin-Resource-Policy"] == resource_policy


def test_a_meeting_pdf_is_a_sandboxed_download(papers, client_for_role, role):
    pdf, _ = papers
    response = client_for_role(role).get(pdf.get_absolute_url())

    assert response.status_code == PAPER_STATUS[role]
    if response.status_code == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="agenda.pdf"'
        assert_sandboxed(response)
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == PDF_BYTES


def test_a_meeting_office_file_is_a_sandboxed_download(papers, member_client):
    _, sheet = papers
    response = member_client.get(sheet.get_absolute_url())

    assert response["Content-Disposition"] == 'attachment; filename="budget.xlsx"'
    assert_sandboxed(response)


def test_newsletter_documents_and_photos_follow_the_same_policy(
    newsletter_files, client_for_role, role
):
    photo, document = newsletter_files
    client = client_for_role(role)

    for size in ("web", "email"):
        shown = client.get(
            reverse("newsletters:photo", args=[photo.pk, size, photo.filename(size)])
        )
        assert shown.status_code == 200
        assert shown["Content-Type"] == "image/jpeg"
        assert shown["Content-Disposition"].startswith("inline;")
        # A published photo is embedded by webmail and mail clients from their own origins.
        assert_sandboxed(shown, resource_policy="cross-origin")
    downloaded = client.get(document.get_absolute_url())
    assert downloaded.status_code == 200
    assert downloaded["Content-Disposition"] == 'attachment; filename="letter.pdf"'
    assert_sandboxed(downloaded)


def test_a_file_that_turned_out_to_be_html_would_still_not_run(papers, member_client):
    """Defence in depth: were a web page ever stored, it downloads, sandboxed, unsniffed."""
    pdf, _ = papers
    with pdf.file.storage.open(pdf.file.name, "wb") as handle:
        handle.write(HTML_BYTES)
    response = member_client.get(pdf.get_absolute_url())

    assert response["Content-Disposition"].startswith("attachment;")
    assert_sandboxed(response)


def test_a_paper_missing_from_storage_is_not_found(papers, member_client):
    pdf, _ = papers
    pdf.file.storage.delete(pdf.file.name)

    assert member_client.get(pdf.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_downloads_refuse_a_wrong_method(papers, newsletter_files, member_client, method):
    photo, document = newsletter_files
    for url in (
        papers[0].get_absolute_url(),
        photo.get_absolute_url(),
        document.get_absolute_url(),
    ):
        assert getattr(member_client, method)(url).status_code == 405
