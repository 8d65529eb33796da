"""One-click subscriptions on /calendar/, and no "add to calendar" for a cancelled event."""

import datetime as dt
import html as html_lib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from events import ics
from events.models import CalendarToken
from tests.conftest import ROLES
from tests.events.shared import SEES_VENUES
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def links(html):
    found = {}
    for href, text in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>', html):
        found.setdefault(text.strip(), []).append(html_lib.unescape(href))
    return found


def one(found, text):
    [href] = found[text]
    parts = urlsplit(href)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qs(
        parts.query, strict_parsing=True
    )


def feed_urls(client, role):
    if SEES_VENUES[role]:
        token = CalendarToken.objects.get(user_id=client.session["_auth_user_id"])
        path = f"/calendar/{token.raw_token}.ics"
        return f"http://testserver{path}", f"webcal://testserver{path}", ics.PERSONAL_FEED_NAME
    return (
        "http://testserver/calendar.ics",
        "webcal://testserver/calendar.ics",
        ics.PUBLIC_FEED_NAME,
    )


@pytest.mark.parametrize("role", ROLES)
def test_calendar_page_offers_one_click_subscriptions(client_for_role, role):
    client = client_for_role(role)
    response = client.get("/calendar/")
    assert response.status_code == 200
    found = links(response.content.decode())
    https_url, webcal_url, name = feed_urls(client, role)

    # Google Calendar: render?cid= with the webcal link.
    base, query = one(found, "Subscribe in Google Calendar")
    assert base == "https://calendar.google.com/calendar/render"
    assert query == {"cid": [webcal_url]}

    # Outlook on the web: addfromweb with the https link and the calendar's name.
    base, query = one(found, "Subscribe in Outlook (Microsoft 365, work or school)")
    assert base == "https://outlook.office.com/calendar/0/addfromweb"
    assert query == {"url": [https_url], "name": [name]}
    base, query = one(found, "Subscribe in Outlook.com (personal)")
    assert base == "https://outlook.live.com/calendar/0/addfromweb"
    assert query == {"url": [https_url], "name": [name]}

    # Members are never offered the public feed's buttons as well, nor visitors a personal one.
    assert len(found["Subscribe in Google Calendar"]) == 1


def test_subscribe_names_are_the_feeds_own_names(anon_client):
    from tests.events.conftest import parse

    assert str(parse(ics.public_feed())["X-WR-CALNAME"]) == ics.PUBLIC_FEED_NAME


def test_regenerating_the_link_changes_the_subscribe_links(member_client, member):
    first = links(member_client.get("/calendar/").content.decode())
    member_client.post("/calendar/")
    second = links(member_client.get("/calendar/").content.decode())
    for text in ("Subscribe in Google Calendar", "Subscribe in Outlook.com (personal)"):
        assert first[text] != second[text]
    token = CalendarToken.objects.get(user=member)
    assert token.raw_token in second["Subscribe in Outlook.com (personal)"][0]


ADD_BUTTONS = ("Add to Google Calendar", "Add to Outlook", "Download .ics")


@pytest.mark.parametrize("role", ROLES)
def test_cancelled_event_offers_no_add_to_calendar_buttons(client_for_role, role, venue):
    starts = timezone.now() + dt.timedelta(days=5)
    event = EventFactory(
        slug="called-off", starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )
    event.cancel("The venue is closed.")
    html = client_for_role(role).get("/events/called-off/").content.decode()
    assert "This network meeting is cancelled." in html
    for text in ADD_BUTTONS:
        assert text not in html
    assert "calendar.google.com" not in html and "outlook." not in html
    assert "show this network meeting as cancelled" in html


@pytest.mark.parametrize("role", ROLES)
def test_scheduled_event_offers_the_add_to_calendar_buttons(client_for_role, role, venue):
    starts = timezone.now() + dt.timedelta(days=5)
    EventFactory(slug="going-ahead", starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    html = client_for_role(role).get("/events/going-ahead/").content.decode()
    for text in ADD_BUTTONS:
        assert text in html
