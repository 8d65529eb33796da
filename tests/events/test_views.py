"""Event pages and /calendar/ against every role, and a wrong method for each."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from events.models import RSVP, CalendarToken, Event
from tests.conftest import ROLES
from tests.events.shared import SEES_VENUES, VENUE_BITS
from tests.factories import EventFactory, MembershipFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def upcoming(venue, agency):
    return EventFactory(
        title="Upcoming network meeting",
        slug="upcoming",
        venue=venue,
        organiser=agency,
        online_url="https://meet.example.org/secret-room",
        starts_at=timezone.now() + dt.timedelta(days=10),
        ends_at=timezone.now() + dt.timedelta(days=10, hours=2),
    )


@pytest.fixture
def past(venue):
    return EventFactory(
        title="Last year's meeting",
        slug="past",
        venue=venue,
        starts_at=timezone.now() - dt.timedelta(days=100),
        ends_at=timezone.now() - dt.timedelta(days=100) + dt.timedelta(hours=2),
    )


# --- /events/ ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_event_list_shows_venues_only_to_members(client_for_role, role, upcoming, past):
    response = client_for_role(role).get("/events/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Upcoming network meeting" in html
    assert "Last year&#x27;s meeting" not in html
    assert "West Midlands Police" in html  # the organiser is public
    for bit in ["Lloyd House", "B4 6NQ"]:
        assert (bit in html) is SEES_VENUES[role]
    assert "meet.example.org" not in html


def test_event_list_archive_and_kind_filter(anon_client, upcoming, past):
    EventFactory(title="Table top", kind=Event.Kind.EXERCISE)
    html = anon_client.get("/events/?when=past").content.decode()
    assert "Last year&#x27;s meeting" in html and "Upcoming network meeting" not in html
    html = anon_client.get("/events/?kind=exercise").content.decode()
    assert "Table top" in html and "Upcoming network meeting" not in html
    # Nonsense filters fall back to the upcoming list instead of failing.
    response = anon_client.get("/events/?kind=nonsense&when=never&page=abc")
    assert response.status_code == 200
    assert "Upcoming network meeting" in response.content.decode()


def test_event_list_wrong_method(member_client):
    assert member_client.post("/events/").status_code == 405


def test_event_list_shows_times_in_uk_time(anon_client, db):
    EventFactory(
        title="Summer meeting",
        starts_at=dt.datetime(2030, 6, 13, 9, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 6, 13, 11, 30, tzinfo=dt.UTC),
    )
    html = anon_client.get("/events/").content.decode()
    assert "Thursday 13 June 2030, 10:00" in html
    assert "12:30" in html


# --- /events/<slug>/ --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_event_detail_venue_only_for_members(client_for_role, role, upcoming):
    response = client_for_role(role).get("/events/upcoming/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Upcoming network meeting" in html
    for bit in VENUE_BITS:
        assert (bit in html) is SEES_VENUES[role], bit
    assert ('name="answer"' in html) is SEES_VENUES[role]


@pytest.mark.parametrize("role", ROLES)
def test_add_to_calendar_links_have_venue_only_for_members(client_for_role, role, upcoming):
    context = client_for_role(role).get("/events/upcoming/").context
    for key in ("google_url", "outlook_url"):
        query = parse_qs(urlsplit(context[key]).query)
        assert ("location" in query) is SEES_VENUES[role]
        assert all(bit not in context[key] for bit in ["Lloyd+House", "B4+6NQ"]) is (
            not SEES_VENUES[role]
        )
    google = parse_qs(urlsplit(context["google_url"]).query)
    start = upcoming.starts_at.astimezone(dt.UTC)
    assert google["dates"][0].startswith(start.strftime("%Y%m%dT%H%M%SZ"))
    assert google["text"] == ["Upcoming network meeting"]


def test_unknown_event_is_404(member_client):
    assert member_client.get("/events/nope/").status_code == 404
    assert member_client.post("/events/nope/", {"answer": "attending"}).status_code == 404


def test_event_detail_wrong_method(member_client, upcoming):
    assert member_client.put("/events/upcoming/").status_code == 405
    assert member_client.delete("/events/upcoming/").status_code == 405


def test_member_answers_and_reanswers(member_client, member, upcoming):
    response = member_client.post("/events/upcoming/", {"answer": "attending"})
    assert response.status_code == 302
    assert RSVP.objects.get(event=upcoming, user=member).answer == "attending"
    member_client.post("/events/upcoming/", {"answer": "apologies"})
    assert RSVP.objects.filter(event=upcoming, user=member).count() == 1
    assert RSVP.objects.get(event=upcoming, user=member).answer == "apologies"


def test_bad_answer_is_a_form_error(member_client, member, upcoming):
    response = member_client.post("/events/upcoming/", {"answer": "maybe"})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not RSVP.objects.exists()


@pytest.mark.parametrize(
    "role,status",
    [
        ("anonymous", 302),
        ("pending", 403),
        ("other_member", 302),
        ("member", 302),
        ("officer", 302),
    ],
)
def test_who_may_answer(client_for_role, role, status, upcoming):
    response = client_for_role(role).post("/events/upcoming/", {"answer": "attending"})
    assert response.status_code == status
    if role == "anonymous":
        assert "/accounts/login/" in response["Location"]
    assert RSVP.objects.count() == (1 if status == 302 and role != "anonymous" else 0)


def test_no_answers_for_cancelled_or_past_events(member_client, upcoming, past):
    upcoming.cancel("Snow.")
    for slug in ("upcoming", "past"):
        response = member_client.post(f"/events/{slug}/", {"answer": "attending"})
        assert response.status_code == 400
    assert not RSVP.objects.exists()
    html = member_client.get("/events/upcoming/").content.decode()
    assert "This event is cancelled" in html and 'name="answer"' not in html


def test_members_see_who_from_their_agency_is_going(
    member_client, member, agency, other_member, upcoming
):
    colleague = MembershipFactory(
        agency=agency, user__first_name="Colleague", user__last_name="Going"
    ).user
    RSVPFactory(event=upcoming, user=colleague)
    RSVPFactory(event=upcoming, user=other_member)
    RSVPFactory(event=upcoming, user=MembershipFactory(agency=agency).user, answer="apologies")
    context = member_client.get("/events/upcoming/").context
    assert [r.user for r in context["colleagues_attending"]] == [colleague]
    assert context.get("all_answers") is None


def test_officers_see_every_answer(officer_client, other_member, member, upcoming):
    RSVPFactory(event=upcoming, user=member)
    RSVPFactory(event=upcoming, user=other_member, answer="apologies")
    html = officer_client.get("/events/upcoming/").content.decode()
    assert "All answers" in html
    assert member.email in html and other_member.email in html


def test_registration_deadline_shown(anon_client, upcoming):
    today = timezone.localdate()
    upcoming.registration_url = "https://www.eventbrite.co.uk/e/example"
    upcoming.registration_deadline = today + dt.timedelta(days=3)
    upcoming.save()
    html = anon_client.get("/events/upcoming/").content.decode()
    assert "Please register by" in html and "eventbrite" in html
    upcoming.registration_deadline = today - dt.timedelta(days=1)
    upcoming.save()
    html = anon_client.get("/events/upcoming/").content.decode()
    assert "Registration closed on" in html


def test_cancelled_event_is_marked(anon_client, upcoming):
    upcoming.cancel("The chair is unwell.")
    html = anon_client.get("/events/upcoming/").content.decode()
    assert "is cancelled" in html and "The chair is unwell." in html
    assert "Cancelled" in anon_client.get("/events/").content.decode()


# --- /calendar/ -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_calendar_page(client_for_role, role):
    response = client_for_role(role).get("/calendar/")
    assert response.status_code == 200
    html = response.content.decode()
    for app in [
        "Google Calendar",
        "Outlook on the web",
        "Outlook for Windows",
        "Apple Calendar",
        "Thunderbird",
    ]:
        assert app in html
    assert "webcal://" in html
    assert ("Your personal calendar link" in html) is SEES_VENUES[role]
    assert 'src="/static/js/copy-link.js"' in html
    assert "<script>" not in html


def test_calendar_page_shows_the_members_link_and_last_fetch(member_client, member):
    token = CalendarToken.regenerate_for(member)
    CalendarToken.objects.filter(pk=token.pk).update(
        last_fetched_at=dt.datetime(2026, 7, 1, 9, 5, tzinfo=dt.UTC),
        last_client="Microsoft Outlook 16.0",
    )
    html = member_client.get("/calendar/").content.decode()
    assert f"http://testserver/calendar/{token.raw_token}.ics" in html
    assert f"webcal://testserver/calendar/{token.raw_token}.ics" in html
    assert "Wednesday 1 July 2026 at 10:05" in html
    assert "Microsoft Outlook 16.0" in html


@pytest.mark.parametrize(
    "role,status",
    [
        ("anonymous", 302),
        ("pending", 403),
        ("other_member", 302),
        ("member", 302),
        ("officer", 302),
    ],
)
def test_regenerate_link(client_for_role, role, status):
    response = client_for_role(role).post("/calendar/")
    assert response.status_code == status
    if role == "anonymous":
        assert "/accounts/login/" in response["Location"]
        assert not CalendarToken.objects.exists()


def test_calendar_page_wrong_method(member_client):
    assert member_client.put("/calendar/").status_code == 405


def test_pending_user_gets_no_token(pending_client, pending_user):
    pending_client.get("/calendar/")
    assert not CalendarToken.objects.filter(user=pending_user).exists()


# --- home and navigation ----------------------------------------------------------------


def test_home_shows_next_meetings_without_venue(anon_client, upcoming):
    EventFactory(title="Conference", kind=Event.Kind.CONFERENCE)
    html = anon_client.get("/").content.decode()
    assert "Next network meetings" in html
    assert "Upcoming network meeting" in html
    assert "Lloyd House" not in html
    assert 'href="/events/"' in html and 'href="/calendar/"' in html


def test_nav_marks_the_current_section(anon_client):
    html = anon_client.get("/events/").content.decode()
    assert 'href="/events/" aria-current="page"' in html


def test_staff_outside_the_officers_group_sees_public_view(client, upcoming):
    user = UserFactory(is_staff=True, is_active=True)
    client.force_login(user)
    assert "Lloyd House" not in client.get("/events/upcoming/").content.decode()


def test_event_page_address_includes_the_town_for_members(client_for_role, role, upcoming):
    upcoming.venue.town = "Oldbury"
    upcoming.venue.address = "Sandwell Council House\nFreeth Street"
    upcoming.venue.save()
    html = client_for_role(role).get("/events/upcoming/").content.decode()

    address = html.split("<address", 1)[1].split("</address>", 1)[0] if SEES_VENUES[role] else ""
    assert ("Freeth Street<br>Oldbury<br>B4 6NQ" in address) is SEES_VENUES[role]
