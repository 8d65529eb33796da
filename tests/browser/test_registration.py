"""A member registers in one click and cancels; a guest registers, confirms by the emailed
link and gets a ticket; axe-core checks every page, at desktop and phone widths."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from events.models import RSVP, Question, RegistrationSettings
from tests.browser.conftest import assert_accessible, log_in, snap
from tests.factories import PASSWORD, AgencyFactory, EventFactory, MembershipFactory, VenueFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conference(db):
    start = timezone.now().replace(hour=9, minute=30, second=0, microsecond=0) + dt.timedelta(
        days=30
    )
    event = EventFactory(
        kind="conference",
        title="Anti-Slavery Day conference",
        slug="anti-slavery-day-conference",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=7),
        venue=VenueFactory(name="Council House", town="Birmingham", capacity=120),
        registration_deadline=timezone.localdate() + dt.timedelta(days=20),
    )
    settings = RegistrationSettings.objects.create(event=event, audience="everyone", is_open=True)
    Question.objects.create(
        registration=settings,
        kind="one",
        text="Which workshop?",
        choices="Supply chains\nVictim care",
        required=True,
    )
    Question.objects.create(
        registration=settings, kind="several", text="Topics", choices="Labour\nHousing"
    )
    return event


@pytest.mark.parametrize("fixture", ["page", "phone_page"])
def test_a_member_registers_in_one_click_and_cancels(request, conference, fixture):
    page = request.getfixturevalue(fixture)
    agency = AgencyFactory(name="West Midlands Police", slug="west-midlands-police")
    MembershipFactory(agency=agency, user__email="police@example.org")
    log_in(page, "police@example.org", PASSWORD)
    page.goto(conference.get_absolute_url())
    page.get_by_role("link", name="Register for Anti-Slavery Day conference").click()
    page.wait_for_load_state()
    assert page.get_by_label("Organisation").input_value() == "West Midlands Police"
    assert_accessible(page)
    snap(page, "register-member")
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert_accessible(page)
    page.get_by_label("Victim care").check()
    page.get_by_label("No, please do not photograph me").check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Your ticket: Anti-Slavery Day conference").is_visible()
    assert page.get_by_role("img", name=re.compile("QR code of ticket")).is_visible()
    assert_accessible(page)
    snap(page, "ticket")
    page.get_by_role("button", name="Cancel my place").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your place is cancelled").is_visible()
    assert_accessible(page)
    assert RSVP.objects.get(event=conference).answer == "apologies"


def test_a_guest_registers_and_confirms_by_email(page, conference):
    page.goto("/events/anti-slavery-day-conference/register/")
    assert_accessible(page)
    snap(page, "register-guest")
    page.get_by_label("Your name").fill("Sam Guest")
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Organisation").fill("Sandwell Council")
    page.get_by_label("Supply chains").check()
    page.get_by_label("Yes, I agree to appear in photos of the event").check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Check your email").is_visible()
    assert_accessible(page)
    confirm = next(
        re.search(r"http://\S+/register/confirm/\S+/", m.body).group(0)
        for m in mail.outbox
        if "Confirm your registration" in m.subject
    )
    page.goto("/" + confirm.split("://", 1)[1].split("/", 1)[1])
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my registration").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Your ticket: Anti-Slavery Day conference").is_visible()
    assert_accessible(page)
    assert RSVP.objects.attending().get(event=conference).guest_name == "Sam Guest"


@pytest.mark.parametrize("fixture", ["page", "phone_page"])
def test_after_the_event_pages_officers_pages_and_guest_data_pass_axe(request, fixture):
    from events.models import Event
    from events.registration import checkin, services
    from tests.factories import OfficerFactory

    page = request.getfixturevalue(fixture)
    start = timezone.now() - dt.timedelta(days=1)
    event = EventFactory(
        kind="conference",
        title="Anti-Slavery Day conference",
        slug="asd-past",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=6),
    )
    RegistrationSettings.objects.create(event=event, audience="everyone", is_open=True)
    officer = OfficerFactory(email="chair@example.org")
    gail = services.confirm_guest(
        rsvp=services.register_guest(
            event=event, name="Gail Guest", email="gail@example.org", details={}
        )
    )
    checkin.check_in(event=Event.objects.get(pk=event.pk), rsvp=gail, by=officer)

    page.goto(f"/events/asd-past/ticket/{gail.ticket_secret}/")
    assert page.get_by_role("link", name="Your certificate of attendance (PDF)").is_visible()
    assert_accessible(page)
    snap(page, "ticket-after")
    page.get_by_role("link", name="Tell us how it went").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("5").check()
    page.get_by_label("What was most useful to you?").fill("The survivor's talk")
    page.get_by_role("button", name="Send my feedback").click()
    page.wait_for_load_state()
    assert page.get_by_text("Thank you for your feedback.").first.is_visible()
    assert_accessible(page)

    page.goto("/events/my-registrations/")
    assert_accessible(page)
    page.get_by_label("Email address you registered with").fill("gail@example.org")
    page.get_by_role("button", name="Email me the link").click()
    page.wait_for_load_state()
    assert_accessible(page)
    link = next(
        re.search(r"http://\S+/events/my-registrations/\S+/", m.body).group(0)
        for m in mail.outbox
        if m.subject == "[WMASN] Your event registrations"
    )
    page.goto("/" + link.split("://", 1)[1].split("/", 1)[1])
    assert page.get_by_role("cell", name="Gail Guest").is_visible()
    assert_accessible(page)

    log_in(page, "chair@example.org", PASSWORD)
    page.goto("/events/asd-past/registrations/")
    assert page.get_by_text("1 answer, average rating 5.0 out of 5.").is_visible()
    assert_accessible(page)
    snap(page, "registrations")
