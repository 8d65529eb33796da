"""Name badges on label sheets, and certificates of attendance, as PDF (reportlab).

Text is set in DejaVu Sans where the server has it (Debian's fonts-dejavu-core: most of the
world's Latin, Greek and Cyrillic letters), else in Bitstream Vera, which reportlab ships
(Western European letters only); either is embedded in the PDF, so it looks the same in
every reader."""

import io
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

NETWORK_NAME = "West Midlands Anti Slavery Network"
FONT, BOLD = "BadgeSans", "BadgeSans-Bold"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def _register_fonts():
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        regular, bold = "Vera.ttf", "VeraBd.ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(regular)))
    pdfmetrics.registerFont(TTFont(BOLD, str(bold)))


@dataclass(frozen=True)
class LabelSheet:
    """An A4 sheet of labels: columns × rows, each label's size, the sheet's margins and the
    distance from one label to the next (its pitch), in millimetres, as the maker states."""

    code: str
    name: str
    columns: int
    rows: int
    width: float
    height: float
    left: float
    top: float
    across: float
    down: float

    @property
    def per_sheet(self):
        return self.columns * self.rows

    def origin(self, index):
        """The bottom-left corner (points) of the label at `index` on its sheet."""
        column, row = index % self.columns, index // self.columns
        x = (self.left + column * self.across) * mm
        y = A4[1] - (self.top + row * self.down + self.height) * mm
        return x, y


LABEL_SHEETS = {
    sheet.code: sheet
    for sheet in (
        LabelSheet(
            "L7160",
            "Avery L7160: 21 a sheet, 63.5 × 38.1 mm",
            3,
            7,
            63.5,
            38.1,
            7.25,
            15.15,
            66.04,
            38.1,
        ),
        LabelSheet(
            "L7163",
            "Avery L7163: 14 a sheet, 99.1 × 38.1 mm",
            2,
            7,
            99.1,
            38.1,
            4.65,
            15.15,
            101.6,
            38.1,
        ),
        LabelSheet(
            "L7165",
            "Avery L7165: 8 a sheet, 99.1 × 67.7 mm",
            2,
            4,
            99.1,
            67.7,
            4.65,
            13.1,
            101.6,
            67.7,
        ),
    )
}
DEFAULT_SHEET = "L7160"


def _fitted(text, font, largest, smallest, width):
    """The largest font size (down to `smallest`) at which `text` fits `width`, and the text,
    shortened with an ellipsis if even the smallest does not fit."""
    size = largest
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    while text and pdfmetrics.stringWidth(text, font, size) > width:
        text = text[:-2] + "…"
    return text, size


def badges_pdf(people, *, event, sheet=DEFAULT_SHEET):
    """Name badges for `people` ((name, organisation) pairs), in order, on label sheets."""
    _register_fonts()
    layout = LABEL_SHEETS[sheet]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"Name badges: {event.title}")
    pdf.setAuthor(NETWORK_NAME)
    padding = 4 * mm
    inner = layout.width * mm - 2 * padding
    big = layout.height >= 60
    for index, (name, organisation) in enumerate(people):
        if index and index % layout.per_sheet == 0:
            pdf.showPage()
        x, y = layout.origin(index % layout.per_sheet)
        middle = x + layout.width * mm / 2
        top = y + layout.height * mm
        name_text, name_size = _fitted(name, BOLD, 26 if big else 18, 9, inner)
        pdf.setFont(BOLD, name_size)
        pdf.drawCentredString(middle, top - layout.height * mm * 0.42, name_text)
        if organisation:
            org_text, org_size = _fitted(organisation, FONT, 15 if big else 11, 7, inner)
            pdf.setFont(FONT, org_size)
            pdf.drawCentredString(
                middle, top - layout.height * mm * 0.42 - name_size * 0.6 - org_size, org_text
            )
        footer, footer_size = _fitted(event.title, FONT, 8 if big else 6.5, 5, inner)
        pdf.setFont(FONT, footer_size)
        pdf.setFillGray(0.35)
        pdf.drawCentredString(middle, y + padding * 0.8, footer)
        pdf.setFillGray(0)
    if not people:
        pdf.setFont(FONT, 12)
        pdf.drawString(20 * mm, A4[1] - 30 * mm, "Nobody is registered yet.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def event_hours(event):
    """The event's length in hours, to the half hour (as CPD records count them)."""
    hours = (event.ends_at - event.starts_at).total_seconds() / 3600
    return round(hours * 2) / 2


def _hours_text(event):
    if event.all_day:
        days = max(1, (event.ends_at.date() - event.starts_at.date()).days)
        return "1 day" if days == 1 else f"{days} days"
    hours = event_hours(event)
    shown = f"{hours:g}"
    return "1 hour" if hours == 1 else f"{shown} hours"


def certificate_pdf(*, name, event):
    """A certificate of attendance: the person, the event, its date and length, the network."""
    _register_fonts()
    buffer = io.BytesIO()
    size = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=size, pageCompression=1)
    pdf.setTitle(f"Certificate of attendance: {name}, {event.title}")
    pdf.setAuthor(NETWORK_NAME)
    width, height = size
    middle = width / 2
    pdf.setLineWidth(2)
    pdf.setStrokeColorRGB(0.11, 0.16, 0.31)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setFont(FONT, 14)
    pdf.drawCentredString(middle, height - 40 * mm, NETWORK_NAME)
    pdf.setFont(BOLD, 30)
    pdf.drawCentredString(middle, height - 62 * mm, "Certificate of attendance")
    pdf.setFont(FONT, 14)
    pdf.drawCentredString(middle, height - 82 * mm, "This is to certify that")
    name_text, name_size = _fitted(name, BOLD, 28, 14, width - 60 * mm)
    pdf.setFont(BOLD, name_size)
    pdf.drawCentredString(middle, height - 100 * mm, name_text)
    pdf.setFont(FONT, 14)
    pdf.drawCentredString(middle, height - 116 * mm, "attended")
    title, title_size = _fitted(event.title, BOLD, 20, 11, width - 60 * mm)
    pdf.setFont(BOLD, title_size)
    pdf.drawCentredString(middle, height - 132 * mm, title)
    day = timezone.localtime(event.starts_at)
    pdf.setFont(FONT, 14)
    pdf.drawCentredString(
        middle,
        height - 148 * mm,
        f"on {day:%A} {day.day} {day:%B %Y}: {_hours_text(event)} of continuing professional "
        "development",
    )
    if event.organiser_id:
        pdf.setFont(FONT, 11)
        pdf.drawCentredString(middle, 30 * mm, f"Organised by {event.organiser.name}")
    pdf.setFont(FONT, 9)
    pdf.setFillGray(0.35)
    pdf.drawCentredString(
        middle, 20 * mm, f"{NETWORK_NAME} · certificate issued {timezone.localdate():%d %B %Y}"
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
