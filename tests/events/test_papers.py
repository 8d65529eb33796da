"""Agenda, papers and minutes: attached by officers, members only, linked from reminders."""

import pytest
import time_machine
from django.core import mail
from django.core.files.storage import default_storage

from events import notices
from events.models import EventDocument
from tests.events.conftest import admin_change_data, london
from tests.factories import EventFactory
from tests.files import HTML_BYTES, PDF_BYTES, ooxml_bytes, upload
from wmasn.uploads import validate_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(venue):
    return EventFactory(
        title="Network meeting, Birmingham",
        slug="network-meeting-2027-03-18",
        starts_at=london(2027, 3, 18, 10, 0),
        ends_at=london(2027, 3, 18, 12, 30),
        venue=venue,
    )


def attach(event, title, content, name, kind=EventDocument.Kind.PAPER):
    document = EventDocument(event=event, kind=kind, title=title)
    document.set_upload(validate_upload(upload(name, content)))
    document.save()
    return document


@pytest.fixture
def agenda(event):
    return attach(event, "Agenda for March", PDF_BYTES, "agenda.pdf", EventDocument.Kind.AGENDA)


def admin_data(event, **document):
    return admin_change_data(
        event,
        **{
            "documents-TOTAL_FORMS": "1",
            "documents-0-kind": "paper",
            "documents-0-title": "Victim care pathway paper",
            "documents-0-position": "1",
            **document,
        },
    )


def test_an_officer_attaches_a_paper_in_the_admin(officer_client, event):
    data = admin_data(event, **{"documents-0-upload": upload("Pathway paper.docx", ooxml_bytes())})
    response = officer_client.post(f"/admin/events/event/{event.pk}/change/", data)
    assert response.status_code == 302
    document = EventDocument.objects.get(event=event)
    assert (document.title, document.type_label, document.filename) == (
        "Victim care pathway paper",
        "Word",
        "pathway-paper.docx",
    )
    # Stored under a random directory: nobody can guess the address of another paper.
    assert document.file.name.startswith("meeting-papers/")
    assert len(document.file.name.split("/")[1]) == 32


def test_a_disguised_file_is_refused_in_the_admin(officer_client, event):
    data = admin_data(event, **{"documents-0-upload": upload("paper.pdf", HTML_BYTES)})
    response = officer_client.post(f"/admin/events/event/{event.pk}/change/", data)
    assert response.status_code == 200
    assert "looks like a web page (HTML)" in response.content.decode()
    assert not EventDocument.objects.exists()


@pytest.mark.parametrize(
    "role,status",
    [
        ("anonymous", 404),
        ("pending", 404),
        ("other_member", 200),
        ("member", 200),
        ("officer", 200),
    ],
)
def test_papers_are_for_members_only(client_for_role, role, status, event, agenda):
    client = client_for_role(role)
    response = client.get(agenda.get_absolute_url())
    assert response.status_code == status
    page = client.get(event.get_absolute_url()).content.decode()
    if status == 200:
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Type"] == "application/pdf"
        assert "private" in response["Cache-Control"]
        assert "Agenda for March" in page
        assert agenda.get_absolute_url() in page
    else:
        assert "Agenda for March" not in page
        assert "/papers/" not in page


def test_office_files_download_rather_than_open(member_client, event):
    document = attach(event, "Budget", ooxml_bytes("xlsx"), "budget.xlsx")
    response = member_client.get(document.get_absolute_url())
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_paper_is_not_at_a_public_or_guessable_address(anon_client, member_client, agenda):
    assert anon_client.get(f"/media/{agenda.file.name}").status_code == 404
    other_event = EventFactory(slug="another-meeting")
    wrong_event = f"/events/{other_event.slug}/papers/{agenda.pk}/{agenda.filename}"
    assert member_client.get(wrong_event).status_code == 404
    wrong_name = agenda.get_absolute_url().replace("agenda.pdf", "other.pdf")
    assert member_client.get(wrong_name).status_code == 404


def test_wrong_method_is_refused(member_client, agenda):
    assert member_client.post(agenda.get_absolute_url()).status_code == 405


def test_reminders_link_to_the_papers(event, agenda, member, django_capture_on_commit_callbacks):
    with (
        time_machine.travel(london(2027, 3, 17, 9, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notices.send_reminders()
    message = next(m for m in mail.outbox if m.to == [member.email])
    assert "Agenda and papers (members only):" in message.body
    assert f"Agenda: Agenda for March (PDF, {agenda.label.split(', ')[1]})" in message.body
    assert f"http://testserver{agenda.get_absolute_url()}" in message.body


def test_deleting_a_paper_deletes_its_file(agenda, django_capture_on_commit_callbacks):
    name = agenda.file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        agenda.delete()
    assert not default_storage.exists(name)
