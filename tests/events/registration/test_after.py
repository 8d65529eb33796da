"""Badges, certificates, feedback and exports: officers' downloads and attendees' papers."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from events.models import Attendance, Event, Feedback
from events.registration import after, checkin, services
from tests.factories import NetworkMemberFactory

pytestmark = pytest.mark.django_db


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def people(conference, officer):
    """Priya (a member, checked in), Gail (a guest, checked in), Noor (a place, not come)."""
    priya = services.register_member(
        event=conference,
        user=NetworkMemberFactory(first_name="Priya", last_name="Shah"),
        details={"organisation": "West Midlands Police"},
    )
    gail = services.confirm_guest(
        rsvp=services.register_guest(
            event=conference,
            name="Gail Guest",
            email="gail@example.org",
            details={"organisation": '=HYPERLINK("x")'},
        )
    )
    noor = services.register_member(
        event=conference,
        user=NetworkMemberFactory(first_name="Noor", last_name="Ali"),
        details={"organisation": "Barnardo's"},
    )
    for rsvp in (priya, gail):
        checkin.check_in(event=conference, rsvp=rsvp, by=officer)
    return priya, gail, noor


def end(event):
    """Move the event into the past: it ended an hour ago."""
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=7),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )


# Officers' pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 302),
        ("pending", 404),
        ("other_member", 404),
        ("member", 404),
        ("officer", 200),
    ],
)
@pytest.mark.parametrize(
    "name", ["registrations", "badges", "registrations-csv", "attendance-csv", "feedback-csv"]
)
def test_only_officers_see_registrations_badges_and_exports(
    client_for_role, conference, role, status, name
):
    response = client_for_role(role).get(reverse(f"events:{name}", args=[conference.slug]))
    assert response.status_code == status


@pytest.mark.parametrize(
    "name", ["registrations", "badges", "registrations-csv", "attendance-csv", "feedback-csv"]
)
def test_officers_pages_refuse_posts(officer_client, conference, name):
    url = reverse(f"events:{name}", args=[conference.slug])
    assert officer_client.post(url).status_code == 405


def test_badges_name_everyone_with_a_place(officer_client, conference, people):
    response = officer_client.get(reverse("events:badges", args=[conference.slug]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for name in ("Priya Shah", "Gail Guest", "Noor Ali", "West Midlands Police", "Barnardo's"):
        assert name in text


@pytest.mark.parametrize("sheet, per_page", [("L7160", 21), ("L7163", 14), ("L7165", 8)])
def test_badges_fill_the_chosen_label_sheet(officer_client, conference, sheet, per_page):
    for number in range(per_page + 1):
        services.register_member(
            event=conference, user=NetworkMemberFactory(first_name=f"P{number:02}"), details={}
        )
    response = officer_client.get(
        reverse("events:badges", args=[conference.slug]), {"sheet": sheet}
    )
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) == 2
    assert pages[1].extract_text().count("Anti-Slavery Day conference") == 1


def test_a_cancelled_place_gets_no_badge(officer_client, conference, people):
    services.cancel_place(rsvp=people[2])
    text = pdf_text(officer_client.get(reverse("events:badges", args=[conference.slug])).content)
    assert "Noor Ali" not in text


def test_the_registrations_export_is_safe_in_a_spreadsheet(officer_client, conference, people):
    response = officer_client.get(reverse("events:registrations-csv", args=[conference.slug]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, *data = rows
    assert header[:3] == ["name", "email", "member or guest"]
    assert "Which workshop?" in header
    gail = next(row for row in data if row[0] == "Gail Guest")
    assert gail[3] == '\'=HYPERLINK("x")'
    assert gail[12]  # checked in at


def test_the_attendance_export_lists_who_came(officer_client, conference, people):
    response = officer_client.get(reverse("events:attendance-csv", args=[conference.slug]))
    names = [row[0] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))]
    assert sorted(names[1:]) == ["Gail Guest", "Priya Shah"]


def test_the_officers_page_shows_counts_and_feedback(officer_client, conference, people):
    end(conference)
    Feedback.objects.create(
        registration=people[0], event=conference, rating=5, most_useful="The case studies"
    )
    Feedback.objects.create(registration=people[1], event=conference, rating=4)
    response = officer_client.get(reverse("events:registrations", args=[conference.slug]))
    page = response.content.decode()
    assert response.context["counts"]["checked_in"] == 2
    assert "2 answers, average rating 4.5 out of 5." in page
    assert "The case studies" in page
    feedback = officer_client.get(reverse("events:feedback-csv", args=[conference.slug]))
    assert "The case studies" in feedback.content.decode("utf-8-sig")
    assert "Priya" not in feedback.content.decode("utf-8-sig")


# Certificates and feedback ---------------------------------------------------------------------


def certificate_url(rsvp):
    return reverse("events:certificate", args=[rsvp.event.slug, rsvp.ticket_secret])


def test_a_certificate_names_the_person_and_the_event(client, conference, people):
    end(conference)
    priya = people[0]
    response = client.get(certificate_url(priya))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Priya Shah" in text and "Anti-Slavery Day conference" in text
    assert "6 hours" in text and "West Midlands Anti Slavery Network" in text


def test_nobody_not_checked_in_gets_a_certificate(client, conference, people):
    end(conference)
    assert client.get(certificate_url(people[2])).status_code == 404


def test_no_certificate_before_the_event_is_over(client, conference, people):
    assert client.get(certificate_url(people[0])).status_code == 404


def test_the_ticket_page_links_the_certificate_after_the_event(client, conference, people):
    end(conference)
    page = client.get(reverse("events:ticket", args=[conference.slug, people[1].ticket_secret]))
    assert certificate_url(people[1]) in page.content.decode()
    assert "<svg" not in page.content.decode()


def test_those_checked_in_are_emailed_the_certificate_link_once(conference, people, sent):
    end(conference)
    count, emails = sent(after.send_certificate_links)
    assert count == 2
    emails = [m for m in emails if "certificate of attendance" in m.subject]
    assert sorted(m.to[0] for m in emails) == sorted([people[0].email, "gail@example.org"])
    assert "certificate.pdf" in emails[0].body and "feedback/" in emails[0].body
    assert after.send_certificate_links() == 0


def test_feedback_once_from_those_who_came(client, conference, people):
    end(conference)
    url = reverse("events:feedback", args=[conference.slug, people[1].ticket_secret])
    assert client.get(url).status_code == 200
    assert client.post(url, {"rating": "9"}).status_code == 400
    response = client.post(url, {"rating": "4", "most_useful": "Networking", "improve": ""})
    assert response.status_code == 302
    assert Feedback.objects.get().rating == 4
    client.post(url, {"rating": "1"})
    assert Feedback.objects.get().rating == 4
    absent = reverse("events:feedback", args=[conference.slug, people[2].ticket_secret])
    assert client.get(absent).status_code == 404


@pytest.mark.parametrize("name", ["certificate", "feedback"])
def test_after_event_pages_refuse_other_methods(client, conference, people, name):
    end(conference)
    url = reverse(f"events:{name}", args=[conference.slug, people[0].ticket_secret])
    assert client.put(url).status_code == 405


def test_attendance_rows_are_the_register(conference, people):
    assert Attendance.objects.filter(event=conference).count() == 2
