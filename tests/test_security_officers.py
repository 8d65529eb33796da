"""Issue 24, item 2: officer powers outside /admin/ need MFA, through the admin's one rule.

An officer without an authenticator app used to be stopped at /admin/ but could download the
report's CSVs, publish the report and read every RSVP's address on event pages.
"""

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, SlugConverter

from events.registration.models import RegistrationSettings
from reports import annual
from tests.factories import (
    EventFactory,
    MembershipFactory,
    OfficerFactory,
    RSVPFactory,
)

pytestmark = pytest.mark.django_db

YEAR = 2018
ENROL = "/accounts/2fa/totp/activate/"
# Officer-only views outside the admin: each must be marked by wmasn.officers.officer_required.
KNOWN_OFFICER_VIEWS = {
    "reports:charts",
    "reports:report",
    "reports:report-csv",
    "reports:publish",
    "reports:record-coverage",
    "events:registrations",
    "events:badges",
    "events:registrations-csv",
    "events:attendance-csv",
    "events:feedback-csv",
}


@pytest.fixture
def mfa_required(settings):
    settings.WMASN_ADMIN_REQUIRES_MFA = True


@pytest.fixture
def officer_with_mfa(db):
    officer = OfficerFactory(email="secure.officer@example.org")
    Authenticator.objects.create(
        user=officer, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    client = Client()
    client.force_login(officer)
    return client


def officer_only_urls(event_slug="an-event"):
    """Every URL of the URLconf whose view is marked officer-only, with sample arguments (an
    event's pages name `event_slug`)."""
    samples = {IntConverter: YEAR, SlugConverter: "new-members"}

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and getattr(entry.callback, "officer_only", False):
                converters = getattr(entry.pattern, "converters", {})
                kwargs = {name: samples.get(type(c), "x") for name, c in converters.items()}
                if namespace == "events:" and "slug" in kwargs:
                    kwargs["slug"] = event_slug
                name = f"{namespace}{entry.name}"
                yield name, reverse(name, kwargs=kwargs)

    return dict(walk(get_resolver().url_patterns, ""))


def answer(response):
    return response.status_code, response.get("Location")


def test_every_known_officer_view_goes_through_the_one_rule():
    assert set(officer_only_urls()) >= KNOWN_OFFICER_VIEWS


def test_every_officer_url_answers_an_officer_without_mfa_as_the_admin_does(
    officer_client, mfa_required
):
    admin_answer = answer(officer_client.get("/admin/"))
    assert admin_answer == (302, ENROL)
    urls = officer_only_urls()
    assert urls
    for name, url in urls.items():
        response = officer_client.get(url)
        if response.status_code == 405:  # an action: POST only
            response = officer_client.post(url, {"published": "yes"})
        assert answer(response) == admin_answer, name


def test_every_officer_url_opens_for_an_officer_with_mfa(officer_with_mfa, mfa_required):
    event = EventFactory(kind="conference")
    RegistrationSettings.objects.create(event=event, is_open=True)
    for name, url in officer_only_urls(event.slug).items():
        response = officer_with_mfa.get(url)
        if response.status_code == 405:
            continue  # the actions are tested one by one below
        assert response.status_code == 200, name


def test_an_officer_without_mfa_cannot_download_members_names_and_emails(
    officer_client, mfa_required
):
    MembershipFactory(user__email="listed.member@example.org")
    response = officer_client.get(f"/reports/{YEAR}/new-members.csv")
    assert answer(response) == (302, ENROL)
    assert b"listed.member@example.org" not in response.content


def test_an_officer_without_mfa_cannot_publish_the_report(officer_client, mfa_required):
    response = officer_client.post(f"/reports/{YEAR}/publish/", {"published": "yes"})
    assert answer(response) == (302, ENROL)
    assert not annual.is_published(YEAR)


def test_an_officer_with_mfa_publishes_the_report(officer_with_mfa, mfa_required):
    response = officer_with_mfa.post(f"/reports/{YEAR}/publish/", {"published": "yes"})
    assert answer(response) == (302, f"/reports/{YEAR}/")
    assert annual.is_published(YEAR)


def test_an_officer_without_mfa_cannot_preview_an_unpublished_public_report(
    officer_client, officer_with_mfa, mfa_required
):
    assert officer_client.get(f"/reports/{YEAR}/public/").status_code == 404
    assert officer_with_mfa.get(f"/reports/{YEAR}/public/").status_code == 200


def test_the_report_for_each_role_with_mfa_required(client_for_role, role, mfa_required):
    response = client_for_role(role).get(f"/reports/{YEAR}/")
    expected = {
        "anonymous": (302, f"/accounts/login/?next=/reports/{YEAR}/"),
        "pending": (404, None),
        "other_member": (404, None),
        "member": (404, None),
        "officer": (302, ENROL),  # the role's officer has no authenticator app
    }[role]
    assert answer(response) == expected


def test_the_report_refuses_a_wrong_method_before_anything_else(officer_client, mfa_required):
    assert officer_client.post(f"/reports/{YEAR}/").status_code == 405


# The attendee list on an event page ----------------------------------------------------


@pytest.fixture
def answered_event(agency):
    event = EventFactory()
    RSVPFactory(event=event, user=MembershipFactory(user__email="going@example.org").user)
    return event


def test_an_officer_without_mfa_sees_no_attendee_addresses(
    officer_client, answered_event, mfa_required
):
    page = officer_client.get(answered_event.get_absolute_url()).content.decode()
    assert "going@example.org" not in page
    assert "All answers (officers)" not in page
    assert "set up two-factor authentication" in page


def test_an_officer_with_mfa_sees_every_answer(officer_with_mfa, answered_event, mfa_required):
    page = officer_with_mfa.get(answered_event.get_absolute_url()).content.decode()
    assert "going@example.org" in page


def test_with_mfa_not_required_officers_see_every_answer(officer_client, answered_event):
    page = officer_client.get(answered_event.get_absolute_url()).content.decode()
    assert "going@example.org" in page


def test_members_never_see_other_agencies_attendee_addresses(
    client_for_role, role, answered_event, mfa_required
):
    page = client_for_role(role).get(answered_event.get_absolute_url()).content.decode()
    assert "going@example.org" not in page, role
    assert "set up two-factor authentication" not in page or role == "officer"


# Officer powers on pages members share: an officer without MFA has a member's view --------


def officer_pages(other_agency):
    """Pages where only an officer's powers open something, and what opens."""
    from network.models import Agency
    from tests.factories import AgencyFactory, DraftIssueFactory, PledgeFactory

    proposed = AgencyFactory(slug="proposed-agency", status=Agency.Status.PROPOSED)
    return {
        "a proposed agency": f"/agencies/{proposed.slug}/",
        "another agency's services": f"/services/{other_agency.slug}/edit/",
        "another agency's pledge": f"/pledges/{PledgeFactory(agency=other_agency).pk}/edit/",
        "a draft newsletter issue": f"/newsletters/{DraftIssueFactory().slug}/",
    }


def test_an_officer_without_mfa_has_no_officer_powers_on_shared_pages(
    officer_client, officer_with_mfa, other_agency, mfa_required
):
    for what, url in officer_pages(other_agency).items():
        assert officer_client.get(url).status_code == 404, what
        assert officer_with_mfa.get(url).status_code == 200, what


def test_with_mfa_not_required_officers_keep_their_powers_on_shared_pages(
    officer_client, other_agency
):
    for what, url in officer_pages(other_agency).items():
        assert officer_client.get(url).status_code == 200, what
