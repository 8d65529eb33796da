"""Demo data of the network app: accounts, agencies, memberships, resources, working groups."""

from allauth.account.models import EmailAddress
from django.utils import timezone

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

DEMO_PASSWORD = "wmasn-demo"

DEMO_ACCOUNTS = [
    {
        "email": "chair@example.org",
        "first_name": "Robin",
        "last_name": "Brierley (demo)",
        "officer": True,
    },
    {"email": "police@example.org", "first_name": "Khizra", "last_name": "Dhindsa (demo)"},
    {"email": "barnardos@example.org", "first_name": "Rachel", "last_name": "Hopper (demo)"},
    {"email": "pending@example.org", "first_name": "Pat", "last_name": "Pending (demo)"},
]


def demo_user(email):
    return User.objects.get(email=email)


def load_accounts(stdout):
    """The four demo accounts, each with a verified email address."""
    officers = officers_group()
    for account in DEMO_ACCOUNTS:
        is_officer = account.get("officer", False)
        user, created = User.objects.get_or_create(
            email=account["email"],
            defaults={
                "first_name": account["first_name"],
                "last_name": account["last_name"],
                "is_staff": is_officer,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if is_officer:
            user.groups.add(officers)
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    stdout.write(f"Demo accounts: {len(DEMO_ACCOUNTS)}")


AREAS = [
    ("Birmingham", "birmingham", False),
    ("Coventry", "coventry", False),
    ("Dudley", "dudley", False),
    ("Sandwell", "sandwell", False),
    ("Solihull", "solihull", False),
    ("Walsall", "walsall", False),
    ("Wolverhampton", "wolverhampton", False),
    ("Region-wide", "region-wide", True),
]

PUBLIC, PRIVATE, THIRD = Agency.Sector.PUBLIC, Agency.Sector.PRIVATE, Agency.Sector.THIRD

# name, slug, sector, areas (slugs), email domains, website, description
AGENCIES = [
    (
        "West Midlands Police",
        "west-midlands-police",
        PUBLIC,
        ["region-wide"],
        "west-midlands.police.uk",
        "https://www.west-midlands.police.uk/",
        "The police force for the West Midlands. Its Force Intelligence Bureau receives "
        "modern slavery intelligence, and it ran the 2017 services survey.",
    ),
    (
        "Sandwell Council",
        "sandwell-council",
        PUBLIC,
        ["sandwell"],
        "sandwell.gov.uk",
        "https://www.sandwell.gov.uk/",
        "The local authority for Sandwell; it runs the National Human Trafficking Awareness "
        "Day event, How well do we know our communities?",
    ),
    (
        "Public Health England",
        "public-health-england",
        PUBLIC,
        ["region-wide"],
        "",
        "https://www.gov.uk/government/organisations/public-health-england",
        "Public Health England in the West Midlands, in collaboration with whom the network "
        "publishes its newsletter.",
    ),
    (
        "National Crime Agency",
        "national-crime-agency",
        PUBLIC,
        ["region-wide"],
        "",
        "https://www.nationalcrimeagency.gov.uk/",
        "The national law enforcement agency leading the UK's fight against serious and "
        "organised crime, including human trafficking.",
    ),
    (
        "Barnardo's",
        "barnardos",
        THIRD,
        ["birmingham", "coventry", "dudley", "sandwell", "solihull", "walsall", "wolverhampton"],
        "",
        "https://www.barnardos.org.uk/",
        "Barnardo's West Midlands Panel for Protection of Trafficked Children (PPTC) supports "
        "trafficked children and chairs the multi-agency Operational PPTC. Its 24-hour "
        "support line advises professionals working with a child suspected to have been "
        "trafficked.",
    ),
    (
        "Black Country Women's Aid",
        "black-country-womens-aid",
        THIRD,
        ["dudley", "sandwell", "walsall", "wolverhampton"],
        "",
        "https://www.blackcountrywomensaid.co.uk/",
        "Supports survivors of abuse and exploitation across the Black Country, and with The "
        "Salvation Army commissioned research into drugs, alcohol and modern day slavery.",
    ),
    (
        "The Salvation Army",
        "the-salvation-army",
        THIRD,
        ["region-wide"],
        "",
        "https://www.salvationarmy.org.uk/modern-slavery",
        "Runs the Adult Victim of Modern Slavery Care and Coordination Services, with a "
        "24-hour referral line.",
    ),
    (
        "Bailey Wright & Co Solicitors",
        "bailey-wright-co-solicitors",
        PRIVATE,
        ["birmingham", "region-wide"],
        "",
        "https://www.baileywright.com/",
        "Solicitors assisting victims of human trafficking, slavery, servitude or compulsory "
        "labour with claims for compensation, with Legal Aid contracts in Family Law, Human "
        "Trafficking and Public law. Lexcel and Legal Aid Specialist Quality Mark accredited.",
    ),
    (
        "Human Trafficking Foundation",
        "human-trafficking-foundation",
        THIRD,
        ["region-wide"],
        "",
        "https://www.humantraffickingfoundation.org/",
        "Publishes the Trafficking Survivor Care Standards.",
    ),
    (
        "University of Nottingham",
        "university-of-nottingham",
        PUBLIC,
        ["region-wide"],
        "",
        "https://www.nottingham.ac.uk/",
        "Mapped anti-slavery partnerships across the UK for the Independent Anti-Slavery "
        "Commissioner.",
    ),
]


def load_agencies(stdout):
    areas = {}
    for order, (name, slug, region_wide) in enumerate(AREAS):
        areas[slug], _ = Area.objects.update_or_create(
            slug=slug, defaults={"name": name, "is_region_wide": region_wide, "order": order}
        )
    for name, slug, sector, area_slugs, domains, website, description in AGENCIES:
        agency, _ = Agency.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "sector": sector,
                "status": Agency.Status.ACTIVE,
                "email_domains": domains,
                "website": website,
                "description": description,
            },
        )
        agency.areas.set([areas[s] for s in area_slugs])
    stdout.write(f"Demo areas: {len(AREAS)}; agencies: {len(AGENCIES)}")


# email, agency slug, status
MEMBERSHIPS = [
    (
        "police@example.org",
        "west-midlands-police",
        Membership.Status.APPROVED,
        "Detective Sergeant",
    ),
    ("barnardos@example.org", "barnardos", Membership.Status.APPROVED, "Service manager"),
    ("pending@example.org", "sandwell-council", Membership.Status.PENDING, "Community safety"),
]

# agency slug, name, role, email, phone (Ofcom's drama numbers: 0121 496 0000-0999)
CONTACTS = [
    (
        "west-midlands-police",
        "Khizra Dhindsa (demo)",
        "Modern slavery coordinator",
        "modern.slavery@example.org",
        "0121 496 0101",
    ),
    (
        "west-midlands-police",
        "Force Intelligence Bureau (demo)",
        "Intelligence submissions",
        "fib@example.org",
        "0121 496 0102",
    ),
    (
        "barnardos",
        "Rachel Hopper (demo)",
        "PPTC service manager",
        "pptc@example.org",
        "0121 496 0201",
    ),
    (
        "sandwell-council",
        "Sam Patel (demo)",
        "Community safety officer",
        "community.safety@example.org",
        "0121 496 0301",
    ),
    (
        "the-salvation-army",
        "Jo Clarke (demo)",
        "Regional coordinator",
        "referrals@example.org",
        "0121 496 0401",
    ),
    (
        "black-country-womens-aid",
        "Amara Okafor (demo)",
        "Anti-trafficking lead",
        "bcwa.demo@example.org",
        "0121 496 0501",
    ),
]


def load_memberships(stdout):
    """The demo accounts' memberships from DESIGN.md, and named contacts on a few agencies."""
    officer = demo_user("chair@example.org")
    now = timezone.now()
    for email, slug, status, role in MEMBERSHIPS:
        approved = status == Membership.Status.APPROVED
        Membership.objects.update_or_create(
            user=demo_user(email),
            agency=Agency.objects.get(slug=slug),
            defaults={
                "status": status,
                "role": role,
                "decided_at": now if approved else None,
                "decided_by": officer if approved else None,
                "auto_approved": False,
                "ended_at": None,
            },
        )
    for order, (slug, name, role, email, phone) in enumerate(CONTACTS):
        AgencyContact.objects.update_or_create(
            agency=Agency.objects.get(slug=slug),
            name=name,
            defaults={"role": role, "email": email, "phone": phone, "order": order},
        )
    stdout.write(f"Demo memberships: {len(MEMBERSHIPS)}; agency contacts: {len(CONTACTS)}")


K = Resource.Kind

RESOURCES = [
    {
        "kind": K.HELPLINE,
        "title": "Modern Slavery Helpline",
        "description": "Confidential advice and reporting, any time of day or night.",
        "phone": "08000 121 700",
        "hours": "24 hours, 7 days a week",
    },
    {
        "kind": K.HELPLINE,
        "title": "Barnardo's 24/7 support line (PPTC)",
        "description": (
            "For any professional in the West Midlands who would like advice or support on "
            "responding to, or working with, a child suspected to have been trafficked. "
            "Project workers can help complete the NRM and devise safety plans."
        ),
        "phone": "0800 043 4303",
        "hours": "24 hours, 7 days a week",
    },
    {
        "kind": K.HELPLINE,
        "title": "The Salvation Army: general enquiries",
        "description": "Adult Victim of Modern Slavery Care and Coordination Services.",
        "phone": "0300 303 0547 / 0548",
        "hours": "Monday to Friday, 09:00 to 17:00",
    },
    {
        "kind": K.HELPLINE,
        "title": "The Salvation Army: referral and out of hours line",
        "description": "Adult Victim of Modern Slavery Care and Coordination Services.",
        "phone": "0300 303 8151",
        "hours": "24 hours",
    },
    {
        "kind": K.HELPLINE,
        "title": "Bailey Wright & Co Solicitors",
        "description": (
            "Branston Court, Branston Street, Birmingham B18 6BA.\n"
            "Claims for compensation for victims of human trafficking, slavery, servitude or "
            "compulsory labour; Legal Aid contracts in Family Law, Human Trafficking and "
            "Public law."
        ),
        "phone": "0121 270 1566",
    },
    {
        "kind": K.FORM,
        "title": "National Referral Mechanism (NRM) referral and assessment forms",
        "description": "Forms for first responders referring potential victims into the NRM.",
        "url": (
            "https://www.gov.uk/government/publications/"
            "human-trafficking-victims-referral-and-assessment-forms"
        ),
    },
    {
        "kind": K.FORM,
        "title": "Modern Slavery Act: Duty to Notify",
        "description": "Notify the Home Office of potential victims of modern slavery.",
        "url": (
            "https://www.gov.uk/government/publications/"
            "duty-to-notify-the-home-office-of-potential-victims-of-modern-slavery"
        ),
    },
    {
        "kind": K.FORM,
        "title": "Force Intelligence Bureau (FIB), West Midlands Police",
        "description": "Send modern slavery intelligence to the Force Intelligence Bureau.",
        "email": "fib@example.org",
    },
    {
        "kind": K.GUIDANCE,
        "title": "Human Trafficking Foundation: Trafficking Survivor Care Standards",
        "description": "Standards for the care of survivors of trafficking (2015).",
        "url": (
            "http://www.humantraffickingfoundation.org/sites/default/files/"
            "Trafficking%20Survivor%20Care%20Standards%202015.pdf"
        ),
    },
    {
        "kind": K.GUIDANCE,
        "title": "Anti-slavery partnerships across the UK",
        "description": "The University of Nottingham's map of anti-slavery partnerships.",
        "url": "http://iascmap.nottingham.ac.uk/",
    },
    {
        "kind": K.CONTACT,
        "title": "Chair, West Midlands Anti Slavery Network",
        "description": "Robin Brierley (demo contact).",
        "email": "chair@example.org",
    },
    {
        "kind": K.CONTACT,
        "title": "Network support",
        "description": "Meeting dates, venues and the newsletter (demo contact).",
        "email": "network-support@example.org",
    },
    {
        "kind": K.CONTACT,
        "title": "Network support: social media",
        "description": "Demo contact.",
        "email": "social-media@example.org",
    },
]


def load_resources(stdout):
    orders = {}
    for resource in RESOURCES:
        order = orders[resource["kind"]] = orders.get(resource["kind"], -1) + 1
        defaults = {
            "description": "",
            "phone": "",
            "url": "",
            "email": "",
            "hours": "",
            **{k: v for k, v in resource.items() if k not in ("kind", "title")},
            "order": order,
        }
        Resource.objects.update_or_create(
            kind=resource["kind"], title=resource["title"], defaults=defaults
        )
    stdout.write(f"Demo resources: {len(RESOURCES)}")


TASK_AND_FINISH = {
    "slug": "lead-agencies-point-of-rescue-nrm-pathway",
    "name": "Lead agencies at the point of rescue and the NRM victim care pathway",
    "purpose": (
        "The September 2017 table top exercise showed that we need to agree lead agencies at "
        "the point of victim rescue, and to understand the NRM process and the victim care "
        "pathway. This small task-and-finish group works on both and keeps the network "
        "updated on progress. New members are welcome."
    ),
}


def load_groups(stdout):
    group, _ = WorkingGroup.objects.update_or_create(
        slug=TASK_AND_FINISH["slug"],
        defaults={
            "name": TASK_AND_FINISH["name"],
            "purpose": TASK_AND_FINISH["purpose"],
            "lead_agency": Agency.objects.get(slug="west-midlands-police"),
            "status": WorkingGroup.Status.OPEN,
            "closed_at": None,
        },
    )
    GroupMembership.objects.get_or_create(group=group, user=demo_user("police@example.org"))
    stdout.write("Demo working groups: 1")


def load(stdout):
    """The network app's demo step: people and organisations first, as the others build on them."""
    for step in (load_accounts, load_agencies, load_memberships, load_resources, load_groups):
        step(stdout=stdout)
