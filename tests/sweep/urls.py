"""Every page of DESIGN.md's URL table, resolved against the demo data.

Pages are named statically (so tests can be parametrised at collection time) and resolved to
paths at run time, from the demo objects in the database. A page whose object is missing or
whose URL does not resolve yet (a feature still being built) comes back with a skip reason.
"""

from dataclasses import dataclass

from django.urls import Resolver404, resolve

# Who may see a page. Outsiders of a protected page get a 404 or a redirect to log in.
PUBLIC = "public"  # everyone
LOGIN = "login"  # any signed-in user
MEMBERS = "members"  # members and officers (members-only objects)
AGENCY_MEMBERS = "agency-members"  # members of the page's agency (officers: not asserted)
EDITORS = "editors"  # members of the page's agency, and officers
STAFF = "staff"  # network officers
TOKEN = "token"  # whoever holds the secret link (a capability URL)
NOBODY = "nobody"  # an object that does not exist: 404 for everyone

HTML, FEED, ICS, HEALTH = "html", "feed", "ics", "health"

POLICE = "west-midlands-police"
BARNARDOS = "barnardos"

# The demo roles, and the agency each is an approved member of.
ROLES = ["anonymous", "pending", "member", "other_member", "officer"]
ROLE_EMAILS = {
    "pending": "pending@example.org",
    "member": "police@example.org",
    "other_member": "barnardos@example.org",
    "officer": "chair@example.org",
}
ROLE_AGENCY = {"member": POLICE, "other_member": BARNARDOS}


@dataclass(frozen=True)
class PageSpec:
    name: str
    kind: str = HTML
    access: str = PUBLIC
    owner: str | None = None  # the agency slug whose members own the page's object


@dataclass(frozen=True)
class Page:
    name: str
    path: str | None
    kind: str
    access: str
    owner: str | None
    skip_reason: str | None = None

    def is_outsider(self, role):
        """True when `role` must get a 404 or a redirect to log in, never the page."""
        if self.access == PUBLIC or self.access == TOKEN:
            return False
        if self.access == NOBODY:
            return True
        if self.access == LOGIN:
            return role == "anonymous"
        if self.access == MEMBERS:
            return role in ("anonymous", "pending")
        if self.access == STAFF:
            return role != "officer"
        member_of_owner = ROLE_AGENCY.get(role) == self.owner
        if self.access == AGENCY_MEMBERS:
            return role != "officer" and not member_of_owner
        if self.access == EDITORS:
            return role != "officer" and not member_of_owner
        raise ValueError(self.access)

    def reachable_by_visitors(self):
        """Pages and feeds an anonymous visitor can fetch (the secret feed link is not)."""
        return self.access == PUBLIC


SPECS = [
    PageSpec("home"),
    PageSpec("login"),
    PageSpec("signup"),
    PageSpec("agency-list"),
    PageSpec("agency-police"),
    PageSpec("agency-barnardos"),
    PageSpec("agency-edit-police", access=AGENCY_MEMBERS, owner=POLICE),
    PageSpec("agency-edit-barnardos", access=AGENCY_MEMBERS, owner=BARNARDOS),
    PageSpec("membership", access=LOGIN),
    PageSpec("event-list"),
    PageSpec("event-detail"),
    PageSpec("event-ics", kind=ICS),
    PageSpec("calendar"),
    PageSpec("public-feed", kind=ICS),
    PageSpec("personal-feed", kind=ICS, access=TOKEN),
    PageSpec("personal-feed-bad-token", kind=ICS, access=NOBODY),
    PageSpec("pledge-list"),
    PageSpec("pledge-new", access=MEMBERS),
    PageSpec("pledge-police"),
    PageSpec("pledge-barnardos"),
    PageSpec("pledge-members-only", access=MEMBERS),
    PageSpec("pledge-edit-police", access=EDITORS, owner=POLICE),
    PageSpec("pledge-edit-barnardos", access=EDITORS, owner=BARNARDOS),
    PageSpec("pledge-edit-members-only", access=EDITORS),  # owner filled in at run time
    PageSpec("services"),
    PageSpec("group-list"),
    PageSpec("group-detail"),
    PageSpec("newsletter-list"),
    PageSpec("newsletter-issue"),
    PageSpec("newsletter-feed", kind=FEED),
    PageSpec("newsletter-subscribe"),
    PageSpec("newsletter-subscribe-sent"),
    PageSpec("resources"),
    PageSpec("action-list", access=MEMBERS),
    PageSpec("action-police", access=MEMBERS),
    PageSpec("decision-list", access=MEMBERS),
    PageSpec("privacy"),
    PageSpec("admin", access=STAFF),
    PageSpec("annual-report", access=STAFF),
    PageSpec("healthz", kind=HEALTH),
    # Not rows of the URL table, but pages with forms linked from it: the sweeps cover them too.
    PageSpec("services-edit-police", access=EDITORS, owner=POLICE),
    PageSpec("services-edit-barnardos", access=EDITORS, owner=BARNARDOS),
    PageSpec("account-data", kind=FEED, access=LOGIN),
    PageSpec("account-delete", access=LOGIN),
    PageSpec("reports-charts", access=STAFF),
]
PAGE_NAMES = [spec.name for spec in SPECS]
HTML_PAGE_NAMES = [spec.name for spec in SPECS if spec.kind == HTML]


def _first(queryset):
    obj = queryset.first()
    if obj is None:
        raise LookupError(f"no {queryset.model.__name__} in the demo data")
    return obj


def _event():
    from events.models import Event

    # An upcoming scheduled meeting with a venue shows the most: venue, RSVP form, links.
    event = Event.objects.upcoming().scheduled().filter(venue__isnull=False).first()
    return event or _first(Event.objects.all())


def _pledge(slug, visibility="public"):
    from pledges.models import Pledge

    return _first(Pledge.objects.filter(agency__slug=slug, visibility=visibility).order_by("pk"))


def _members_only_pledge():
    from pledges.models import Pledge

    return _first(Pledge.objects.filter(visibility="members").order_by("pk"))


def _personal_feed_path():
    from events.models import CalendarToken
    from network.models import User

    member = User.objects.get(email=ROLE_EMAILS["member"])
    token = CalendarToken.objects.filter(user=member).first() or CalendarToken.regenerate_for(
        member
    )
    return f"/calendar/{token.raw_token}.ics"


def _group_path():
    from network.models import WorkingGroup

    return f"/groups/{_first(WorkingGroup.objects.all()).slug}/"


def _issue_path():
    from newsletters.models import Issue

    return f"/newsletters/{_first(Issue.objects.published()).slug}/"


def _path_for(name):
    """The path of a page, and the agency owning its object (if it depends on the data)."""
    fixed = {
        "home": "/",
        "login": "/accounts/login/",
        "signup": "/accounts/signup/",
        "agency-list": "/agencies/",
        "agency-police": f"/agencies/{POLICE}/",
        "agency-barnardos": f"/agencies/{BARNARDOS}/",
        "agency-edit-police": f"/agencies/{POLICE}/edit/",
        "agency-edit-barnardos": f"/agencies/{BARNARDOS}/edit/",
        "membership": "/membership/",
        "event-list": "/events/",
        "calendar": "/calendar/",
        "public-feed": "/calendar.ics",
        "personal-feed-bad-token": "/calendar/not-a-real-token-0123456789abcdef.ics",
        "pledge-list": "/pledges/",
        "pledge-new": "/pledges/new/",
        "services": "/services/",
        "group-list": "/groups/",
        "newsletter-list": "/newsletters/",
        "newsletter-feed": "/newsletters/feed/",
        "newsletter-subscribe": "/newsletters/subscribe/",
        "newsletter-subscribe-sent": "/newsletters/subscribe/sent/",
        "resources": "/resources/",
        "action-list": "/actions/",
        "decision-list": "/decisions/",
        "privacy": "/privacy/",
        "admin": "/admin/",
        "healthz": "/healthz/",
        "services-edit-police": f"/services/{POLICE}/edit/",
        "services-edit-barnardos": f"/services/{BARNARDOS}/edit/",
        "account-data": "/account/data/",
        "account-delete": "/account/delete/",
    }
    if name in fixed:
        return fixed[name], None
    if name == "annual-report":
        from django.utils import timezone

        return f"/reports/{timezone.localdate().year}/", None
    if name == "reports-charts":
        return "/reports/", None
    if name == "event-detail":
        return f"/events/{_event().slug}/", None
    if name == "event-ics":
        return f"/events/{_event().slug}.ics", None
    if name == "personal-feed":
        return _personal_feed_path(), None
    if name == "pledge-police":
        return f"/pledges/{_pledge(POLICE).pk}/", None
    if name == "pledge-barnardos":
        return f"/pledges/{_pledge(BARNARDOS).pk}/", None
    if name == "pledge-members-only":
        return f"/pledges/{_members_only_pledge().pk}/", None
    if name == "pledge-edit-police":
        return f"/pledges/{_pledge(POLICE).pk}/edit/", None
    if name == "pledge-edit-barnardos":
        return f"/pledges/{_pledge(BARNARDOS).pk}/edit/", None
    if name == "pledge-edit-members-only":
        pledge = _members_only_pledge()
        return f"/pledges/{pledge.pk}/edit/", pledge.agency.slug
    if name == "group-detail":
        return _group_path(), None
    if name == "action-police":
        from actions.models import Action

        action = _first(Action.objects.open().filter(owner_agency__slug=POLICE).order_by("pk"))
        return f"/actions/{action.pk}/", None
    if name == "newsletter-issue":
        return _issue_path(), None
    raise KeyError(name)


def build_page(name):
    """Resolve one page against the database; needs the demo data loaded."""
    spec = next(spec for spec in SPECS if spec.name == name)
    try:
        path, owner = _path_for(name)
    except LookupError as error:
        return Page(name, None, spec.kind, spec.access, spec.owner, f"{name}: {error}")
    try:
        resolve(path)
    except Resolver404:
        reason = f"{name}: {path} does not resolve yet (feature not landed)"
        return Page(name, None, spec.kind, spec.access, spec.owner, reason)
    return Page(name, path, spec.kind, spec.access, owner or spec.owner)


def build_pages(names=PAGE_NAMES):
    return [build_page(name) for name in names]
