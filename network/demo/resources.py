"""Demo resources: the useful links and contacts from the December 2017 newsletter.
People's addresses are example.org ones, never the real ones in the seed."""

from network.models import Resource

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
