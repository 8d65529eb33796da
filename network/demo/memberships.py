"""Demo memberships and named agency contacts; safe to run again."""

from django.utils import timezone

from network.demo.accounts import demo_user
from network.models import Agency, AgencyContact, Membership

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
