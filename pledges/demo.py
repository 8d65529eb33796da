"""Demo pledges: those made at the October 2017 conference for 2018, and this year's."""

import datetime as dt

from django.utils import timezone

from events.models import Event
from network.models import Agency, User
from pledges.models import Pledge, PledgeUpdate
from pledges.services import current_pledge_year

CONFERENCE_2017 = "anti-slavery-day-conference-2017"

S = Pledge.Status
PUBLIC, MEMBERS = Pledge.Visibility.PUBLIC, Pledge.Visibility.MEMBERS

# agency slug, text, status, visibility, [(date, note, status after, author email or None)]
PLEDGES_2018 = [
    (
        "barnardos",
        "Hold more partnership visits between the young people our Panel for Protection of "
        "Trafficked Children (PPTC) supports and West Midlands Police, so that trafficked "
        "children learn to trust the police.",
        S.ACHIEVED,
        PUBLIC,
        [
            (
                dt.date(2018, 3, 14),
                "Four young people visited a police station and met officers from the "
                "modern slavery team. They asked plenty of questions.",
                S.IN_PROGRESS,
                "barnardos@example.org",
            ),
            (
                dt.date(2018, 11, 28),
                "Six visits this year in all, with West Midlands Police and the National Crime "
                "Agency. Two more are planned for 2019.",
                S.ACHIEVED,
                "barnardos@example.org",
            ),
        ],
    ),
    (
        "black-country-womens-aid",
        "Complete, with The Salvation Army, our research into drugs, alcohol and modern day "
        "slavery, and share its findings with commissioners and drug and alcohol services.",
        S.ACHIEVED,
        PUBLIC,
        [
            (
                dt.date(2018, 5, 2),
                "Interviews with survivors in safe houses and in outreach are finished.",
                S.IN_PROGRESS,
                None,
            ),
            (
                dt.date(2018, 10, 18),
                "The report was presented at the Anti-Slavery Day conference and sent to "
                "every commissioner in the region.",
                S.ACHIEVED,
                None,
            ),
        ],
    ),
    (
        "the-salvation-army",
        "Help drug and alcohol providers understand modern slavery, so that victims in the "
        "care of the NRM can get treatment quickly.",
        S.NOT_ACHIEVED,
        PUBLIC,
        [
            (
                dt.date(2018, 12, 10),
                "We ran one training session, but the provider pathway we hoped for is not yet "
                "agreed. We will carry this into next year.",
                S.NOT_ACHIEVED,
                None,
            ),
        ],
    ),
    (
        "west-midlands-police",
        "Launch the Pan West Midlands Modern Slavery Policy and Procedure in January 2018 and "
        "brief every partner agency in the network on it.",
        S.ACHIEVED,
        PUBLIC,
        [
            (
                dt.date(2018, 1, 30),
                "The policy and procedure was launched at the January network meeting.",
                S.IN_PROGRESS,
                "police@example.org",
            ),
            (
                dt.date(2018, 9, 13),
                "Briefings have now been given to all member agencies.",
                S.ACHIEVED,
                "police@example.org",
            ),
        ],
    ),
    (
        "sandwell-council",
        "Run the National Human Trafficking Awareness Day event, How well do we know our "
        "communities?, on 11 January 2018, and follow it with a workshop for frontline staff.",
        S.ACHIEVED,
        PUBLIC,
        [
            (
                dt.date(2018, 1, 12),
                "Over 80 delegates from across the region took part in the awareness day.",
                S.IN_PROGRESS,
                None,
            ),
            (
                dt.date(2018, 6, 20),
                "The follow-up workshop for housing and licensing officers took place.",
                S.ACHIEVED,
                None,
            ),
        ],
    ),
    (
        "bailey-wright-co-solicitors",
        "Run free advice clinics for victims of trafficking and the professionals who support "
        "them, on claims for compensation.",
        S.ACHIEVED,
        PUBLIC,
        [
            (
                dt.date(2018, 7, 4),
                "Monthly clinics are running in Birmingham; referrals come through the network.",
                S.ACHIEVED,
                None,
            ),
        ],
    ),
]

# agency slug, text, status, visibility, [(days ago, note, status after, author email or None)]
PLEDGES_THIS_YEAR = [
    (
        "west-midlands-police",
        "Train every new response officer to recognise the signs of modern slavery and to use "
        "the Duty to Notify.",
        S.IN_PROGRESS,
        PUBLIC,
        [
            (
                30,
                "Two intakes of new officers have been trained so far.",
                S.IN_PROGRESS,
                "police@example.org",
            )
        ],
    ),
    (
        "barnardos",
        "Offer guidance on the National Referral Mechanism from our PPTC support line to "
        "every school safeguarding lead in the region.",
        S.ACHIEVED,
        PUBLIC,
        [
            (
                14,
                "Every local authority's schools have had the guidance.",
                S.ACHIEVED,
                "barnardos@example.org",
            )
        ],
    ),
    (
        "sandwell-council",
        "Visit, with the police, every car wash and nail bar licensed in Sandwell to check on "
        "the people working there.",
        S.IN_PROGRESS,
        MEMBERS,
        [
            (
                20,
                "A third of the premises have been visited; two referrals followed.",
                S.IN_PROGRESS,
                None,
            )
        ],
    ),
    (
        "the-salvation-army",
        "Give every member agency a named contact for the adult victim care referral line.",
        S.MADE,
        PUBLIC,
        [],
    ),
    (
        "national-crime-agency",
        "Share a quarterly picture of human trafficking trends in the region with network members.",
        S.IN_PROGRESS,
        MEMBERS,
        [(45, "The first quarterly briefing went to members.", S.IN_PROGRESS, None)],
    ),
    (
        "bailey-wright-co-solicitors",
        "Train the network's third-sector members on compensation claims for survivors.",
        S.ACHIEVED,
        PUBLIC,
        [(7, "Two training sessions were held, with 40 people attending.", S.ACHIEVED, None)],
    ),
]


def _at(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _load(agencies, year, rows, made_at, when):
    count = 0
    for slug, text, status, visibility, updates in rows:
        agency = agencies.get(slug)
        if agency is None:
            continue
        pledge, _ = Pledge.objects.update_or_create(
            agency=agency,
            year=year,
            text=text,
            defaults={"status": status, "visibility": visibility, "made_at": made_at},
        )
        count += 1
        for day, note, update_status, author_email in updates:
            author = User.objects.filter(email=author_email).first() if author_email else None
            update, _ = PledgeUpdate.objects.get_or_create(
                pledge=pledge, note=note, defaults={"status": update_status, "author": author}
            )
            # created_at is set on insert; give the demo update a plausible date.
            PledgeUpdate.objects.filter(pk=update.pk).update(created_at=when(day))
    return count


def load_pledges(stdout):
    agencies = {agency.slug: agency for agency in Agency.objects.all()}
    conference = Event.objects.filter(slug=CONFERENCE_2017).first()
    count = _load(agencies, 2018, PLEDGES_2018, conference, _at)

    today = timezone.localdate()
    year = current_pledge_year(today)
    start_of_year = dt.date(year, 1, 1)
    count += _load(
        agencies,
        year,
        PLEDGES_THIS_YEAR,
        None,
        lambda days_ago: _at(max(start_of_year, today - dt.timedelta(days=days_ago))),
    )
    linked = "linked to the 2017 conference" if conference else "no 2017 conference to link"
    stdout.write(f"Demo pledges: {count} ({linked})")


def load(stdout):
    """The pledges app's demo step."""
    load_pledges(stdout=stdout)
