"""Factories for every model; tests build the data they need and no more.

Sequence numbers are zero-padded, so that names sort as they were made ("Agency 00010" after
"Agency 00009") however many objects earlier tests made."""

import datetime as dt

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

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
from network.officers import officers_group
from newsletters.models import (
    Delivery,
    Issue,
    Section,
    SectionDocument,
    SectionImage,
    Subscriber,
)
from pledges.models import Pledge, PledgeUpdate
from survey.models import AgencyService, Service
from wmasn.uploads import validate_upload

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n:05d}@example.org")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """A verified primary address, as allauth records it (pass verified=False to skip)."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)
        if create:
            obj.save()


class OfficerFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def officers_group(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(officers_group())


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Area {n:05d}")
    slug = factory.Sequence(lambda n: f"area-{n:05d}")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n:05d}")
    slug = factory.Sequence(lambda n: f"agency-{n:05d}")
    sector = Agency.Sector.PUBLIC
    description = "An agency working against modern slavery."
    website = "https://agency.example.org/"


class AgencyContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgencyContact

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Faker("name", locale="en_GB")
    role = "Modern slavery lead"
    email = factory.Sequence(lambda n: f"contact{n:05d}@agency.example.org")
    phone = "0121 496 0000"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    status = Membership.Status.APPROVED
    decided_at = factory.LazyFunction(timezone.now)


class PendingMembershipFactory(MembershipFactory):
    status = Membership.Status.PENDING
    decided_at = None


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Meeting Room {n:05d}")
    address = "Lloyd House\nColmore Circus Queensway\nBirmingham"
    postcode = "B4 6NQ"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    kind = Event.Kind.NETWORK_MEETING
    title = factory.Sequence(lambda n: f"Network meeting {n:05d}")
    slug = factory.Sequence(lambda n: f"network-meeting-{n:05d}")
    description = "The network's regular meeting."
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    venue = factory.SubFactory(VenueFactory)


class RSVPFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RSVP

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    answer = RSVP.Answer.ATTENDING


def calendar_token_for(user):
    """Issue a personal feed token; returns (CalendarToken, raw secret)."""
    token = CalendarToken.regenerate_for(user)
    return token, token.raw_token


class PledgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pledge

    agency = factory.SubFactory(AgencyFactory)
    year = 2018
    text = "Train every front-line officer to spot the signs of modern slavery."
    status = Pledge.Status.MADE
    visibility = Pledge.Visibility.PUBLIC


class PledgeUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PledgeUpdate

    pledge = factory.SubFactory(PledgeFactory)
    note = "Half of the officers are trained."


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n:05d}")
    slug = factory.Sequence(lambda n: f"service-{n:05d}")
    category = Service.Category.OTHER


class AgencyServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgencyService

    agency = factory.SubFactory(AgencyFactory)
    service = factory.SubFactory(ServiceFactory)


class WorkingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingGroup

    name = factory.Sequence(lambda n: f"Task and finish group {n:05d}")
    slug = factory.Sequence(lambda n: f"task-and-finish-group-{n:05d}")
    purpose = "Agree lead agencies at the point of rescue."


class NetworkMemberFactory(UserFactory):
    """A user with an approved membership of a new agency."""

    @factory.post_generation
    def membership(obj, create, extracted, **kwargs):
        if create:
            MembershipFactory(user=obj)


class GroupMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMembership

    group = factory.SubFactory(WorkingGroupFactory)
    # Only members of the network join working groups.
    user = factory.SubFactory(NetworkMemberFactory)


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    kind = Resource.Kind.HELPLINE
    title = factory.Sequence(lambda n: f"Helpline {n:05d}")
    phone = "08000 121 700"


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue

    title = factory.Sequence(lambda n: f"Issue {n:05d}")
    slug = factory.Sequence(lambda n: f"issue-{n:05d}")
    issue_date = dt.date(2017, 12, 1)
    status = Issue.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))


class DraftIssueFactory(IssueFactory):
    status = Issue.Status.DRAFT
    publish_at = None


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    issue = factory.SubFactory(IssueFactory)
    heading = factory.Sequence(lambda n: f"Section {n:05d}")
    body = "Some **news** from the network."
    body_format = Section.BodyFormat.MARKDOWN


def add_photo(section, content=None, *, name="photo.jpg", alt_text="Delegates at the conference"):
    """A photo through the upload pipeline, as the admin stores one."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.files import jpeg_bytes

    image = SectionImage(section=section, alt_text=alt_text, consent_confirmed=True)
    image.set_upload(
        validate_upload(SimpleUploadedFile(name, content or jpeg_bytes((320, 240))), "image")
    )
    image.save()
    return image


def add_document(section, content=None, *, name="letter.pdf", title="The Commissioner's letter"):
    """A document through the upload pipeline, as the admin stores one."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.files import PDF_BYTES

    document = SectionDocument(section=section, title=title)
    document.set_upload(validate_upload(SimpleUploadedFile(name, content or PDF_BYTES), "document"))
    document.save()
    return document


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber

    name = factory.Sequence(lambda n: f"Supporter {n:05d}")
    email = factory.Sequence(lambda n: f"supporter{n:05d}@example.net")
    organisation = "Friends of the network"
    confirmed_at = factory.LazyFunction(timezone.now)


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    issue = factory.SubFactory(IssueFactory)
    email = factory.Sequence(lambda n: f"reader{n:05d}@example.org")


def personal_data_for(user, *, agency=None, count=1, label="Mine"):
    """Give a user some of everything the privacy export and account deletion cover:
    RSVPs, a calendar token, working groups, pledges, progress notes, newsletter sections,
    deliveries and an MFA authenticator. `label` marks the text so tests can find it."""
    from allauth.mfa.models import Authenticator

    agency = agency or AgencyFactory()
    for i in range(count):
        RSVPFactory(user=user, event__title=f"{label} meeting {i}")
        GroupMembershipFactory(user=user, group__name=f"{label} group {i}")
        pledge = PledgeFactory(agency=agency, created_by=user, text=f"{label} pledge {i}")
        PledgeUpdateFactory(pledge=pledge, author=user, note=f"{label} progress {i}")
        issue = IssueFactory(title=f"{label} issue {i}")
        SectionFactory(issue=issue, author=user, heading=f"{label} section {i}")
        DeliveryFactory(issue=issue, user=user, email=user.email, status=Delivery.Status.SENT)
    calendar_token_for(user)
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": f"{label}SECRET"}}
    )
    return agency


class ProvidedServiceFactory(AgencyServiceFactory):
    """A survey answer with its areas: ProvidedServiceFactory(areas=[birmingham])."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def areas(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.areas.set(extracted)


class ConferenceFactory(EventFactory):
    """An Anti-Slavery Day conference, by default on 18 October 2017 (pledges for 2018)."""

    kind = Event.Kind.CONFERENCE
    title = factory.Sequence(lambda n: f"Anti-Slavery Day conference {n:05d}")
    slug = factory.Sequence(lambda n: f"anti-slavery-day-conference-{n:05d}")
    starts_at = factory.LazyFunction(lambda: timezone.make_aware(dt.datetime(2017, 10, 18, 9, 30)))
