"""A table of figures: shown beside a chart or in the report, and downloadable as CSV."""

import csv
from dataclasses import dataclass, field

from wmasn.spreadsheets import csv_safe


@dataclass
class Table:
    slug: str
    caption: str
    headers: list
    rows: list = field(default_factory=list)
    # Rows beyond this are left off the page (the CSV has them all): the first ones, or with
    # `latest` the last ones (a chart's figures beside it, which shows the latest).
    shown: int | None = None
    latest: bool = False
    # How many rows there are in all, when `rows` holds only those shown (the page's copy).
    total: int | None = None

    @property
    def shown_rows(self):
        if self.shown is None or len(self.rows) <= self.shown:
            return self.rows
        return self.rows[-self.shown :] if self.latest else self.rows[: self.shown]

    @property
    def hidden_count(self):
        total = len(self.rows) if self.total is None else self.total
        return max(0, total - len(self.shown_rows))

    def write_csv(self, out):
        writer = csv.writer(out)
        writer.writerow([csv_safe(h) for h in self.headers])
        for row in self.rows:
            writer.writerow([csv_safe(value) for value in row])
