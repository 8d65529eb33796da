"""Photos and documents of sections: served through an access check, never guessable;
files of unpublished issues reach officers (and a signed test email) only."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from newsletters.emails import document_url, photo_url
from tests.factories import (
    DraftIssueFactory,
    IssueFactory,
    SectionFactory,
    add_document,
    add_photo,
)

ROLES_WITHOUT_DRAFTS = ["anonymous", "pending", "other_member", "member"]


def files_of(issue):
    section = SectionFactory(issue=issue)
    return add_photo(section), add_document(section)


@pytest.fixture
def published_files(db):
    return files_of(IssueFactory())


@pytest.fixture(params=["draft", "scheduled"])
def unpublished_files(request, db):
    if request.param == "draft":
        return files_of(DraftIssueFactory())
    return files_of(IssueFactory(publish_at=timezone.now() + dt.timedelta(days=3)))


def test_everyone_gets_the_files_of_a_published_issue(published_files, role, client_for_role):
    photo, document = published_files
    client = client_for_role(role)

    image = client.get(photo.get_absolute_url())
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in image.get("Content-Disposition", "")
    assert b"".join(image.streaming_content).startswith(b"\xff\xd8")

    pdf = client.get(document.get_absolute_url())
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="letter.pdf"'
    assert pdf["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in pdf["Content-Security-Policy"]
    assert "public" in pdf["Cache-Control"]


@pytest.mark.parametrize("role", ROLES_WITHOUT_DRAFTS)
def test_files_of_unpublished_issues_are_not_found_by_others(
    unpublished_files, role, client_for_role
):
    photo, document = unpublished_files
    client = client_for_role(role)

    for url in [
        photo.get_absolute_url(),
        photo.get_absolute_url()
        .replace("/web/", "/email/")
        .replace(photo.filename("web"), photo.filename("email")),
        document.get_absolute_url(),
    ]:
        assert client.get(url).status_code == 404, url


def test_a_published_photo_loads_from_any_mail_client_and_is_cached_a_day(
    published_files, client_for_role, role
):
    photo, _ = published_files
    for size in ("web", "email"):
        response = client_for_role(role).get(photo_url(photo, size))

        assert response.status_code == 200
        # Chromium refuses a same-site resource in a webmail page (NotSameSite).
        assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
        cache_control = response["Cache-Control"]
        assert "public" in cache_control
        max_age = int(re.search(r"max-age=(\d+)", cache_control).group(1))
        assert max_age >= 24 * 60 * 60


def test_a_test_emails_signed_photo_loads_from_any_client_but_stays_private(
    unpublished_files, anon_client
):
    photo, document = unpublished_files
    response = anon_client.get(photo_url(photo, "email", signed=True))

    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    # Documents are links, not embeds: they stay same-site.
    pdf = anon_client.get(document_url(document, signed=True))
    assert pdf["Cross-Origin-Resource-Policy"] == "same-site"


def test_a_drafts_photo_seen_by_an_officer_without_a_key_stays_same_site(
    unpublished_files, officer_client
):
    photo, _ = unpublished_files
    response = officer_client.get(photo.get_absolute_url())

    assert response["Cross-Origin-Resource-Policy"] == "same-site"


def test_officers_get_files_of_unpublished_issues_uncached(unpublished_files, officer_client):
    photo, document = unpublished_files
    for url in [photo.get_absolute_url(), document.get_absolute_url()]:
        response = officer_client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_test_email_signs_the_files_of_a_draft(unpublished_files, anon_client):
    photo, document = unpublished_files

    assert anon_client.get(photo_url(photo, "email", signed=True)).status_code == 200
    assert anon_client.get(document_url(document, signed=True)).status_code == 200
    # A key is for one file only, and cannot be forged.
    other_key = photo_url(photo, "email", signed=True).split("?key=")[1]
    assert anon_client.get(f"{document.get_absolute_url()}?key={other_key}").status_code == 404
    assert anon_client.get(f"{document.get_absolute_url()}?key=1:forged:sig").status_code == 404


def test_stored_files_live_under_random_names_never_at_a_public_address(
    unpublished_files, anon_client
):
    photo, document = unpublished_files
    for name in [photo.web.name, photo.email.name, document.file.name]:
        assert re.match(r"^newsletters/(images|documents)/[0-9a-f]{32}/[\w.-]+$", name), name
        assert anon_client.get(f"/media/{name}").status_code == 404


def test_a_wrong_file_name_or_size_is_not_found(published_files, anon_client):
    photo, document = published_files
    assert anon_client.get(photo.get_absolute_url().replace(".jpg", ".png")).status_code == 404
    assert anon_client.get(photo.get_absolute_url().replace("/web/", "/huge/")).status_code == 404
    assert anon_client.get(document.get_absolute_url() + "x").status_code == 404
    assert anon_client.get("/newsletters/documents/999999/letter.pdf").status_code == 404


def test_files_refuse_a_wrong_method(published_files, anon_client):
    photo, document = published_files
    assert anon_client.post(photo.get_absolute_url()).status_code == 405
    assert anon_client.post(document.get_absolute_url()).status_code == 405


def test_the_issue_page_shows_photos_with_alt_text_and_documents_with_type_and_size(
    published_files, anon_client
):
    photo, document = published_files
    page = anon_client.get(photo.section.issue.get_absolute_url()).content.decode()

    assert f'src="{photo.get_absolute_url()}"' in page
    assert f'alt="{photo.alt_text}"' in page
    assert f'width="{photo.web_width}" height="{photo.web_height}"' in page
    assert f'href="{document.get_absolute_url()}"' in page
    assert "(PDF, " in page and " bytes)" in page


def test_the_issue_page_offers_both_renditions_of_a_photo_in_a_srcset(published_files, anon_client):
    photo, _ = published_files
    page = anon_client.get(photo.section.issue.get_absolute_url()).content.decode()

    srcset = re.search(r'<img [^>]*srcset="([^"]+)"', page).group(1)
    candidates = dict(reversed(item.split()) for item in srcset.split(", "))
    assert candidates == {
        f"{photo.email_width}w": photo_url(photo, "email").removeprefix("http://testserver"),
        f"{photo.web_width}w": photo.get_absolute_url(),
    }
    assert re.search(r'<img [^>]*sizes="[^"]+"', page)
    # Both are cached a day and embeddable, as the web one is.
    for url in candidates.values():
        assert anon_client.get(url)["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_deleting_a_section_removes_its_files_from_storage(
    published_files, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    photo, document = published_files
    names = [photo.web.name, photo.email.name, document.file.name]

    with django_capture_on_commit_callbacks(execute=True):
        photo.section.delete()

    assert not any(default_storage.exists(name) for name in names)


def test_admin_lists_a_stored_document_as_a_link_with_its_type_and_size(db):
    from newsletters.models import SectionDocument
    from tests.factories import SectionFactory, add_document

    document = add_document(SectionFactory())
    link = str(document.admin_link())
    assert f'href="{document.get_absolute_url()}"' in link
    assert f">{document.filename}</a> ({document.label})" in link
    assert SectionDocument().admin_link() == "—"
