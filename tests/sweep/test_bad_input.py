"""Bad input never hurts: every POST form on every page, as every role, with hostile values.

For each page × role the test GETs the page, parses each `<form method="post">`, and posts
variants of it (empty, oversized, wrong types, odd Unicode, malformed dates, forged ids,
the same submission twice). The answer is never a 500, and the data the role may not change
is the same afterwards. Each variant runs in its own savepoint, so the variants are independent.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import Resolver404, resolve

from tests.sweep.urls import (
    PAGE_NAMES,
    ROLE_AGENCY,
    ROLES,
    build_page,
)

# Every page for every role against the demo network: slow, so it runs once in CI (on
# PostgreSQL), like the browser and fault suites.
pytestmark = [pytest.mark.django_db, pytest.mark.sweep]

SKIPPED_ACTIONS = ("/accounts/logout/",)
SKIPPED_PAGES = {"admin"}  # officers' admin is covered by the admin tests
TEXTISH = {"text", "textarea", "email", "url", "search", "tel", "password"}

# (page, role): reason. Known failures for the lead; strict, so a fix shows up.
KNOWN_FAILURES = {}

SUMMARY = {
    "pages": set(),
    "roles": set(),
    "page_roles": set(),
    "forms": set(),
    "replays": set(),
    "posts": 0,
}


# --- Parsing the forms of a page -------------------------------------------------------------


@dataclass
class Field:
    name: str
    type: str
    values: list = field(default_factory=list)  # what a browser would submit as rendered
    options: list = field(default_factory=list)
    multiple: bool = False


@dataclass
class Form:
    method: str
    action: str | None
    fields: dict = field(default_factory=dict)
    buttons: list = field(default_factory=list)  # named submit buttons: (name, value)


class FormParser(HTMLParser):
    """Collects each form's action, fields (names, types, options, defaults) and buttons."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None
        self._option = None  # [value or None, text, selected]
        self._textarea = None

    def _add(self, name, type_, **kwargs):
        if name not in self._form.fields:
            self._form.fields[name] = Field(name, type_, **kwargs)
        return self._form.fields[name]

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form((a.get("method") or "get").lower(), a.get("action"))
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input":
            type_ = (a.get("type") or "text").lower()
            if type_ in ("submit", "image"):
                if name:
                    self._form.buttons.append((name, a.get("value", "")))
                return
            if not name or type_ in ("button", "reset", "file"):
                return
            if type_ in ("checkbox", "radio"):
                f = self._add(name, type_, multiple=type_ == "checkbox")
                value = a.get("value", "on")
                f.options.append(value)
                if "checked" in a:
                    f.values.append(value)
            else:
                self._add(name, type_, values=[a.get("value", "")])
        elif tag == "button":
            if (a.get("type") or "submit").lower() == "submit" and name:
                self._form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = self._add(name, "select", multiple="multiple" in a)
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "", "selected" in a]
        elif tag == "textarea" and name:
            self._textarea = self._add(name, "textarea", values=[""])

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data
        if self._textarea is not None:
            self._textarea.values[0] += data

    def _close_option(self):
        if self._option is not None and self._select is not None:
            value, text, selected = self._option
            value = text.strip() if value is None else value
            self._select.options.append(value)
            if selected:
                self._select.values.append(value)
        self._option = None

    def handle_endtag(self, tag):
        if tag == "option":
            self._close_option()
        elif tag == "select":
            self._close_option()
            if self._select is not None and not self._select.values and not self._select.multiple:
                options = self._select.options
                self._select.values = options[:1]  # a browser submits the first option
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # The HTML parser keeps the newline after <textarea>; a browser drops it.
            self._textarea.values[0] = self._textarea.values[0].removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self._form = None


def post_forms(html_text, page_path):
    """The page's POST forms as (absolute action path, Form), minus the log-out form."""
    parser = FormParser()
    parser.feed(html_text)
    found = []
    for form in parser.forms:
        if form.method != "post":
            continue
        action = urlparse(urljoin(page_path, form.action or page_path))
        if action.netloc and action.netloc != "testserver":
            continue
        path = action.path + (f"?{action.query}" if action.query else "")
        if action.path.startswith(SKIPPED_ACTIONS) or action.path.startswith("/admin/"):
            continue
        found.append((path, form))
    return found


# --- The data a role may not change ----------------------------------------------------------


@dataclass
class Scope:
    """Who is posting: fixed before the first POST, so the same rows are compared after."""

    user_id: int | None
    own_agency_ids: frozenset
    officer: bool
    user_ids: frozenset  # the accounts that existed before (a sign-up may add one)
    agency_ids: frozenset  # the agencies that existed before (a proposal may add one)


def scope_for(user):
    from network.models import Agency, Membership, User

    own = frozenset()
    if user is not None:
        own = frozenset(
            Membership.objects.approved().filter(user=user).values_list("agency_id", flat=True)
        )
    return Scope(
        user_id=user.pk if user else None,
        own_agency_ids=own,
        officer=bool(user and user.is_officer),
        user_ids=frozenset(User.objects.values_list("pk", flat=True)),
        agency_ids=frozenset(Agency.objects.values_list("pk", flat=True)),
    )


def _rows(queryset, *fields):
    return sorted(tuple(str(v) for v in row) for row in queryset.values_list(*fields))


def protected_state(scope):
    """{what: rows} for everything the posting role may not change."""
    from events.models import RSVP, CalendarToken, Event, Venue
    from network.models import (
        Agency,
        AgencyContact,
        Area,
        GroupMembership,
        Membership,
        Resource,
        User,
        WorkingGroup,
    )
    from newsletters.models import Issue, Section
    from pledges.models import Pledge, PledgeUpdate
    from survey.models import AgencyService, Service

    others = scope.agency_ids - scope.own_agency_ids
    other_users = scope.user_ids - {scope.user_id}
    state = {
        "agencies (other agencies')": _rows(
            Agency.objects.filter(pk__in=others),
            "pk",
            "name",
            "slug",
            "sector",
            "status",
            "description",
            "website",
            "public_email",
            "public_phone",
            "address",
            "email_domains",
            "proposed_by_id",
        ),
        "agency areas (other agencies')": _rows(
            Agency.areas.through.objects.filter(agency_id__in=others), "agency_id", "area_id"
        ),
        "agency contacts (other agencies')": _rows(
            AgencyContact.objects.filter(agency_id__in=others),
            "pk",
            "agency_id",
            "name",
            "role",
            "email",
            "phone",
            "order",
        ),
        "new agencies not proposed by this user": Agency.objects.exclude(pk__in=scope.agency_ids)
        .exclude(proposed_by_id=scope.user_id)
        .count()
        if scope.user_id
        else (Agency.objects.exclude(pk__in=scope.agency_ids).count()),
        "memberships (other users')": _rows(
            Membership.objects.filter(user_id__in=other_users),
            "pk",
            "user_id",
            "agency_id",
            "status",
            "role",
            "decided_at",
            "decided_by_id",
            "auto_approved",
            "ended_at",
        ),
        "users (other accounts)": _rows(
            User.objects.filter(pk__in=other_users),
            "pk",
            "email",
            "password",
            "is_active",
            "is_staff",
            "is_superuser",
            "first_name",
            "last_name",
            "phone",
            "job_title",
            "deleted_at",
        ),
        "group memberships of other users": _rows(
            GroupMembership.objects.filter(user_id__in=other_users),
            "pk",
            "group_id",
            "user_id",
            "show_in_calendar",
        ),
        "RSVPs of other users": _rows(
            RSVP.objects.exclude(user_id=scope.user_id), "pk", "event_id", "user_id", "answer"
        ),
        "calendar tokens of other users": _rows(
            CalendarToken.objects.exclude(user_id=scope.user_id), "user_id", "token_hash"
        ),
    }
    if not scope.officer:
        other_pledges = Pledge.objects.exclude(agency_id__in=scope.own_agency_ids)
        state |= {
            "pledges (other agencies')": _rows(
                other_pledges,
                "pk",
                "agency_id",
                "year",
                "text",
                "status",
                "visibility",
                "made_at_id",
                "created_by_id",
            ),
            "pledge updates (other agencies')": _rows(
                PledgeUpdate.objects.filter(pledge__in=other_pledges),
                "pk",
                "pledge_id",
                "note",
                "status",
                "author_id",
            ),
            "services survey (other agencies')": _rows(
                AgencyService.objects.exclude(agency_id__in=scope.own_agency_ids),
                "pk",
                "agency_id",
                "service_id",
                "notes",
                "areas",
            ),
            "events": _rows(
                Event.objects.all(),
                "pk",
                "kind",
                "title",
                "slug",
                "description",
                "starts_at",
                "ends_at",
                "all_day",
                "venue_id",
                "online_url",
                "organiser_id",
                "working_group_id",
                "status",
                "cancellation_reason",
                "sequence",
                "registration_url",
                "registration_deadline",
            ),
            "venues": _rows(Venue.objects.all(), "pk", "name", "address", "postcode"),
            "issues": _rows(
                Issue.objects.all(),
                "pk",
                "title",
                "slug",
                "issue_date",
                "summary",
                "status",
                "publish_at",
            ),
            "sections": _rows(
                Section.objects.all(), "pk", "issue_id", "order", "heading", "body", "agency_id"
            ),
            "working groups": _rows(
                WorkingGroup.objects.all(), "pk", "name", "slug", "purpose", "status"
            ),
            "resources": _rows(Resource.objects.all(), "pk", "title", "phone", "url", "email"),
            "services": _rows(Service.objects.all(), "pk", "name", "slug", "category"),
            "areas": _rows(Area.objects.all(), "pk", "name", "slug"),
        }
    return state


def checksum(state):
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def changes(before, after):
    return [what for what in before if before[what] != after[what]]


# --- The hostile variants --------------------------------------------------------------------

ODD_UNICODE = (
    "\u202eevil\u202c a\u200db e\u0301\u0308\u0327 \U0001f642\U0001f469\u200d\U0001f469\u200d"
    "\U0001f467 \ufdfd \u0000"[:-1]  # the NUL byte has a variant of its own
)
HUGE_ID = "9223372036854775808"  # one past the largest 64-bit integer


def _is_id_field(f):
    candidates = [*f.values, *f.options]
    return f.type in ("select", "radio", "hidden", "checkbox") and any(
        v.isdigit() for v in candidates
    )


def forged_ids(scope):
    """Ids of objects that belong to others: agencies, pledges, memberships, events."""
    from events.models import Event
    from network.models import Agency, Membership
    from pledges.models import Pledge

    ids = {
        "another agency's id": Agency.objects.exclude(pk__in=scope.own_agency_ids)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first(),
        "another agency's pledge id": Pledge.objects.exclude(agency_id__in=scope.own_agency_ids)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first(),
        "another user's membership id": Membership.objects.exclude(user_id=scope.user_id)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first(),
        "an event id": Event.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "a huge id": HUGE_ID,
    }
    return {what: str(pk) for what, pk in ids.items() if pk is not None}


PLAUSIBLE = {
    "email": "sweep@example.org",
    "url": "https://example.org/",
    "tel": "0121 496 0000",
    "number": "1",
    "date": "2026-03-01",
    "password": "wmasn-demo",
}


def plausible(f):
    """The field as rendered, with empty text filled in the way a person would."""
    if f.values and any(v.strip() for v in f.values):
        return list(f.values)
    if f.type in ("checkbox", "radio"):
        return f.options[:1]
    if f.type == "select":
        return [next((o for o in f.options if o), "")]
    if f.name == "csrfmiddlewaretoken" or f.type == "hidden":
        return list(f.values)
    return [PLAUSIBLE.get(f.type, "A sweep test value")]


def variants(form, scope):
    """(name, action override or None, data) for each hostile submission of one form."""
    fields = [f for f in form.fields.values() if f.name != "csrfmiddlewaretoken"]
    buttons = dict(form.buttons[:1])  # the first named submit button, as pressing Enter does

    def data(values_for):
        result = {}
        for f in form.fields.values():
            if f.name == "csrfmiddlewaretoken":
                result[f.name] = f.values
            else:
                value = values_for(f)
                if value is not None:
                    result[f.name] = value
        return result | buttons

    def default(f):
        return list(f.values)

    def all_fields(value):
        return lambda f: [value]

    def text_fields(value):
        return lambda f: [value] if f.type in TEXTISH else default(f)

    out = [
        ("empty", None, data(lambda f: [""] if f.type not in ("checkbox",) else None)),
        ("oversized 10,000", None, data(text_fields("Ab1 " * 2_500))),
        ("oversized 100,000", None, data(text_fields("x" * 100_000))),
        ("letters", None, data(all_fields("abc"))),
        ("minus one", None, data(all_fields("-1"))),
        ("huge number", None, data(all_fields("99999999999999999999"))),
        ("NaN", None, data(all_fields("NaN"))),
        ("odd Unicode", None, data(text_fields(ODD_UNICODE))),
        ("NUL byte", None, data(all_fields("nul\x00byte"))),
        ("date 2026-02-30", None, data(all_fields("2026-02-30"))),
        ("date 31/31/2031", None, data(all_fields("31/31/2031"))),
        ("date yesterday", None, data(all_fields("yesterday"))),
    ]
    if any(_is_id_field(f) for f in fields):
        for what, pk in forged_ids(scope).items():
            forged = data(lambda f, pk=pk: [pk] if _is_id_field(f) else default(f))
            out.append((f"forged field: {what}", None, forged))
    return out


def forged_actions(action, scope):
    """The form's own action with its ids or agency slug replaced by other people's."""
    from network.models import Agency

    out = []
    if re.search(r"/\d+/", action):
        for what, pk in forged_ids(scope).items():
            out.append((f"forged path: {what}", re.sub(r"/\d+/", f"/{pk}/", action, count=1)))
    own_slugs = Agency.objects.filter(pk__in=scope.own_agency_ids).values_list("slug", flat=True)
    other = Agency.objects.exclude(pk__in=scope.own_agency_ids).order_by("pk").first()
    for slug in own_slugs:
        if f"/{slug}/" in action and other is not None:
            out.append(
                (
                    f"forged path: {other.slug} for {slug}",
                    action.replace(f"/{slug}/", f"/{other.slug}/"),
                )
            )
    return out


# --- The tests -------------------------------------------------------------------------------


def _xfail_if_known(request, page_name, role):
    reason = KNOWN_FAILURES.get((page_name, role))
    if reason:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))


def _resolves(path):
    try:
        resolve(urlparse(path).path)
    except Resolver404:
        return False
    return True


class Poster:
    """Posts in savepoints and checks each answer and the protected data after it."""

    def __init__(self, client, scope, label):
        self.client = client
        self.scope = scope
        self.label = label
        self.baseline = protected_state(scope)
        self.failures = []

    def post(self, what, action, payloads):
        """Post each payload in turn (twice = a repeated submission), then roll back."""
        with transaction.atomic():
            for data in payloads:
                response = self.client.post(action, data)
                SUMMARY["posts"] += 1
                if response.status_code >= 500:
                    self.failures.append(
                        f"{self.label}: POST {action} [{what}] answered {response.status_code}"
                    )
                    break
            else:
                changed = changes(self.baseline, protected_state(self.scope))
                if changed:
                    self.failures.append(
                        f"{self.label}: POST {action} [{what}] changed {', '.join(changed)}"
                    )
            transaction.set_rollback(True)
        return response


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page_name", [name for name in PAGE_NAMES if name not in SKIPPED_PAGES])
def test_forms_survive_bad_input(request, sweep, page_name, role):
    page = build_page(page_name)
    if page.skip_reason:
        pytest.skip(page.skip_reason)
    _xfail_if_known(request, page_name, role)
    client = sweep.client(role)
    response = client.get(page.path)
    assert response.status_code < 500
    SUMMARY["pages"].add(page_name)
    SUMMARY["roles"].add(role)
    SUMMARY["page_roles"].add((page_name, role))
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return
    forms = post_forms(response.content.decode(), page.path)
    scope = scope_for(sweep.users[role])
    poster = Poster(client, scope, f"{page_name} as {role}")
    for action, form in forms:
        if not _resolves(action):
            continue
        SUMMARY["forms"].add((page_name, role, action, tuple(sorted(form.fields))))
        for what, _override, data in variants(form, scope):
            poster.post(what, action, [data])
        defaults = {f.name: list(f.values) for f in form.fields.values() if f.values} | dict(
            form.buttons[:1]
        )
        valid_looking = {f.name: plausible(f) for f in form.fields.values()}
        valid_looking = {k: v for k, v in valid_looking.items() if v} | dict(form.buttons[:1])
        poster.post("repeated submission", action, [valid_looking, valid_looking])
        for what, forged_action in forged_actions(action, scope):
            poster.post(what, forged_action, [defaults])
    assert not poster.failures, "\n".join(poster.failures)


def _insider_for(page):
    """The role that sees a page's forms: a member of its agency, else the officer."""
    for role, slug in ROLE_AGENCY.items():
        if page.owner == slug:
            return role
    return "member" if page.access in ("public", "login") else "officer"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page_name", [name for name in PAGE_NAMES if name not in SKIPPED_PAGES])
def test_outsiders_cannot_replay_insiders_forms(request, sweep, page_name, role):
    """A form an insider sees, posted by someone who is not shown it, changes nothing."""
    page = build_page(page_name)
    if page.skip_reason:
        pytest.skip(page.skip_reason)
    insider = _insider_for(page)
    if role == insider:
        pytest.skip("the insider's own forms are covered by test_forms_survive_bad_input")
    _xfail_if_known(request, page_name, role)
    response = sweep.client(insider).get(page.path)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return
    own = sweep.client(role).get(page.path)
    own_actions = set()
    if own.status_code == 200 and "html" in own.get("Content-Type", ""):
        own_actions = {action for action, _ in post_forms(own.content.decode(), page.path)}
    client = sweep.client(role)
    scope = scope_for(sweep.users[role])
    poster = Poster(client, scope, f"{page_name}: {insider}'s form posted as {role}")
    for action, form in post_forms(response.content.decode(), page.path):
        if action in own_actions or not _resolves(action):
            continue
        SUMMARY["replays"].add((page_name, role, action, tuple(sorted(form.fields))))
        data = {f.name: list(f.values) for f in form.fields.values() if f.values}
        data |= dict(form.buttons[:1])
        answer = poster.post("insider's form replayed", action, [data])
        if page.is_outsider(role) and answer.status_code < 500:
            location = answer.get("Location", "")
            assert answer.status_code in (400, 403, 404, 405) or (
                answer.status_code == 302 and urlparse(location).path == "/accounts/login/"
            ), f"{page_name}: {insider}'s form {action} as {role}: {answer.status_code} {location}"
    assert not poster.failures, "\n".join(poster.failures)


def test_the_snapshot_sees_a_forbidden_change(sweep):
    """The protected-data check can fail: another agency's edited pledge is noticed."""
    from pledges.models import Pledge

    scope = scope_for(sweep.users["member"])
    before = protected_state(scope)
    pledge = Pledge.objects.exclude(agency_id__in=scope.own_agency_ids).first()
    Pledge.objects.filter(pk=pledge.pk).update(text="Changed by someone else")
    assert changes(before, protected_state(scope)) == ["pledges (other agencies')"]
    assert checksum(before) != checksum(protected_state(scope))


def test_the_parser_reads_every_kind_of_field():
    html_text = """
      <form method="post" action="save/">
        <input type="hidden" name="csrfmiddlewaretoken" value="tok">
        <input name="title" value="A &amp; B">
        <input type="checkbox" name="areas" value="1" checked>
        <input type="checkbox" name="areas" value="2">
        <input type="radio" name="answer" value="attending">
        <input type="radio" name="answer" value="apologies">
        <select name="agency">
          <option value="">---</option><option value="7" selected>Police</option>
        </select>
        <textarea name="text">
Hello</textarea>
        <button type="submit" name="action" value="join">Join</button>
      </form>
      <form method="post" action="/accounts/logout/"><button>Log out</button></form>
      <form method="get"><input name="q"></form>
    """
    [(action, form)] = post_forms(html_text, "/agencies/x/")
    assert action == "/agencies/x/save/"
    assert form.fields["title"].values == ["A & B"]
    assert form.fields["areas"].options == ["1", "2"] and form.fields["areas"].values == ["1"]
    assert form.fields["answer"].options == ["attending", "apologies"]
    assert form.fields["agency"].values == ["7"] and form.fields["agency"].options == ["", "7"]
    assert form.fields["text"].values == ["Hello"]
    assert form.buttons == [("action", "join")]


# --- NUL bytes: a 400 before any view, for every page and role ------------------------------

# The load balancer's health check is answered before anything reads the query.
NUL_EXEMPT_PAGES = {"healthz"}


def _with_query(path, query):
    return f"{path}{'&' if '?' in path else '?'}{query}"


def assert_nul_refused(response, what):
    assert response.status_code == 400, f"{what}: {response.status_code}"
    assert response["Content-Type"] == "text/plain; charset=utf-8", what
    assert b"null character" in response.content, what
    assert len(response.content) < 200, what


@pytest.mark.parametrize("role", ROLES)
def test_a_nul_byte_in_any_query_parameter_is_a_400_on_every_page(sweep, role):
    client = sweep.client(role)
    pages = [build_page(name) for name in PAGE_NAMES if name not in NUL_EXEMPT_PAGES]
    checked = 0
    for page in pages:
        if page.skip_reason:
            continue
        for query in ("q=%00", "q=a%00b", "page=1&year=%002026", "%00=1", "x%00y=", "q=%C0%00"):
            response = client.get(_with_query(page.path, query))
            assert_nul_refused(response, f"GET {page.path}?{query} as {role}")
            checked += 1
    assert checked >= 40 * 6, "nearly every page of the URL table was tried"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "path",
    [
        "/membership/?q=%00",  # issue 24, item 7
        "/membership/agencies/?q=%00",  # issue 24, item 7
        "/agencies/?q=%00",
        "/events/?q=%00&page=2",
        "/pledges/?year=%00",
        "/services/?service=%00&area=x",
        "/newsletters/?page=%00",
        "/admin/network/agency/?q=%00",  # an admin changelist search
        "/admin/events/event/?q=police%00",
        "/agencies/%00/",  # and in the path itself
        "/events/meeting%00.ics",
    ],
)
def test_the_searches_of_issue_24_are_a_400_for_every_role(sweep, role, path):
    assert_nul_refused(sweep.client(role).get(path), f"GET {path} as {role}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/membership/", "action=propose&propose-name=Agency%00&csrfmiddlewaretoken=x"),
        ("/membership/", "action%00=join"),
        ("/newsletters/subscribe/", "name=A%00&email=a%40example.org"),
        ("/accounts/login/", "login=police%40example.org&password=%00"),
        ("/admin/network/agency/", "action=delete_selected&_selected_action=1&q=%00"),
    ],
)
def test_a_nul_byte_in_a_urlencoded_form_is_a_400_for_every_role(sweep, role, path, data):
    client = sweep.client(role)
    response = client.post(path, data, content_type="application/x-www-form-urlencoded")
    assert_nul_refused(response, f"POST {path} {data} as {role}")


def test_a_nul_byte_in_a_multipart_form_is_left_to_the_form(sweep):
    """Multipart bodies are not parsed before the CSRF check: the form itself refuses NUL."""
    client = sweep.client("member")
    response = client.post(
        "/membership/", {"action": "propose", "propose-name": "Agency\x00", "propose-sector": ""}
    )
    assert response.status_code in (200, 400)
    assert "Null characters are not allowed." in response.content.decode()


def test_ordinary_searches_still_work(sweep):
    client = sweep.client("member")
    assert client.get("/membership/?q=barnardo").status_code == 200
    assert b"Barnardo" in client.get("/membership/agencies/?q=barnardo").content
    assert client.get("/events/?q=meeting").status_code == 200


def test_zz_write_summary():
    """Write the coverage figures of this module's run to var/sweep-summary.json."""
    summary = {
        "pages": len(SUMMARY["pages"]),
        "roles": len(SUMMARY["roles"]),
        "page_role_pairs": len(SUMMARY["page_roles"]),
        "forms_posted_by_role_that_sees_them": len(SUMMARY["forms"]),
        "distinct_forms": len({(p, a, f) for p, _r, a, f in SUMMARY["forms"]}),
        "insiders_forms_replayed_by_outsiders": len(SUMMARY["replays"]),
        "posts": SUMMARY["posts"],
        "form_actions": sorted({f"{p}: {a}" for p, _r, a, _f in SUMMARY["forms"]}),
    }
    out = Path(settings.BASE_DIR) / "var" / "sweep-summary.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print("bad-input sweep:", summary)
