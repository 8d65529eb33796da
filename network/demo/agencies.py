"""Demo areas and the agencies named in the December 2017 newsletter."""

from network.models import Agency, Area

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
