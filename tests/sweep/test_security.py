"""Security review of the whole site: every page of the URL table against every demo role."""

import html
from urllib.parse import unquote_plus, urlparse

import pytest

from tests.sweep.urls import (
    PAGE_NAMES,
    ROLES,
    build_page,
)

# Every page for every role against the demo network: slow, so it runs once in CI (on
# PostgreSQL), like the browser and fault suites.
pytestmark = [pytest.mark.django_db, pytest.mark.sweep]

LOGIN_PATHS = ("/accounts/login/", "/admin/login/")

# (page, role): reason. Each entry is a known failure the lead must fix; strict, so a fix
# that makes it pass turns the suite red until the entry is removed.
KNOWN_FAILURES = {}


def _xfail_if_known(request, page_name, role):
    reason = KNOWN_FAILURES.get((page_name, role))
    if reason:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))


def is_login_redirect(response):
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    return urlparse(response["Location"]).path in LOGIN_PATHS


def texts_of(response):
    """The body as sent, and decoded the ways a browser or calendar app would read it."""
    raw = response.content.decode("utf-8", "replace")
    # ICS: lines fold at 75 octets with CRLF + space; commas and semicolons are escaped.
    unfolded = raw.replace("\r\n ", "").replace("\r\n\t", "")
    unescaped = (
        unfolded.replace("\\,", ",").replace("\\;", ";").replace("\\n", "\n").replace("\\N", "\n")
    )
    readable = html.unescape(unescaped)
    return [raw, readable, unquote_plus(readable)]


def secrets_for(viewer):
    """{description: value} that must never reach a visitor or a pending user."""
    from events.models import Event, Venue
    from network.models import Agency, AgencyContact, Area, Resource, User
    from pledges.models import Pledge

    public_values = set()
    for agency in Agency.objects.all():
        public_values |= {agency.public_email, agency.public_phone}
    for resource in Resource.objects.all():
        public_values |= {resource.email, resource.phone}
    area_names = set(Area.objects.values_list("name", flat=True))

    secrets = {}
    for venue in Venue.objects.all():
        for line in venue.address.splitlines():
            line = line.strip()
            # A town that is also a public area name (Birmingham) says nothing about the venue.
            if line and line not in area_names:
                secrets[f"address line of venue {venue.name!r}"] = line
        secrets[f"postcode of venue {venue.name!r}"] = venue.postcode
        secrets[f"postcode of venue {venue.name!r} (no space)"] = venue.postcode.replace(" ", "")
    for user in User.objects.all():
        if viewer is not None and user.pk == viewer.pk:
            continue  # a user's own account pages may show their own details
        secrets[f"email of user {user.pk}"] = user.email
        secrets[f"phone of user {user.pk}"] = user.phone
    for contact in AgencyContact.objects.select_related("agency"):
        secrets[f"email of contact {contact.name!r} ({contact.agency})"] = contact.email
        secrets[f"phone of contact {contact.name!r} ({contact.agency})"] = contact.phone
    for url in set(Event.objects.exclude(online_url="").values_list("online_url", flat=True)):
        secrets["an event's online joining link"] = url
    for pledge in Pledge.objects.filter(visibility="members"):
        secrets[f"text of members-only pledge {pledge.pk}"] = pledge.text.strip()[:60]
    return {
        what: value
        for what, value in secrets.items()
        if value and value not in public_values and len(value) >= 5
    }


def leaks_in(response, secrets):
    texts = texts_of(response)
    return sorted(
        f"{what}: {value!r}"
        for what, value in secrets.items()
        if any(value in text for text in texts)
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page_name", PAGE_NAMES)
def test_page_is_safe_for_role(request, sweep, page_name, role):
    """No 500; outsiders get a 404 or a redirect to log in; visitors see no private data."""
    page = build_page(page_name)
    if page.skip_reason:
        pytest.skip(page.skip_reason)
    _xfail_if_known(request, page_name, role)
    response = sweep.client(role).get(page.path)

    assert response.status_code < 500, f"{page.path} as {role}: {response.status_code}"
    if page.is_outsider(role):
        assert response.status_code == 404 or is_login_redirect(response), (
            f"{page.path} as outsider {role}: {response.status_code} {response.get('Location', '')}"
        )
    elif page_name in ("login", "signup") and role != "anonymous":
        assert response.status_code in (200, 302), f"{page.path} as {role}"
    elif page.access == "agency-members" and role == "officer":
        assert response.status_code in (200, 404), f"{page.path} as {role}"
    else:
        assert response.status_code == 200, (
            f"{page.path} as {role}: {response.status_code} {response.get('Location', '')}"
        )

    # The personal feed is the member's secret link, not a page a visitor can reach.
    if role in ("anonymous", "pending") and page.reachable_by_visitors():
        leaks = leaks_in(response, secrets_for(sweep.users[role]))
        assert not leaks, f"{page.path} shows {role} private data:\n" + "\n".join(leaks)


def test_leak_check_can_fail(sweep):
    """The leak check finds a secret when a page does show one (a member's venue view)."""
    page = build_page("event-detail")
    if page.skip_reason:
        pytest.skip(page.skip_reason)
    response = sweep.client("member").get(page.path)
    assert response.status_code == 200
    leaks = leaks_in(response, secrets_for(sweep.users["member"]))
    assert any("venue" in leak for leak in leaks), leaks


def test_personal_feed_is_404_after_the_token_is_regenerated(sweep):
    """An old personal link stops working at once: the capability is really revoked."""
    from events.models import CalendarToken

    page = build_page("personal-feed")
    if page.skip_reason:
        pytest.skip(page.skip_reason)
    CalendarToken.regenerate_for(sweep.users["member"])
    for role in ROLES:
        response = sweep.client(role).get(page.path)
        assert response.status_code == 404, f"{page.path} as {role}: {response.status_code}"


def test_demo_fixture_gives_a_client_per_role(demo):
    """The per-test demo fixture: each role's client is who it says it is."""
    expected = {"anonymous": 302, "pending": 404, "member": 200, "other_member": 404}
    for role, status in expected.items():
        response = demo.client(role).get("/agencies/west-midlands-police/edit/")
        assert response.status_code == status, role
    assert demo.users["officer"].is_officer
