"""Demo newsletter: the December 2017 issue from the seed, section by section, in Markdown.

People's addresses are example.org stand-ins, never the real ones in the seed.
"""

import datetime as dt
import io
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from events.models import Event
from network.models import Agency
from wmasn.uploads import validate_upload

from .models import Issue, Section, SectionDocument, SectionImage

LONDON = ZoneInfo("Europe/London")
AWARENESS_DAY_SLUG = "national-human-trafficking-awareness-day-2018"

ISSUE = {
    "slug": "december-2017",
    "title": "December 2017",
    "issue_date": dt.date(2017, 12, 15),
    "publish_at": dt.datetime(2017, 12, 15, 9, 0, tzinfo=LONDON),
    "summary": (
        "Our final newsletter of 2017: the year in review, reform of the National Referral "
        "Mechanism, mapping anti-slavery partnerships, Sandwell's awareness day, Barnardo's "
        "PPTC, new research on drugs, alcohol and modern day slavery, useful contacts and "
        "the 2018 meeting dates. In collaboration with Public Health England in the West "
        "Midlands."
    ),
}

WELCOME = """\
This year has again seen us all achieve so much including the production of a **Pan West \
Midlands Modern Slavery Policy and Procedure**, a Modern Slavery table top exercise and a Modern \
Slavery conference on Anti-Slavery Day. Moreover, all network members have consistently \
enhanced the response to the many aspects of modern slavery and we have ensured that the \
victim is put at the centre of all our work. The Modern Slavery Policy and Procedure will be \
officially launched in January 2018 (details to be confirmed). I wouldn't want to mistakenly \
leave any person or agency out by listing them, but we have all seen the dedication and \
passion by so many people over the past year, and that's from all three sectors: public, \
private and third.

Thank you for continuing to support the West Midlands Anti Slavery Network by attending our \
meetings and/or all the work in between. We are extremely grateful for the help we have had \
from meeting venue providers in 2017 too.

The table top exercise in September was an excellent event and has highlighted some key \
areas we need to address, including identifying lead agencies at the point of victim rescue \
and understanding the NRM process and victim care pathway. This is being worked on by a small \
task and finish group and we will keep you updated on progress. If you would like to join us \
please drop us a line with contact details. West Midlands Police have sent out a survey to \
enable us to understand all the many services provided by you all. If you have not yet \
completed the survey please take 10 minutes to do so: it will make a significant \
contribution in the future and will help identify gaps in provision.

The Anti-Slavery Day Conference was a very different event this year and the raffle and cake \
sale was an amazing idea by the planning team, with all profits going to four local charities \
who provide services for victims of trafficking. We were extremely lucky again this year to \
attract such a high calibre of speakers; they were so informative and inspiring. Attendees \
were asked to make a pledge for their organisation for the forthcoming year, and again it was \
inspiring to see the passion in making a difference.

*Robin Brierley, Chair, WMASN*

The West Midlands Anti Slavery Network wishes you all a very happy new year, stay safe and \
see you all in 2018 (there is much still to do).
"""

NRM_REFORM = """\
In September 2017 the Independent Anti-Slavery Commissioner, Kevin Hyland, wrote to the \
Minister for Crime, Safeguarding and Vulnerability, Sarah Newton MP, regarding the UK's \
National Referral Mechanism (NRM).

Through a consultation with stakeholders the Commissioner found that the NRM does not achieve \
the objectives it initially set out to and therefore requires urgent reform. The Commissioner \
has called for reform based on recommendations detailed in his previous letter to the \
Minister, sent in January 2017.

Based on the Commissioner's recommendations, the UK Government recently announced changes to \
the NRM including longer periods of support.

The Commissioner's letter includes details of:

- pre-NRM support;
- improved decision making;
- long-term care;
- greater data collection.
"""

PARTNERSHIP_MAPPING = """\
Independent Anti-Slavery Commissioner, Kevin Hyland OBE, commissioned the University of \
Nottingham to undertake a piece of research mapping anti-slavery partnerships across the UK.

As a result of this research a report has been published and the University of Nottingham is \
hosting a website containing contact details of partnerships country wide. WMASN was asked to \
speak at the *Collaborating for freedom: Strengthening Anti-Slavery Partnerships* conference \
held early in November, which highlighted this research.

See the map of partnerships: <http://iascmap.nottingham.ac.uk/>
"""

AWARENESS_DAY = """\
**How well do we know our communities?**

This event is being run by Sandwell Council to raise awareness of Modern Slavery / Human \
Trafficking and how we can tackle it. There will be information about the NRM and the victim \
care pathway as well as helping delegates to gain a greater understanding of a victim's \
journey. Attendees will be required to actively contribute towards the workshop sessions and \
will meet a cross-representation of agencies and practitioners.

For further information please contact Diane Wright: \
[diane.wright@example.org](mailto:diane.wright@example.org)

Registration needs to be completed by **Friday 5th January 2018**. Please book your free \
place on Eventbrite (the booking page gives the event password):

<https://www.eventbrite.co.uk/e/sandwell-anti-slavery-conference-tickets-41080785736>
"""

BARNARDOS = """\
Barnardo's West Midlands Panel for Protection of Trafficked Children (PPTC) project workers \
have had a really busy few months!

In **September**, as part of national Police activity around Child Trafficking, we worked in \
partnership with West Midlands Police and the National Crime Agency (NCA) to undertake \
information sharing visits between young people and Police. Over 2 sessions, our project \
workers took 5 young people to visit Police Officers, have a tour of the Police Station and \
learn more about law enforcement in the UK. The young people asked many questions, and really \
enjoyed the experience with lots learned by all involved. This was supported by Sgt Khizra \
Dhindsa and Supt Richard North from West Midlands Police.

In **October**, 6 young people were supported by our project workers to attend The Donkey \
Sanctuary in Sutton Coldfield, to experience Donkey Assisted Therapy as part of the PPTC \
direct work offer. With the help of Donkey Assisted Therapy Volunteers, the young people \
responded so fast, from being afraid of donkeys to learning how to be gentle and stroke them, \
hugging and feeding them by hand. It was an opportunity for a connection between donkey and \
each young person on an emotional as well as a physical level. The feedback from the young \
people was incredible, in terms of how much they felt they had benefitted from this \
experience.

In **November**, our project workers took 7 young people to the World Skills Fair at the \
Birmingham NEC. This was an opportunity for young people to be inspired to explore careers \
and motivate them to find out more about the world of work, and they really were inspired! \
One young person told a project worker:

> This has opened a new world for me, I really appreciate the support I am receiving from all \
the professionals working with me and especially Barnardo's PPTC for inviting me to attend \
this fair. It means a lot to me to be in a culture in which a child can be respected and \
valued as a human being… I have been told a number of times by bad people who exploited me \
that I am unworthy because I was abandoned by my family but I want to prove that I am good \
enough. I can only do that through utilising the opportunities in front of me.

We have many more activities planned, including more partnership visits with West Midlands \
Police, and a Christmas party. As well as the direct work, we continue to chair the \
multi-agency Operational PPTC, which is making significant progress in identifying themes and \
trends regarding child trafficking in our area, and in working together to provide the best \
care and support possible for trafficked children.

Our **24-hour support line** is available for any professional in the West Midlands who would \
like advice or support on responding to, or working with, a child suspected to have been \
trafficked. Our project workers can even support you with completing the NRM, and devising \
safety plans. 24/7 support line: [0800 043 4303](tel:+448000434303).

To find out more about the work of PPTC, please contact Rachel Hopper: \
[rachel.hopper@example.org](mailto:rachel.hopper@example.org) · \
[@Barnardos_NCTS](https://twitter.com/Barnardos_NCTS)
"""

BCWA_RESEARCH = """\
Black Country Women's Aid, in partnership with The Salvation Army, has commissioned a piece of \
research to examine the growing issue of drugs and alcohol in relation to Modern Day Slavery \
(MDS). The research will explore the particular issues victims of MDS face in relation to \
drugs and alcohol, how these add to the complexity of need and how they are understood by \
commissioners and providers. It will also examine the level and ease of access to treatment, \
gaps in service provision and the impact of MDS on services.

The research report will have a wide application at operational and strategic levels. Key \
objectives include:

- Provide a tool for services supporting victims of MDS to identify pathways and access to \
services
- Identify specific needs and differences between those victims of MDS who are based in \
accommodation and those who receive outreach services
- Identify the range of substances involved and mode of use (pre-existing dependence/use, \
coercive control, self-medicating post-traumatic usage)
- Identify religious and socio-cultural modifiers of behaviour
- Identify pathways for the ongoing support of victims of MDS once they leave the NRM
- Allow drug and alcohol providers to understand the issue of MDS and improve access and \
support
- Identify potential models of service and who will be involved in multi-agency partnerships
- Allow commissioners to gain an overview of impact, needs and gaps to influence service \
development

We hope the report will contribute to the national knowledge base on MDS with its exploration \
of the growing issue of substance misuse and the serious challenges this presents for support \
providers within the NRM; highlighting areas of best practice and collaboration between \
providers and commissioned services, and analysis of gaps in service with suggestions on how \
identified needs can be met.
"""

USEFUL_LINKS = """\
- **Modern Slavery Helpline:** [08000 121 700](tel:+448000121700)
- **NRM referral and assessment forms:** \
<https://www.gov.uk/government/publications/human-trafficking-victims-referral-and-assessment-forms>
- **Force Intelligence Bureau (FIB), West Midlands Police:** \
[fib@example.org](mailto:fib@example.org)
- **Modern Slavery Act Duty to Notify:** \
<https://www.gov.uk/government/publications/duty-to-notify-the-home-office-of-potential-victims-of-modern-slavery>
- **Human Trafficking Foundation, Trafficking Survivor Care Standards:** \
<http://www.humantraffickingfoundation.org/sites/default/files/Trafficking%20Survivor%20Care%20Standards%202015.pdf>
"""

BAILEY_WRIGHT = """\
Branston Court, Branston Street, Birmingham B18 6BA · Tel: [0121 270 1566](tel:+441212701566)

Recognise that the priority for any victims of human trafficking or slavery, servitude or \
compulsory labour is to be placed in a safe and secure environment where they are free from \
further exploitation and where they can obtain appropriate advice and support. Whether or not \
the support is provided through the National Referral Mechanism, it is imperative that victims \
are protected and can then seek redress for their treatment. Bailey Wright & Co assist victims \
of human trafficking, slavery, servitude or compulsory labour with claims for compensation. \
They also help to ensure that victims receive appropriate support from Local Authorities and \
that they are referred for appropriate immigration advice, where necessary.

Lexcel and Legal Aid Specialist Quality Mark accredited, with Legal Aid contracts for the \
provision of advice and assistance in the areas of Family Law, Human Trafficking and Public \
law. Many of their clients receive legal aid.

For further information please contact Phil Storey \
([phil.storey@example.org](mailto:phil.storey@example.org)) or Karen Bailey \
([karen.bailey@example.org](mailto:karen.bailey@example.org)).
"""

SALVATION_ARMY = """\
**Adult Victim of Modern Slavery Care and Coordination Services**

- General enquiries: [0300 303 0547](tel:+443003030547) / [0548](tel:+443003030548), \
Monday to Friday, 09:00 to 17:00
- 24-hour referral and out of hours line: [0300 303 8151](tel:+443003038151)
"""

CONTACTS = """\
**Robin Brierley**, Chair, West Midlands Anti Slavery Network: \
[chair@example.org](mailto:chair@example.org)

**Donna Pryor**, Network Support, West Midlands Anti Slavery Network: \
[donna.pryor@example.org](mailto:donna.pryor@example.org)

**Abby Scott**, Network Support (Social Media), West Midlands Anti Slavery Network: \
[abby.scott@example.org](mailto:abby.scott@example.org)

<https://www.westmidlandsantislavery.org>

This newsletter is produced in collaboration with Public Health England in the West Midlands.
"""

MEETING_DATES = """\
The network meets on these dates in 2018. Members can log in to see each meeting's venue; \
for further information contact [donna.pryor@example.org](mailto:donna.pryor@example.org).

- Thursday 18 January
- Thursday 22 March
- Thursday 17 May
- Thursday 12 July
- Thursday 13 September
- Thursday 15 November
"""

# heading, body, contributing agency slug (or None), event slug (or None)
SECTIONS = [
    ("Welcome to our final newsletter of 2017", WELCOME, None, None),
    ("The Commissioner calls for reform of the NRM", NRM_REFORM, None, None),
    (
        "Mapping anti-slavery partnerships across the UK",
        PARTNERSHIP_MAPPING,
        "university-of-nottingham",
        None,
    ),
    (
        "National Human Trafficking Awareness Day, 11 January 2018",
        AWARENESS_DAY,
        "sandwell-council",
        AWARENESS_DAY_SLUG,
    ),
    ("Barnardo's Panel for Protection of Trafficked Children", BARNARDOS, "barnardos", None),
    (
        "Research: drugs, alcohol and modern day slavery",
        BCWA_RESEARCH,
        "black-country-womens-aid",
        None,
    ),
    ("Useful links", USEFUL_LINKS, None, None),
    ("Bailey Wright & Co Solicitors", BAILEY_WRIGHT, "bailey-wright-co-solicitors", None),
    ("The Salvation Army", SALVATION_ARMY, "the-salvation-army", None),
    ("WMASN contacts", CONTACTS, None, None),
    ("Network meeting dates 2018", MEETING_DATES, None, None),
]


def load_newsletters(stdout):
    """The December 2017 issue, published; running it again updates it in place."""
    slug = ISSUE["slug"]
    issue, _ = Issue.objects.update_or_create(
        slug=slug,
        defaults={
            "title": ISSUE["title"],
            "issue_date": ISSUE["issue_date"],
            "summary": ISSUE["summary"],
            "status": Issue.Status.PUBLISHED,
            "publish_at": ISSUE["publish_at"],
        },
    )
    agencies = {a.slug: a for a in Agency.objects.all()}
    orders = []
    for position, (heading, body, agency_slug, event_slug) in enumerate(SECTIONS, start=1):
        order = position * 10
        orders.append(order)
        event = Event.objects.filter(slug=event_slug).first() if event_slug else None
        Section.objects.update_or_create(
            issue=issue,
            order=order,
            defaults={
                "heading": heading,
                "body": body,
                "body_format": Section.BodyFormat.MARKDOWN,
                "agency": agencies.get(agency_slug),
                "event": event,
            },
        )
    issue.sections.exclude(order__in=orders).delete()
    stdout.write(f"Demo newsletter: {issue.title} with {len(SECTIONS)} sections")
    load_files(issue, stdout)


def simple_pdf(title, lines):
    """A small, valid one-page PDF (Helvetica text, exact cross-reference table)."""

    def escape(text):
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    rows = [f"BT /F1 16 Tf 56 780 Td ({escape(title)}) Tj ET"]
    for n, line in enumerate(lines):
        rows.append(f"BT /F1 11 Tf 56 {748 - 16 * n} Td ({escape(line)}) Tj ET")
    stream = "\n".join(rows).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _font(size):
    return ImageFont.load_default(size=size)


def conference_picture():
    """An illustration of the conference hall: a stage with its banner, rows of seats."""
    image = Image.new("RGB", (1600, 1000), (226, 232, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1600, 420), fill=(27, 42, 74))
    draw.rectangle((200, 90, 1400, 300), fill=(240, 180, 60))
    draw.text(
        (800, 160), "Anti-Slavery Day Conference", font=_font(64), fill=(27, 42, 74), anchor="mm"
    )
    draw.text((800, 240), "18 October 2017", font=_font(44), fill=(27, 42, 74), anchor="mm")
    draw.rectangle((0, 420, 1600, 470), fill=(90, 62, 40))
    for row in range(5):
        y = 540 + row * 90
        for seat in range(14):
            x = 110 + seat * 100 + (row % 2) * 30
            draw.rounded_rectangle((x, y, x + 70, y + 60), radius=12, fill=(59, 91, 152))
    return image


def donkey_picture():
    """An illustration of a donkey in a field (no people: the young people are not shown)."""
    image = Image.new("RGB", (1600, 1000), (170, 214, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 600, 1600, 1000), fill=(108, 168, 80))
    draw.ellipse((1250, 80, 1450, 280), fill=(250, 220, 90))
    grey, dark = (140, 134, 128), (70, 66, 62)
    draw.ellipse((500, 430, 1050, 680), fill=grey)  # body
    for x in (560, 660, 880, 980):
        draw.rectangle((x, 640, x + 40, 860), fill=grey)  # legs
        draw.rectangle((x, 840, x + 40, 870), fill=dark)  # hooves
    draw.polygon([(990, 500), (1080, 330), (1150, 350), (1060, 540)], fill=grey)  # neck
    draw.ellipse((1050, 260, 1250, 400), fill=grey)  # head
    draw.polygon([(1080, 280), (1060, 150), (1110, 270)], fill=dark)  # ears
    draw.polygon([(1130, 270), (1150, 140), (1170, 280)], fill=dark)
    draw.ellipse((1150, 300, 1170, 320), fill=(20, 20, 20))  # eye
    draw.line([(1000, 360), (1060, 540)], fill=dark, width=14)  # mane
    return image


def _jpeg(picture):
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


# section heading, photo name, the picture, alt text, caption
PHOTOS = [
    (
        "Welcome to our final newsletter of 2017",
        "anti-slavery-day-conference.jpg",
        conference_picture,
        "The conference hall on Anti-Slavery Day: the stage under a banner reading "
        "Anti-Slavery Day Conference, 18 October 2017, and rows of seats.",
        "The Anti-Slavery Day Conference, where agencies made their pledges for 2018.",
    ),
    (
        "Barnardo's Panel for Protection of Trafficked Children",
        "donkey-sanctuary.jpg",
        donkey_picture,
        "A grey donkey standing in a green field on a sunny day.",
        "Donkey Assisted Therapy at The Donkey Sanctuary, Sutton Coldfield.",
    ),
]

COMMISSIONERS_LETTER = (
    "The Commissioner calls for reform of the NRM",
    "commissioners-letter-nrm-reform.pdf",
    "The Commissioner's letter to the Minister (summary)",
    simple_pdf(
        "Independent Anti-Slavery Commissioner: reform of the NRM",
        [
            "A summary, for the demo, of the letter of September 2017 to the Minister for",
            "Crime, Safeguarding and Vulnerability on the National Referral Mechanism.",
            "",
            "The Commissioner recommends:",
            "- pre-NRM support for potential victims;",
            "- improved decision making;",
            "- long-term care for survivors;",
            "- greater data collection.",
        ],
    ),
)


def load_files(issue, stdout):
    """The issue's photos and its PDF, through the upload pipeline; once only."""
    sections = {section.heading: section for section in issue.sections.all()}
    for heading, name, picture, alt_text, caption in PHOTOS:
        section = sections[heading]
        if section.images.filter(alt_text=alt_text).exists():
            continue
        image = SectionImage(
            section=section, alt_text=alt_text, caption=caption, consent_confirmed=True
        )
        image.set_upload(validate_upload(SimpleUploadedFile(name, _jpeg(picture())), "image"))
        image.full_clean()
        image.save()
    heading, name, title, content = COMMISSIONERS_LETTER
    section = sections[heading]
    if not section.documents.filter(title=title).exists():
        document = SectionDocument(section=section, title=title)
        document.set_upload(validate_upload(SimpleUploadedFile(name, content), "document"))
        document.full_clean()
        document.save()
    stdout.write(f"Demo newsletter files: {len(PHOTOS)} photos and 1 PDF")


def load(stdout):
    """The newsletters app's demo step."""
    load_newsletters(stdout=stdout)
