"""Demo data for the network app: people, agencies, memberships, pledges, services, groups."""

from allauth.account.models import EmailAddress

from network.models import User
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
