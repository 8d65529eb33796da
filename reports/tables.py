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
    # Rows beyond this are left off the page (the CSV has them all).
    shown: int | None = None

    @property
    def shown_rows(self):
        return self.rows if self.shown is None else self.rows[: self.shown]

    @property
    def hidden_count(self):
        return max(0, len(self.rows) - len(self.shown_rows))

    def write_csv(self, out):
        writer = csv.writer(out)
        writer.writerow([csv_safe(h) for h in self.headers])
        for row in self.rows:
            writer.writerow([csv_safe(value) for value in row])
