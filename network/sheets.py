"""Reading an onboarding spreadsheet (CSV or Excel) into rows, and the shapes the import
preview is made of: columns known by their usual spellings in any case, a plan per row,
and problems as sentences naming the row and the column (network/imports.py uses them)."""

import csv
import io
import re
from dataclasses import dataclass, field

# A spreadsheet bigger than this is not an onboarding sheet.
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000


class ImportFileError(Exception):
    """The file cannot be read as a sheet at all; the message says why, as a sentence."""


@dataclass(frozen=True)
class Column:
    field: str
    label: str
    aliases: tuple = ()
    required: bool = False
    example: str = ""


def header_key(header):
    return re.sub(r"[\s_\-]+", " ", str(header or "")).strip().lower()


def template_csv(columns):
    """A sheet with the headers and one example row, to download and fill in."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.label for c in columns])
    writer.writerow([c.example for c in columns])
    return out.getvalue()


def read_sheet(uploaded):
    """The rows of an uploaded CSV or Excel file as lists of strings (headers first)."""
    name = (uploaded.name or "").lower()
    if uploaded.size > MAX_BYTES:
        raise ImportFileError("The file is larger than 2 MB: split it into smaller sheets.")
    content = uploaded.read()
    if name.endswith(".xlsx") or content[:2] == b"PK":
        rows = _read_xlsx(content)
    elif name.endswith((".csv", ".txt")) or not name:
        rows = _read_csv(content)
    else:
        raise ImportFileError(
            "This file is neither CSV nor Excel (.xlsx): save the sheet as one of those."
        )
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise ImportFileError("The file is empty: it needs a row of headers and rows below.")
    if len(rows) > MAX_ROWS + 1:
        raise ImportFileError(f"The file has more than {MAX_ROWS} rows: split it.")
    return rows


def _read_csv(content):
    if b"\x00" in content:
        raise ImportFileError("This file is not a CSV text file: save the sheet as CSV or .xlsx.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    try:
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as error:
        raise ImportFileError(f"The CSV file cannot be read ({error}).") from error


def _read_xlsx(content):
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        return [
            ["" if cell is None else str(cell).strip() for cell in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(
            "This Excel file cannot be opened: save it again as .xlsx or CSV."
        ) from error


@dataclass
class RowPlan:
    """What importing one row would do."""

    number: int
    title: str
    kind: str = "new"  # new, unchanged, changed or refused
    changes: list = field(default_factory=list)  # (column label, old, new)
    problems: list = field(default_factory=list)  # sentences
    target: object = None
    values: dict = field(default_factory=dict)


@dataclass
class Plan:
    rows: list
    problems: list  # sentences about the whole file
    ignored_columns: list

    @property
    def ok(self):
        return not self.problems and not any(row.problems for row in self.rows)

    def count(self, kind):
        return sum(1 for row in self.rows if row.kind == kind)


def map_headers(headers, columns):
    """Column index -> Column; headers in any case, with their usual spellings."""
    by_key = {}
    for column in columns:
        for spelling in (column.field, column.label, *column.aliases):
            by_key[header_key(spelling)] = column
    mapping, ignored, problems, seen = {}, [], [], {}
    for index, header in enumerate(headers):
        column = by_key.get(header_key(header))
        if column is None:
            if str(header).strip():
                ignored.append(str(header).strip())
            continue
        if column.field in seen:
            problems.append(
                f'The columns "{seen[column.field]}" and "{header}" are both {column.label}: '
                "keep one."
            )
            continue
        seen[column.field] = header
        mapping[index] = column
    for column in columns:
        if column.required and column.field not in seen:
            problems.append(
                f'The file has no "{column.label}" column: the first row must be the headers '
                f"({', '.join(c.label for c in columns)}); download the template."
            )
    return mapping, ignored, problems


def cells_of(row, mapping):
    return {column.field: (row[i] if i < len(row) else "").strip() for i, column in mapping.items()}


def sentence(number, label, message):
    return f"Row {number}, column {label}: {message}"
