"""Demo services survey: the list of services, and answers built from the December 2017
newsletter. Interpreting and health are left unanswered: real gaps to show."""

from network.models import Agency, Area
from survey.models import AgencyService, Service

C = Service.Category

# slug, name, category, description
SERVICES = [
    (
        "safe-accommodation",
        "Safe accommodation",
        C.ACCOMMODATION,
        "Safe and secure places to stay for adult victims, in and out of the NRM.",
    ),
    (
        "legal-advice",
        "Legal advice",
        C.LEGAL,
        "Compensation claims, public law, family law and referral for immigration advice.",
    ),
    (
        "substance-misuse-support",
        "Substance misuse support",
        C.SUBSTANCE,
        "Drug and alcohol support for victims of modern slavery.",
    ),
    (
        "childrens-services",
        "Children's services",
        C.CHILDREN,
        "Support for children suspected to have been trafficked, and for the professionals "
        "working with them.",
    ),
    ("interpreting", "Interpreting", C.INTERPRETING, "Interpreters for victims and agencies."),
    ("health", "Health care", C.HEALTH, "Access to primary, mental and sexual health care."),
    (
        "nrm-first-responder",
        "NRM first responder",
        C.NRM,
        "Refers potential victims into the National Referral Mechanism.",
    ),
    (
        "nrm-support",
        "NRM referral support",
        C.NRM,
        "Helps professionals complete the NRM and devise safety plans.",
    ),
    (
        "law-enforcement",
        "Law enforcement",
        C.ENFORCEMENT,
        "Investigation, rescue and intelligence.",
    ),
]

LOCAL_AREAS = ["birmingham", "coventry", "dudley", "sandwell", "solihull", "walsall"]
LOCAL_AREAS += ["wolverhampton"]
BLACK_COUNTRY = ["dudley", "sandwell", "walsall", "wolverhampton"]

# agency slug -> [(service slug, area slugs, notes)]
ANSWERS = {
    "barnardos": [
        (
            "childrens-services",
            LOCAL_AREAS,
            "Panel for Protection of Trafficked Children (PPTC) project workers.",
        ),
        ("nrm-support", LOCAL_AREAS, "24/7 support line for professionals: 0800 043 4303."),
    ],
    "the-salvation-army": [
        (
            "safe-accommodation",
            ["region-wide"],
            "Adult Victim of Modern Slavery Care and Coordination Services; 24-hour referral "
            "line 0300 303 8151.",
        ),
    ],
    "bailey-wright-co-solicitors": [
        (
            "legal-advice",
            ["birmingham"],
            "Compensation claims; Legal Aid contracts in Family Law, Human Trafficking and "
            "Public law.",
        ),
    ],
    "black-country-womens-aid": [
        ("safe-accommodation", BLACK_COUNTRY, ""),
        (
            "substance-misuse-support",
            BLACK_COUNTRY,
            "Researching drugs, alcohol and modern day slavery with The Salvation Army.",
        ),
    ],
    "west-midlands-police": [
        ("law-enforcement", ["region-wide"], "Force Intelligence Bureau takes intelligence."),
        ("nrm-first-responder", ["region-wide"], ""),
    ],
    "sandwell-council": [
        ("nrm-first-responder", ["sandwell"], ""),
    ],
}


def load_services(stdout):
    services = {}
    for order, (slug, name, category, description) in enumerate(SERVICES):
        services[slug], _ = Service.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "category": category,
                "description": description,
                "order": order,
            },
        )
    areas = {area.slug: area for area in Area.objects.all()}
    answer_count = 0
    for agency_slug, answers in ANSWERS.items():
        agency = Agency.objects.get(slug=agency_slug)
        for service_slug, area_slugs, notes in answers:
            answer, _ = AgencyService.objects.update_or_create(
                agency=agency, service=services[service_slug], defaults={"notes": notes}
            )
            answer.areas.set([areas[slug] for slug in area_slugs])
            answer_count += 1
    stdout.write(f"Demo services: {len(SERVICES)}; survey answers: {answer_count}")


def load(stdout):
    """The survey app's demo step."""
    load_services(stdout=stdout)
