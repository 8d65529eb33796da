"""The demo December 2017 issue: complete, published, linked, safe, and loadable twice."""

import datetime as dt
from io import StringIO

import pytest
from django.utils import timezone

from events.models import Event
from network.demo import load_agencies
from newsletters.demo import AWARENESS_DAY_SLUG, SECTIONS, load_newsletters
from newsletters.models import Issue, Section
from tests.factories import EventFactory


@pytest.fixture
def demo(db):
    load_agencies(stdout=StringIO())
    EventFactory(
        title="National Human Trafficking Awareness Day",
        slug=AWARENESS_DAY_SLUG,
        kind=Event.Kind.AWARENESS_DAY,
        starts_at=timezone.make_aware(dt.datetime(2018, 1, 11, 9)),
    )
    load_newsletters(stdout=StringIO())
    return Issue.objects.get(slug="december-2017")


def test_demo_issue_is_published_in_december_2017(demo):
    assert demo.is_published
    assert timezone.localtime(demo.publish_at).date() == dt.date(2017, 12, 15)
    assert demo.sections.count() == len(SECTIONS) >= 10


def test_demo_is_idempotent(demo):
    load_newsletters(stdout=StringIO())
    assert Issue.objects.count() == 1
    assert Section.objects.count() == len(SECTIONS)


def test_demo_sections_link_agencies_and_the_event(demo):
    linked = {s.agency.slug for s in demo.sections.exclude(agency=None)}
    assert {"barnardos", "black-country-womens-aid", "sandwell-council"} <= linked
    assert demo.sections.get(event__slug=AWARENESS_DAY_SLUG)


def test_demo_uses_no_real_personal_addresses_or_the_password(demo):
    text = "\n".join(demo.sections.values_list("body", flat=True))
    assert "MSSandwell18" not in text
    for real in [
        "@westmidlandsantislavery.org",
        "@sandwell.gov.uk",
        "@barnardos.org.uk",
        "@baileywright.com",
        "pnn.police.uk",
    ]:
        assert real not in text
    assert "donna.pryor@example.org" in text


def test_demo_issue_page_renders_in_full(anon_client, demo):
    body = anon_client.get(demo.get_absolute_url()).content.decode()
    for expected in [
        "Welcome to our final newsletter of 2017",
        "Identify religious and socio-cultural modifiers of behaviour</li>",
        "http://iascmap.nottingham.ac.uk/",
        "0800 043 4303",
        "Thursday 15 November",
        "<blockquote>",
    ]:
        assert expected in body
    assert 'href="/agencies/barnardos/"' in body


def test_demo_issue_has_two_photos_with_alt_text_and_a_valid_pdf(demo, anon_client):
    from newsletters.models import SectionDocument, SectionImage

    photos = SectionImage.objects.filter(section__issue=demo)
    assert photos.count() == 2
    for photo in photos:
        assert len(photo.alt_text) > 20 and photo.consent_confirmed
        assert photo.web_width == 1200 and photo.email_width == 1120
        assert anon_client.get(photo.get_absolute_url()).status_code == 200
    [pdf] = SectionDocument.objects.filter(section__issue=demo)
    content = pdf.file.read()
    assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
    offset = int(content.rsplit(b"startxref", 1)[1].split()[0])
    assert content[offset:].startswith(b"xref"), "the cross-reference table is where it says"
    assert pdf.label.startswith("PDF, ")
    page = anon_client.get(demo.get_absolute_url()).content.decode()
    assert page.count('<figure class="newsletter-photo') == 2
    assert "The Commissioner's letter to the Minister (summary)" in page.replace("&#x27;", "'")


def test_demo_files_are_made_once(demo):
    from newsletters.models import SectionDocument, SectionImage

    load_newsletters(stdout=StringIO())
    assert SectionImage.objects.count() == 2
    assert SectionDocument.objects.count() == 1
