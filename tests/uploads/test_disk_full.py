"""A full disk while storing an upload: a form error, no fragment left, no row without its file.

The storage is the real one writing to the test's media directory, except that its disk
fills part-way through a chosen save (tests/uploads/conftest.py), as a real disk does: the
first bytes of the file are already there when the write fails.
"""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from events.models import EventDocument
from newsletters.models import Section, SectionDocument, SectionImage
from tests.events.conftest import admin_change_data
from tests.factories import DraftIssueFactory, EventFactory, SectionFactory, add_photo
from tests.files import PDF_BYTES, jpeg_bytes, ooxml_bytes, upload
from wmasn.uploads import UploadNotStored, validate_upload

pytestmark = pytest.mark.django_db

DISK_FULL = "The server&#x27;s disk is full, so “{}” could not be saved; nothing was changed."


@pytest.fixture
def event(db):
    return EventFactory(slug="network-meeting-2027-03-18")


def event_form(event, *documents):
    data = admin_change_data(event, **{"documents-TOTAL_FORMS": str(len(documents))})
    for number, (name, content) in enumerate(documents):
        data |= {
            f"documents-{number}-kind": "paper",
            f"documents-{number}-title": f"Paper {number + 1}",
            f"documents-{number}-position": str(number + 1),
            f"documents-{number}-upload": upload(name, content),
        }
    return data


def post_event(client, event, *documents):
    return client.post(
        reverse("admin:events_event_change", args=[event.pk]), event_form(event, *documents)
    )


@pytest.fixture
def section(db):
    return SectionFactory(issue=DraftIssueFactory(), heading="Conference", body="Hello")


def post_section(client, section, *, photo=None, document=None):
    data = {
        "order": "10",
        "heading": section.heading,
        "body": "<p>The conference was a success.</p>",
        "agency": "",
        "event": "",
        "images-TOTAL_FORMS": "1" if photo else "0",
        "images-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "1" if document else "0",
        "documents-INITIAL_FORMS": "0",
        "_continue": "Save",
    }
    if photo:
        data |= {
            "images-0-upload": upload("conference.jpg", photo, "image/jpeg"),
            "images-0-alt_text": "Delegates in the hall",
            "images-0-caption": "",
            "images-0-consent_confirmed": "on",
            "images-0-order": "0",
        }
    if document:
        data |= {
            "documents-0-upload": upload("letter.pdf", document, "application/pdf"),
            "documents-0-title": "The Commissioner's letter",
            "documents-0-order": "0",
        }
    return client.post(reverse("admin:newsletters_section_change", args=[section.pk]), data)


@pytest.mark.parametrize("room", [0, 340])
def test_a_full_disk_while_attaching_a_paper_is_a_form_error(
    officer_client, event, full_disk, stored_files, room
):
    full_disk.room = room  # 0: the empty file the disk left; 340: a 340-byte fragment
    response = post_event(officer_client, event, ("paper.docx", ooxml_bytes() * 2))

    assert response.status_code == 200
    assert DISK_FULL.format("paper.docx") in response.content.decode()
    assert "Please correct the error below." in response.content.decode()
    assert stored_files() == []
    assert not EventDocument.objects.exists()


def test_when_the_second_paper_fills_the_disk_the_first_is_not_kept(
    officer_client, event, full_disk, stored_files
):
    full_disk.fails_on = 2
    response = post_event(
        officer_client, event, ("agenda.pdf", PDF_BYTES), ("paper.docx", ooxml_bytes())
    )

    assert response.status_code == 200
    assert DISK_FULL.format("paper.docx") in response.content.decode()
    assert stored_files() == [], "the first paper, stored before the failure, is deleted too"
    assert not EventDocument.objects.exists()


def test_after_a_full_disk_the_same_form_posted_again_saves(
    officer_client, event, full_disk, stored_files
):
    post_event(officer_client, event, ("agenda.pdf", PDF_BYTES))
    response = post_event(officer_client, event, ("agenda.pdf", PDF_BYTES))

    assert response.status_code == 302
    document = EventDocument.objects.get()
    assert stored_files() == [document.file.name]
    assert default_storage.open(document.file.name).read() == PDF_BYTES


def test_replacing_a_paper_on_a_full_disk_keeps_the_old_file(
    officer_client, event, full_disk, stored_files, django_capture_on_commit_callbacks
):
    full_disk.fails_on = 2  # the first save is the paper already attached
    document = EventDocument(event=event, kind="paper", title="Paper 1")
    document.set_upload(validate_upload(upload("old.pdf", PDF_BYTES)))
    document.save()
    data = admin_change_data(
        event,
        **{
            "documents-TOTAL_FORMS": "1",
            "documents-INITIAL_FORMS": "1",
            "documents-0-id": str(document.pk),
            "documents-0-event": str(event.pk),
            "documents-0-kind": "paper",
            "documents-0-title": "Paper 1",
            "documents-0-position": "1",
            "documents-0-upload": upload("new.docx", ooxml_bytes()),
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(reverse("admin:events_event_change", args=[event.pk]), data)

    assert DISK_FULL.format("new.docx") in response.content.decode()
    document.refresh_from_db()
    assert document.filename == "old.pdf"
    assert stored_files() == [document.file.name], "the old file is still there, alone"


def test_a_full_disk_while_adding_a_newsletter_photo_is_a_form_error(
    officer_client, section, full_disk, stored_files
):
    full_disk.fails_on = 2  # the web size is stored, then the email size fills the disk
    response = post_section(officer_client, section, photo=jpeg_bytes((2400, 1800)))

    assert response.status_code == 200
    assert DISK_FULL.format("conference.jpg") in response.content.decode()
    assert stored_files() == []
    assert not SectionImage.objects.exists()


@pytest.mark.parametrize("fails_on", [1, 2, 3])
def test_a_full_disk_while_adding_a_photo_and_a_document_leaves_nothing(
    officer_client, section, full_disk, stored_files, fails_on
):
    full_disk.fails_on = fails_on
    response = post_section(
        officer_client, section, photo=jpeg_bytes((800, 600)), document=PDF_BYTES
    )

    assert response.status_code == 200
    assert "disk is full" in response.content.decode()
    assert stored_files() == []
    assert not SectionImage.objects.exists() and not SectionDocument.objects.exists()


def test_a_full_disk_while_adding_a_section_saves_no_section(
    officer_client, full_disk, stored_files
):
    """In the add view the section itself is saved before its photo: it rolls back too."""
    issue = DraftIssueFactory()
    data = {
        "issue": str(issue.pk),
        "order": "10",
        "heading": "Conference",
        "body": "<p>The conference was a success.</p>",
        "agency": "",
        "event": "",
        "images-TOTAL_FORMS": "1",
        "images-INITIAL_FORMS": "0",
        "images-0-upload": upload("conference.jpg", jpeg_bytes(), "image/jpeg"),
        "images-0-alt_text": "Delegates in the hall",
        "images-0-caption": "",
        "images-0-consent_confirmed": "on",
        "images-0-order": "0",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
    }
    response = officer_client.post(reverse("admin:newsletters_section_add"), data)

    assert response.status_code == 200
    assert DISK_FULL.format("conference.jpg") in response.content.decode()
    assert not Section.objects.filter(heading="Conference").exists()
    assert stored_files() == []


def test_a_photo_stored_without_the_admin_leaves_no_fragment(section, full_disk, stored_files):
    full_disk.fails_on = 2
    with pytest.raises(UploadNotStored) as error:
        add_photo(section)

    assert error.value.disk_full
    assert stored_files() == []
    assert not SectionImage.objects.exists()


def test_other_storage_errors_are_named_as_such(section, full_disk, stored_files, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(full_disk, "_save", refuse)
    image = SectionImage(section=section, alt_text="x", consent_confirmed=True)
    with pytest.raises(UploadNotStored) as error:
        image.set_upload(validate_upload(upload("p.jpg", jpeg_bytes()), "image"))

    assert not error.value.disk_full
    assert error.value.message == (
        "The server could not store “p.jpg”; nothing was changed. Please try again later."
    )
    assert stored_files() == []
