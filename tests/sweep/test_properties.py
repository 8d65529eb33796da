"""Property-based tests: forms and models take any input; what they refuse changes nothing,
what they accept is stored as it was cleaned, and no HTML they render can run a script.

In CI (CI=true) Hypothesis loads its "ci" profile: derandomised, the same examples every run."""

import contextlib
import datetime as dt
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from events.forms import RSVPForm
from events.models import RSVP, Event, Venue
from events.services import answer_event
from network.forms import AgencyContactFormSet, AgencyProfileForm, JoinAgencyForm, ProposeAgencyForm
from network.models import Agency, Area, Membership
from network.services import propose_agency, request_membership
from newsletters.markdown import render_markdown, sanitise
from pledges.forms import PledgeEditForm, PledgeForm, ProgressUpdateForm
from pledges.models import Pledge
from pledges.services import add_progress_update, edit_pledge, record_pledge
from survey.forms import AgencyServicesFormSet
from survey.models import AgencyService, Service
from tests.factories import (
    AgencyFactory,
    AreaFactory,
    EventFactory,
    MembershipFactory,
    OfficerFactory,
    PledgeFactory,
    ServiceFactory,
)
from wmasn.concurrency import version_of

SWEEP_SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

TRICKY = [
    "",
    " ",
    "-1",
    "0",
    "NaN",
    "inf",
    "99999999999999999999",
    "9223372036854775808",
    "2026-02-30",
    "31/31/2031",
    "yesterday",
    "\u202eevil\u202c",
    "a\u200db",
    "e\u0301\u0308",
    "\U0001f642",
    "nul\x00byte",
    "x" * 10_000,
    "<script>alert(1)</script>",
    "javascript:alert(1)",
]
# Any text (hypothesis never generates lone surrogates, which cannot be posted anyway),
# numbers as text, and the hostile values every form must turn into errors.
VALUE = st.one_of(
    st.text(max_size=300),
    st.sampled_from(TRICKY),
    st.integers().map(str),
)


# Models see values only after a form has cleaned them, and every form field rejects NUL
# bytes; model fields do not (see test_models_do_not_reject_nul_bytes_themselves).
MODEL_VALUE = st.one_of(
    st.text(alphabet=st.characters(exclude_characters="\x00"), max_size=300),
    st.sampled_from([value for value in TRICKY if "\x00" not in value]),
    st.integers().map(str),
)


def form_data(*names, _value=VALUE, **choices):
    """A POST-like dict: each field any value, or one of its real choices (drawn first, so
    that whole valid forms come up often enough for the accepted side to be checked)."""
    return st.fixed_dictionaries(
        {
            name: st.one_of(st.sampled_from(choices[name]), _value) if name in choices else _value
            for name in names
        }
    )


def model_data(*names, **choices):
    return form_data(*names, _value=MODEL_VALUE, **choices)


def outcome(accepted):
    """Say in Hypothesis's statistics (--hypothesis-show-statistics) which way it went."""
    event("accepted" if accepted else "refused")


def rows(queryset):
    """The rows as the database holds them, to compare before and after."""
    return list(queryset.order_by("pk").values())


class FormsTakeAnyInput(TestCase):
    """Each form answers any input with errors or a save; whatever it refuses changes nothing,
    and what it accepts is stored as it was cleaned (each example runs in its own
    transaction, so every example starts from the same data)."""

    @classmethod
    def setUpTestData(cls):
        cls.area = AreaFactory()
        cls.agency = AgencyFactory()
        cls.other_agency = AgencyFactory()
        cls.member = MembershipFactory(agency=cls.agency).user
        cls.officer = OfficerFactory()
        cls.event = EventFactory(starts_at=timezone.now() + dt.timedelta(days=7))
        cls.pledge = PledgeFactory(agency=cls.agency)
        cls.service = ServiceFactory()

    def ids(self):
        return [str(self.agency.pk), str(self.other_agency.pk), str(self.area.pk)]

    @SWEEP_SETTINGS
    @given(data=st.data())
    def test_agency_profile_form(self, data):
        values = data.draw(
            form_data(
                "description",
                "website",
                "public_email",
                "public_phone",
                "address",
                website=["", "https://example.org/about"],
                public_email=["", "office@example.org"],
            )
        )
        values["areas"] = data.draw(st.lists(st.one_of(st.just(str(self.area.pk)), VALUE)))
        agency = Agency.objects.get(pk=self.agency.pk)
        values["version"] = data.draw(st.one_of(st.just(version_of(agency)), VALUE))
        before = rows(Agency.objects.filter(pk=agency.pk)), list(agency.areas.all())
        form = AgencyProfileForm(values, instance=agency, saved=agency)
        outcome(form.is_valid() and form.still_current())
        if not (form.is_valid() and form.still_current()):
            assert (rows(Agency.objects.filter(pk=agency.pk)), list(agency.areas.all())) == before
            return
        form.save()
        saved = Agency.objects.get(pk=agency.pk)
        for name in ("description", "website", "public_email", "public_phone", "address"):
            assert getattr(saved, name) == form.cleaned_data[name]
        assert set(saved.areas.all()) == set(form.cleaned_data["areas"])

    @SWEEP_SETTINGS
    @given(data=st.data())
    def test_agency_contacts_formset(self, data):
        values = data.draw(
            form_data(
                "contacts-TOTAL_FORMS",
                "contacts-INITIAL_FORMS",
                "contacts-0-name",
                "contacts-0-role",
                "contacts-0-email",
                "contacts-0-phone",
                "contacts-0-order",
                "contacts-0-id",
                **{"contacts-TOTAL_FORMS": ["1", "2"], "contacts-INITIAL_FORMS": ["0"]},
            )
        )
        before = rows(self.agency.contacts.all())
        formset = AgencyContactFormSet(values, instance=self.agency, prefix="contacts")
        outcome(formset.is_valid())
        if not formset.is_valid():
            assert rows(self.agency.contacts.all()) == before
            return
        formset.save()
        stored = {(c.name, c.role, c.email, c.phone) for c in self.agency.contacts.all()}
        kept = [f.cleaned_data for f in formset.forms if f.has_changed()]
        assert stored == {(d["name"], d["role"], d["email"], d["phone"]) for d in kept}
        assert len(formset.forms) <= 20

    @SWEEP_SETTINGS
    @given(data=st.data())
    def test_join_agency_form(self, data):
        values = data.draw(form_data("agency", "role", agency=self.ids()))
        before = rows(Membership.objects.all())
        form = JoinAgencyForm(values, user=self.member)
        outcome(form.is_valid())
        if not form.is_valid():
            assert rows(Membership.objects.all()) == before
            return
        agency = form.cleaned_data["agency"]
        assert agency.pk in {self.agency.pk, self.other_agency.pk}
        try:
            request_membership(user=self.member, agency=agency, role=values["role"])
        except ValidationError:
            assert rows(Membership.objects.all()) == before
        else:
            assert Membership.objects.get(user=self.member, agency=agency).role == values["role"]
        # One membership per user and agency, whatever was posted.
        assert Membership.objects.filter(user=self.member).count() == len(
            set(Membership.objects.filter(user=self.member).values_list("agency", flat=True))
        )

    @SWEEP_SETTINGS
    @given(data=st.data())
    def test_propose_agency_form(self, data):
        values = data.draw(
            form_data(
                "name", "sector", "website", "description", "role", sector=Agency.Sector.values
            )
        )
        before = rows(Agency.objects.all()), rows(Membership.objects.all())
        form = ProposeAgencyForm(values)
        if form.is_valid():
            try:
                agency, membership = propose_agency(user=self.member, **form.cleaned_data)
            except ValidationError:
                pass
            else:
                outcome(True)
                assert agency.status == Agency.Status.PROPOSED
                assert agency.name == form.cleaned_data["name"].strip()
                assert (membership.user, membership.agency) == (self.member, agency)
                assert Agency.objects.count() == len(before[0]) + 1
                return
        outcome(False)
        assert (rows(Agency.objects.all()), rows(Membership.objects.all())) == before

    @SWEEP_SETTINGS
    @given(data=st.data())
    def test_pledge_form(self, data):
        values = data.draw(
            form_data(
                "agency",
                "year",
                "text",
                "visibility",
                "made_at",
                agency=self.ids(),
                made_at=[""],
                text=["We will train every front-line officer to spot the signs."],
                year=["2025", "2026", "2027"],
                visibility=Pledge.Visibility.values,
            )
        )
        user = data.draw(st.sampled_from([self.member, self.officer]))
        before = rows(Pledge.objects.all())
        form = PledgeForm(values, user=user, today=dt.date(2026, 6, 1))
        if form.is_valid():
            # A member pledges only for their own agency; an officer for any.
            assert user.is_officer or form.cleaned_data["agency"] == self.agency
            try:
                pledge = record_pledge(created_by=user, **form.cleaned_data)
            except ValidationError:
                pass
            else:
                outcome(True)
                stored = Pledge.objects.get(pk=pledge.pk)
                assert stored.agency == form.cleaned_data["agency"]
                assert stored.text == form.cleaned_data["text"].strip()
                assert stored.created_by == user
                return
        outcome(False)
        assert rows(Pledge.objects.all()) == before

    @SWEEP_SETTINGS
    @given(data=st.data())
    def test_pledge_edit_and_progress_forms(self, data):
        edit = data.draw(
            form_data(
                "text",
                "status",
                "visibility",
                status=Pledge.Status.values,
                visibility=Pledge.Visibility.values,
            )
        )
        pledge = Pledge.objects.get(pk=self.pledge.pk)
        edit["version"] = data.draw(st.one_of(st.just(version_of(pledge)), VALUE))
        before = rows(Pledge.objects.filter(pk=pledge.pk))
        form = PledgeEditForm(edit, instance=Pledge(pk=pledge.pk), saved=pledge)
        edited = False
        if form.is_valid() and form.still_current():
            cleaned = form.cleaned_data
            with contextlib.suppress(ValidationError):
                edit_pledge(
                    pledge=pledge,
                    text=cleaned["text"],
                    status=cleaned["status"],
                    visibility=cleaned["visibility"],
                )
                edited = True
        stored = Pledge.objects.get(pk=pledge.pk)
        outcome(edited)
        if edited:
            assert stored.text == form.cleaned_data["text"].strip()
            assert (stored.status, stored.visibility) == (
                form.cleaned_data["status"],
                form.cleaned_data["visibility"],
            )
        else:
            assert rows(Pledge.objects.filter(pk=pledge.pk)) == before

        update = data.draw(form_data("note", "status", status=Pledge.Status.values))
        updates_before = pledge.updates.count()
        form = ProgressUpdateForm(update)
        added = None
        if form.is_valid():
            with contextlib.suppress(ValidationError):
                added = add_progress_update(pledge=pledge, author=self.member, **form.cleaned_data)
        assert pledge.updates.count() == updates_before + (added is not None)
        if added is not None and form.cleaned_data["status"]:
            assert Pledge.objects.get(pk=pledge.pk).status == form.cleaned_data["status"]

    @SWEEP_SETTINGS
    @given(values=form_data("answer", answer=["attending", "apologies"]))
    def test_rsvp_form(self, values):
        form = RSVPForm(values, event=self.event)
        outcome(form.is_valid())
        if form.is_valid():
            answer_event(event=self.event, user=self.member, answer=form.cleaned_data["answer"])
            # The venue has room: the answer is recorded as given, once.
            rsvp = RSVP.objects.get(event=self.event, user=self.member)
            assert rsvp.answer == form.cleaned_data["answer"]
        else:
            assert not RSVP.objects.filter(event=self.event).exists()

    @SWEEP_SETTINGS
    @given(data=st.data())
    def test_services_survey_formset(self, data):
        values = data.draw(
            form_data(
                "services-TOTAL_FORMS",
                "services-INITIAL_FORMS",
                "services-0-service",
                "services-0-provided",
                "services-0-notes",
                **{
                    "services-TOTAL_FORMS": ["1", "2", "1000"],
                    "services-INITIAL_FORMS": ["0", "1"],
                    "services-0-service": [str(self.service.pk)],
                    "services-0-provided": ["on", ""],
                    "services-0-notes": ["Walk-in on Tuesdays"],
                },
            )
        )
        areas = data.draw(st.lists(st.one_of(st.just(str(self.area.pk)), VALUE)))
        answers = AgencyService.objects.filter(agency=self.agency)
        before = rows(answers)
        formset = AgencyServicesFormSet(
            {**values, "services-0-areas": areas},
            agency=self.agency,
            services=list(Service.objects.all()),
            areas=list(Area.objects.all()),
        )
        outcome(formset.is_valid())
        if not formset.is_valid():
            assert rows(answers) == before
            return
        formset.save()
        # What is stored is exactly what was answered: a provided service with its areas
        # and notes, and no answer for one not provided.
        for form in formset.forms:
            cleaned = form.cleaned_data
            answer = answers.filter(service_id=cleaned["service"]).first()
            assert (answer is not None) is bool(cleaned["provided"])
            if answer is not None:
                assert answer.notes == cleaned["notes"]
                assert {a.pk for a in answer.areas.all()} == {int(a) for a in cleaned["areas"]}


# --- The newsletter's Markdown sanitiser -----------------------------------------------------

DANGEROUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="java\u200bscript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](  javascript:alert(1) )",
    '<svg onload="alert(1)">',
    '<p onclick="alert(1)">hi</p>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "<!-- <script>alert(1)</script> -->",
    "`<script>`",
    "**bold** _em_ [ok](https://example.org)",
    "\n\n",
    "<",
    ">",
    '"',
]
MARKDOWN = st.lists(st.one_of(st.text(max_size=40), st.sampled_from(DANGEROUS)), max_size=8).map(
    "".join
)


class _Tags(HTMLParser):
    """Every tag and attribute of an HTML fragment, as a browser would see them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def assert_harmless(html):
    assert "<script" not in html.lower()
    parser = _Tags()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag not in ("script", "style", "iframe", "svg", "img", "object", "embed"), html
        for name, value in attrs:
            assert not name.lower().startswith("on"), html
            if name in ("href", "src") and value:
                scheme = "".join(value.split()).lower()
                assert not scheme.startswith(("javascript:", "data:", "vbscript:")), html


@SWEEP_SETTINGS
@given(text=MARKDOWN)
def test_markdown_sanitiser_lets_no_script_through(text):
    assert_harmless(sanitise(text))


@SWEEP_SETTINGS
@given(text=MARKDOWN)
def test_rendered_markdown_lets_no_script_through(text):
    from django.core.cache import cache

    cache.clear()  # the renderer caches by content; render for real every time
    assert_harmless(str(render_markdown(text)))


def test_the_harmless_check_can_fail():
    for html in ['<a href="javascript:alert(1)">x</a>', "<p onclick=x>", "<script>x</script>"]:
        try:
            assert_harmless(html)
        except AssertionError:
            continue
        raise AssertionError(f"assert_harmless let {html!r} through")


# --- Models: full_clean() with arbitrary values ----------------------------------------------

ANY_DATETIME = st.one_of(
    st.none(),
    st.datetimes(
        min_value=dt.datetime(1, 1, 2),
        max_value=dt.datetime(9999, 12, 30),
        timezones=st.just(dt.UTC),
    ),
)


class ModelsValidateAnyValue(TestCase):
    """Model.full_clean() turns any value into a ValidationError, never another exception;
    what it accepts the database stores and gives back unchanged."""

    @classmethod
    def setUpTestData(cls):
        cls.agency = AgencyFactory()

    def assert_only_validation_errors(self, instance):
        try:
            instance.full_clean()
        except ValidationError:
            outcome(False)
            return False
        outcome(True)
        return True

    def assert_stored_as_given(self, instance, values):
        instance.save()
        stored = type(instance).objects.get(pk=instance.pk)
        for name in values:
            assert getattr(stored, name) == getattr(instance, name), name

    @SWEEP_SETTINGS
    @given(
        values=model_data(
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
            name=["Walsall Council"],
            slug=["walsall-council"],
            sector=Agency.Sector.values,
            status=Agency.Status.values,
            website=["", "https://walsall.gov.uk"],
            public_email=["", "office@walsall.gov.uk"],
            email_domains=["", "walsall.gov.uk"],
        )
    )
    def test_agency(self, values):
        agency = Agency(**values)
        if self.assert_only_validation_errors(agency):
            self.assert_stored_as_given(agency, values)

    @SWEEP_SETTINGS
    @given(
        data=st.data(),
        values=model_data(
            "text",
            "status",
            "visibility",
            text=["We will train every front-line officer to spot the signs."],
            status=Pledge.Status.values,
            visibility=Pledge.Visibility.values,
        ),
    )
    def test_pledge(self, data, values):
        year = data.draw(st.one_of(st.just(2026), st.integers(), MODEL_VALUE))
        pledge = Pledge(agency=self.agency, year=year, **values)
        if self.assert_only_validation_errors(pledge):
            self.assert_stored_as_given(pledge, {**values, "year": year})

    @SWEEP_SETTINGS
    @given(
        values=model_data(
            "kind",
            "title",
            "slug",
            "description",
            "online_url",
            "registration_url",
            "status",
            "cancellation_reason",
            kind=Event.Kind.values,
            title=["Network meeting"],
            slug=["network-meeting-may"],
            online_url=["", "https://meet.example.org/room"],
            registration_url=[""],
            status=Event.Status.values,
            cancellation_reason=["", "The venue is closed."],
        ),
        starts_at=st.one_of(st.just(dt.datetime(2026, 5, 7, 9, tzinfo=dt.UTC)), ANY_DATETIME),
        ends_at=st.one_of(st.just(dt.datetime(2026, 5, 7, 11, tzinfo=dt.UTC)), ANY_DATETIME),
        deadline=st.one_of(st.none(), st.dates(), MODEL_VALUE),
    )
    def test_event(self, values, starts_at, ends_at, deadline):
        event = Event(
            starts_at=starts_at, ends_at=ends_at, registration_deadline=deadline, **values
        )
        if self.assert_only_validation_errors(event):
            self.assert_stored_as_given(event, {**values, "starts_at": 0, "ends_at": 0})
            # What full_clean() accepts, the database's constraints accept too.
            assert event.ends_at > event.starts_at
            assert event.status == "scheduled" or event.cancellation_reason

    @SWEEP_SETTINGS
    @given(values=model_data("name", "address", "postcode", "access_notes"))
    def test_venue(self, values):
        venue = Venue(host_agency=self.agency, **values)
        if self.assert_only_validation_errors(venue):
            self.assert_stored_as_given(venue, values)


@pytest.mark.django_db
def test_models_refuse_nul_bytes_before_the_database_does():
    """PostgreSQL cannot store a NUL byte: full_clean() says so as a ValidationError."""
    from network.models import Agency
    from newsletters.models import Section
    from pledges.models import Pledge

    venue = Venue(name="Room", address="1 Street", postcode="B1\x001AA")
    with pytest.raises(ValidationError) as raised:
        venue.full_clean()
    assert "postcode" in raised.value.message_dict

    agency = Agency(name="\x00", slug="nul-agency", sector="public")
    with pytest.raises(ValidationError) as raised:
        agency.full_clean()
    assert "name" in raised.value.message_dict

    for model, field in [(Pledge, "text"), (Section, "body")]:
        with pytest.raises(ValidationError) as raised:
            model(**{field: "a\x00b"}).full_clean()
        assert field in raised.value.message_dict
