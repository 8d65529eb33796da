"""The admin's forms are valid HTML where Django's own widgets were not (docs/quality.md).

The Nu checker (`make validate`) found, on the admin's change and add forms: autocomplete
selects with an empty option without a label, required autocomplete selects whose first
option is no placeholder (or with no option at all), `disabled` on the password hash's div,
a list inside a paragraph on the password page, `aria-describedby` on a hidden initial
value, labels for hidden inputs, and `aria-labelledby` on a div. These checks are the same
rules, fast.
"""

from html.parser import HTMLParser

import pytest

from tests.factories import (
    AgencyFactory,
    DraftIssueFactory,
    EventFactory,
    PendingMembershipFactory,
    PledgeFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


class Markup(HTMLParser):
    """The Nu checker's rules for options, required selects, divs and paragraphs."""

    def __init__(self):
        super().__init__()
        self.errors = []
        self.option = None  # (attrs, text) of the open option
        self.select = None  # (attrs, [options]) of the open select
        self.paragraph_open = False
        self.hidden_ids = set()
        self.label_fors = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden":
            self.hidden_ids.add(attrs.get("id"))
            if any(name.startswith("aria-") for name in attrs):
                self.errors.append(f"aria on hidden input {attrs.get('name')}")
        if tag == "label" and attrs.get("for"):
            self.label_fors.append(attrs["for"])
        if tag == "div" and "aria-labelledby" in attrs and "role" not in attrs:
            self.errors.append(f"aria-labelledby on div {attrs.get('class')}")
        if tag == "select":
            self.select = (attrs, [])
        elif tag == "option":
            self.option = (attrs, [])
        elif tag == "div" and "disabled" in attrs:
            self.errors.append(f"disabled on div {attrs.get('id')}")
        elif tag == "p":
            self.paragraph_open = True
        elif tag in {"ul", "ol", "div"} and self.paragraph_open:
            self.errors.append(f"{tag} inside a p")
            self.paragraph_open = False

    def handle_data(self, data):
        if self.option is not None:
            self.option[1].append(data)

    def handle_endtag(self, tag):
        if tag == "option" and self.option is not None:
            attrs, text = self.option
            if "label" not in attrs and not "".join(text).strip():
                name = self.select[0].get("name") if self.select else None
                self.errors.append(f"empty option without label in {name}")
            if self.select is not None:
                self.select[1].append(attrs)
            self.option = None
        elif tag == "select" and self.select is not None:
            attrs, options = self.select
            single = "multiple" not in attrs and int(attrs.get("size") or 1) <= 1
            if "required" in attrs and single:
                if not options:
                    self.errors.append(f"required select {attrs['name']} without option")
                elif options[0].get("value") != "":
                    self.errors.append(f"required select {attrs['name']} without placeholder")
            self.select = None
        elif tag == "p":
            self.paragraph_open = False


def markup_errors(html):
    parser = Markup()
    parser.feed(html)
    hidden_labelled = [f for f in parser.label_fors if f in parser.hidden_ids]
    return parser.errors + [f"label for hidden {name}" for name in hidden_labelled]


def autocomplete_selects(html):
    return html.count('class="admin-autocomplete"')


def test_the_rules_catch_what_the_checker_found():
    assert markup_errors(
        '<select name="a"><option value=""></option></select>'
        '<select name="b" required><option value="1" selected>One</option></select>'
        '<select name="c" required></select>'
        '<div id="d" disabled></div><p>Help<ul><li>x</li></ul></p>'
        '<input type="hidden" name="e" id="id_e" aria-describedby="e_help">'
        '<label for="id_e">E</label><div class="f" aria-labelledby="h"></div>'
    ) == [
        "empty option without label in a",
        "required select b without placeholder",
        "required select c without option",
        "disabled on div d",
        "ul inside a p",
        "aria on hidden input e",
        "aria-labelledby on div f",
        "label for hidden id_e",
    ]
    assert not markup_errors(
        '<select name="a"><option value="" label="---------"></option></select>'
        '<select name="b" required><option value="" label="---------"></option>'
        '<option value="1" selected>One</option></select>'
        '<select name="c" multiple required><option value="1">One</option></select>'
    )


def test_event_forms_autocomplete_selects_are_valid(officer_client):
    event = EventFactory(organiser=AgencyFactory())
    for url in ["/admin/events/event/add/", f"/admin/events/event/{event.pk}/change/"]:
        response = officer_client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert autocomplete_selects(html) >= 3, url  # venue, organiser, working group
        assert markup_errors(html) == [], url


def test_pledge_forms_autocomplete_selects_are_valid(officer_client):
    pledge = PledgeFactory()
    for url in ["/admin/pledges/pledge/add/", f"/admin/pledges/pledge/{pledge.pk}/change/"]:
        response = officer_client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert autocomplete_selects(html) >= 1, url  # the agency, required
        assert markup_errors(html) == [], url


def test_newsletter_section_autocomplete_selects_are_valid(officer_client):
    issue = DraftIssueFactory()
    section = SectionFactory(issue=issue, event=EventFactory(), agency=AgencyFactory())
    for url in [
        f"/admin/newsletters/issue/{issue.pk}/change/",  # the sections inline
        f"/admin/newsletters/section/{section.pk}/change/",
        "/admin/newsletters/section/add/",  # photos' and documents' kept uploads too
    ]:
        response = officer_client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert autocomplete_selects(html) >= 2, url  # agency, event
        assert markup_errors(html) == [], url


def test_user_change_and_password_forms_are_valid(officer_client):
    user = UserFactory()
    for url in [
        f"/admin/network/user/{user.pk}/change/",
        f"/admin/network/user/{user.pk}/password/",
    ]:
        response = officer_client.get(url)
        assert response.status_code == 200
        assert markup_errors(response.content.decode()) == [], url
    # The password page's help text holds Django's warning list, now outside a p.
    assert 'id="id_unusable_warning"' in response.content.decode()


def test_rsvp_forms_hidden_initial_answers_carry_no_aria(officer_client):
    """The answers (a JSON field with a callable default) keep a hidden initial value."""
    response = officer_client.get("/admin/events/rsvp/add/")
    html = response.content.decode()
    assert 'name="initial-answers"' in html
    assert markup_errors(html) == []


def test_membership_decision_box_is_a_labelled_section(officer_client):
    membership = PendingMembershipFactory()
    response = officer_client.get(f"/admin/network/membership/{membership.pk}/change/")
    html = response.content.decode()
    assert 'aria-labelledby="decision-heading"' in html
    assert markup_errors(html) == []


def test_autocomplete_selects_keep_select2s_empty_placeholder(officer_client):
    """select2 reads the option's text, not its label: the placeholder stays blank."""
    event = EventFactory(organiser=AgencyFactory())
    html = officer_client.get(f"/admin/events/event/{event.pk}/change/").content.decode()
    assert 'data-placeholder=""' in html
    assert '<option value="" label="---------"></option>' in html
    assert f'<option value="{event.venue.pk}" selected>{event.venue}</option>' in html
