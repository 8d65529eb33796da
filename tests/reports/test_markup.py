"""The reports' markup holds together: every id once, every aria-labelledby names ids that
exist, and only on an element that may carry it (the Nu checker found 60 errors here)."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from reports.annual import set_published
from tests.reports.factories import YEAR, build_year

pytestmark = pytest.mark.django_db

# Elements whose implicit role (or none) may not be named by aria-labelledby without a role.
UNNAMEABLE = {"div", "span", "p", "b", "i", "code", "em", "strong", "sub", "sup"}


class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.labelled, self.unnameable = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if "aria-labelledby" in attrs:
            self.labelled.extend(attrs["aria-labelledby"].split())
            if tag in UNNAMEABLE and not attrs.get("role"):
                self.unnameable.append(tag)


def assert_markup_holds(html):
    parser = Ids()
    parser.feed(html)
    duplicates = {id_ for id_ in parser.ids if parser.ids.count(id_) > 1}
    assert not duplicates
    assert set(parser.labelled) <= set(parser.ids)
    assert not parser.unnameable


@pytest.fixture
def report_year(db):
    build_year()


def test_officer_reports_pages_have_unique_ids_and_sound_labels(report_year, officer_client):
    for url in [
        reverse("reports:charts"),
        f"{reverse('reports:charts')}?year={YEAR}",
        reverse("reports:report", kwargs={"year": YEAR}),
        reverse("reports:public-report", kwargs={"year": YEAR}),
        reverse("admin:index"),
    ]:
        response = officer_client.get(url)
        assert response.status_code == 200, url
        assert_markup_holds(response.content.decode())


def test_the_published_report_has_unique_ids_for_everyone(report_year, client_for_role, role):
    set_published(year=YEAR, published=True, by=None)
    response = client_for_role(role).get(reverse("reports:public-report", kwargs={"year": YEAR}))

    assert response.status_code == 200
    assert_markup_holds(response.content.decode())
