"""A table of figures: shown beside a chart or in the report, and downloadable as CSV."""

from dataclasses import dataclass, field


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
