"""The chair schedules a year of meetings at rotating venues and cancels one; a member
answers from the reminder email, without logging in. Screenshots go to var/screenshots/."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from playwright.sync_api import expect

from events import notices
from events.models import RSVP, Event
from tests.browser.conftest import assert_accessible, log_in
from tests.events.conftest import london
from tests.factories import PASSWORD, AgencyFactory, MembershipFactory, OfficerFactory, VenueFactory

# A slow journey: it runs once in CI, on PostgreSQL (CI runs the suite on SQLite too).
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="The meetings journey runs on PostgreSQL only (CI runs it there once).",
    ),
]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def third_thursday(year, month):
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(3 - first.weekday()) % 7 + 14)


def test_chair_schedules_a_year_cancels_one_and_a_member_answers_from_the_reminder(
    browser, live_server, page
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    police = AgencyFactory(name="West Midlands Police", slug="west-midlands-police")
    sandwell = AgencyFactory(name="Sandwell Council", slug="sandwell-council")
    OfficerFactory(email="chair@example.org", first_name="Chair")
    member = MembershipFactory(
        agency=police, user__email="police@example.org", user__first_name="Priya"
    ).user
    VenueFactory(name="Lloyd House", town="Birmingham", access_notes="Sign in at reception.")
    VenueFactory(name="Sandwell Council House", town="Oldbury", postcode="B69 3DE")
    VenueFactory(name="Wolverhampton Civic Centre", town="Wolverhampton", postcode="WV1 1SH")

    year = dt.date.today().year + 1
    days = [third_thursday(year, month) for month in (1, 3, 5, 7, 9, 11)]
    rotation = [
        ("Lloyd House, Birmingham", police),
        ("Sandwell Council House, Oldbury", sandwell),
        ("Wolverhampton Civic Centre, Wolverhampton", police),
        ("Lloyd House, Birmingham", sandwell),
        ("Sandwell Council House, Oldbury", police),
        (None, None),  # venue to be confirmed
    ]

    # The chair schedules the year, each meeting at its own venue with its own organiser.
    log_in(page, "chair@example.org", PASSWORD)
    page.goto("/admin/events/event/")
    page.get_by_role("link", name="Schedule a year of network meetings").click()
    for index, (day, (venue, organiser)) in enumerate(zip(days, rotation, strict=True)):
        page.get_by_label(f"Date of meeting {index + 1}").fill(day.isoformat())
        if venue:
            page.get_by_label(f"Venue of meeting {index + 1}").select_option(label=venue)
        if organiser:
            page.get_by_label(f"Organiser of meeting {index + 1}").select_option(
                label=organiser.name
            )
    page.screenshot(path=SCREENSHOTS / "meetings-schedule-year.png", full_page=True)
    page.get_by_role("button", name="Schedule meetings").click()
    expect(
        page.get_by_text("Scheduled 6 meeting(s); the announcement is being emailed to members.")
    ).to_be_visible()
    meetings = list(Event.objects.order_by("starts_at"))
    assert [m.title for m in meetings] == [
        "Network meeting, Birmingham",
        "Network meeting, Oldbury",
        "Network meeting, Wolverhampton",
        "Network meeting, Birmingham",
        "Network meeting, Oldbury",
        "Network meeting",
    ]
    [announcement] = [m for m in mail.outbox if m.to == [member.email]]
    assert announcement.body.count("Attending: ") == 6

    # The chair cancels the Wolverhampton meeting with a reason.
    mail.outbox.clear()
    wolverhampton = meetings[2]
    page.locator(f"input[name=_selected_action][value='{wolverhampton.pk}']").check()
    page.locator("select[name=action]").select_option("cancel_selected")
    page.get_by_role("button", name="Go").click()
    page.get_by_label("Reason").fill("The civic centre is closed for repairs.")
    page.screenshot(path=SCREENSHOTS / "meetings-cancel.png", full_page=True)
    page.get_by_role("button", name="Cancel these events").click()
    expect(page.get_by_text("Cancelled 1 event(s)")).to_be_visible()
    [cancellation] = [m for m in mail.outbox if m.to == [member.email]]
    assert "The civic centre is closed for repairs." in cancellation.body

    # The day before the Oldbury meeting, the reminder goes out.
    oldbury = meetings[1]
    mail.outbox.clear()
    notices.send_reminders(
        now=london(days[1].year, days[1].month, days[1].day, 9, 0) - dt.timedelta(days=1)
    )
    [reminder] = [m for m in mail.outbox if m.to == [member.email]]
    assert reminder.subject.startswith("[WMASN] Tomorrow: Network meeting, Oldbury")
    path = re.search(r"Attending: http://[^/]+(/events/\S+/answer/\S+/)", reminder.body)[1]

    # The member opens the link in a browser where they are not logged in.
    member_context = browser.new_context(base_url=live_server.url)
    member_page = member_context.new_page()
    member_page.set_default_timeout(15_000)
    member_page.goto(path)
    expect(member_page.locator("h1")).to_have_text("Network meeting, Oldbury")
    assert not RSVP.objects.filter(user=member).exists()  # opening the link changed nothing
    assert_accessible(member_page)
    member_page.get_by_role("button", name="Yes, I will attend").click()
    expect(member_page.get_by_text("Thank you: your answer is saved.")).to_be_visible()
    expect(member_page.get_by_text("Your answer now: Attending")).to_be_visible()
    assert_accessible(member_page)
    member_page.screenshot(path=SCREENSHOTS / "meetings-answer-from-email.png", full_page=True)
    member_context.close()
    assert RSVP.objects.get(user=member).event == oldbury
    assert RSVP.objects.get(user=member).answer == RSVP.Answer.ATTENDING
