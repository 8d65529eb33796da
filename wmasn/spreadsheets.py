"""CSV downloads that a spreadsheet opens safely: the admin's exports, the gap view's CSV and
the report's tables all answer through `csv_download`."""

import csv
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """The cell as text a spreadsheet shows and never runs as a formula (CSV injection).

    A number stays a number: -3 is a value, not a formula, and nobody can type one in."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_filename(name, when=None):
    """Every download's name: `wmasn-<what>-<YYYY-MM-DD-HHMM>.csv`, local time."""
    stamp = timezone.localtime(when).strftime("%Y-%m-%d-%H%M")
    return f"wmasn-{slugify(name)}-{stamp}.csv"


def csv_download(name, header, rows):
    """A response that downloads `rows` under `header` as `csv_filename(name)`, every cell
    through `csv_safe`."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_filename(name)}"'
    writer = csv.writer(response)
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return response
