"""Chart geometry for server-rendered SVG: the templates only draw what is computed here.

Charts carry no script and no inline style (the CSP forbids both): colours are presentation
attributes, sizes are in the viewBox, and every chart has a text alternative and a table.
"""

import math
from dataclasses import dataclass, field

# Colours with at least 3:1 contrast on white (WCAG 1.4.11), told apart by the legend too.
PALETTE = ["#1f5fa8", "#b35900", "#2e7d32", "#7b1fa2", "#5f6368", "#ad1457"]


@dataclass
class Series:
    name: str
    values: list
    colour: str = ""


@dataclass
class BarChart:
    """Bars per category, one segment per series, stacked."""

    slug: str
    title: str
    summary: str  # the text alternative: what the chart shows, in words
    categories: list
    series: list
    width: int = 720
    height: int = 300
    bars: list = field(default_factory=list)
    ticks: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    legend: list = field(default_factory=list)

    LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 56

    def __post_init__(self):
        for i, series in enumerate(self.series):
            series.colour = series.colour or PALETTE[i % len(PALETTE)]
        self.layout()

    @property
    def is_empty(self):
        return not any(v for s in self.series for v in s.values)

    def layout(self):
        totals = [sum(s.values[i] for s in self.series) for i in range(len(self.categories))] or [0]
        top = nice_ceiling(max(totals))
        plot_w = self.width - self.LEFT - self.RIGHT
        plot_h = self.height - self.TOP - self.BOTTOM
        band = plot_w / max(1, len(self.categories))
        bar_w = max(2.0, band * 0.7)
        base_y = self.TOP + plot_h
        for i, category in enumerate(self.categories):
            x = self.LEFT + i * band + (band - bar_w) / 2
            y = base_y
            for series in self.series:
                value = series.values[i]
                if not value:
                    continue
                h = plot_h * value / top
                y -= h
                self.bars.append(
                    {
                        "x": round(x, 1),
                        "y": round(y, 1),
                        "w": round(bar_w, 1),
                        "h": round(h, 1),
                        "fill": series.colour,
                        "label": f"{category}, {series.name}: {value}",
                    }
                )
            self.labels.append(
                {"x": round(x + bar_w / 2, 1), "y": base_y + 18, "text": str(category)}
            )
        for step in range(5):
            value = top * step / 4
            self.ticks.append(
                {
                    "y": round(base_y - plot_h * step / 4, 1),
                    "text": f"{value:g}",
                }
            )
        self.legend = [
            {"x": self.LEFT + i * 150, "y": self.height - 14, "fill": s.colour, "text": s.name}
            for i, s in enumerate(self.series)
        ]
        self.axis = {"x1": self.LEFT, "x2": self.width - self.RIGHT, "y": base_y}


def nice_ceiling(value):
    """A round number at or above the value, so the axis ticks are whole (1, 2, 5 × 10^n)."""
    if value <= 4:
        return 4
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            top = step * magnitude
            # Four ticks of whole numbers.
            return top if top % 4 == 0 else math.ceil(top / 4) * 4
    return value


# Heat map buckets: (lowest count, fill, text colour). A gap (0) stands out in red with a word.
HEAT_BUCKETS = [
    (5, "#0b3d78", "#ffffff"),
    (3, "#2b6cb0", "#ffffff"),
    (2, "#90c2ec", "#000000"),
    (1, "#d6e9f8", "#000000"),
]
GAP_FILL, GAP_TEXT = "#b3261e", "#ffffff"


@dataclass
class HeatMap:
    """Rows × columns of counts; gaps (0) marked in red and with the word "gap"."""

    slug: str
    title: str
    summary: str
    rows: list  # row labels
    columns: list  # column labels
    counts: list  # counts[row][column]
    gap_columns: list = None  # whether an empty cell of each column is a gap
    cell_w: int = 84
    cell_h: int = 28
    label_w: int = 230
    header_h: int = 40
    cells: list = field(default_factory=list)

    def __post_init__(self):
        self.width = self.label_w + self.cell_w * len(self.columns) + 4
        self.height = self.header_h + self.cell_h * len(self.rows) + 4
        self.column_labels = [
            {"x": self.label_w + self.cell_w * (j + 0.5), "y": self.header_h - 12, "text": c}
            for j, c in enumerate(self.columns)
        ]
        self.row_labels = [
            {"x": self.label_w - 8, "y": self.header_h + self.cell_h * (i + 0.5) + 5, "text": r}
            for i, r in enumerate(self.rows)
        ]
        gap_columns = self.gap_columns or [True] * len(self.columns)
        for i, row in enumerate(self.rows):
            for j, column in enumerate(self.columns):
                count = self.counts[i][j]
                is_gap = not count and gap_columns[j]
                fill, text_colour = heat_colour(count, is_gap)
                x = self.label_w + self.cell_w * j
                y = self.header_h + self.cell_h * i
                self.cells.append(
                    {
                        "x": x,
                        "y": y,
                        "w": self.cell_w - 2,
                        "h": self.cell_h - 2,
                        "fill": fill,
                        "text_colour": text_colour,
                        "tx": x + self.cell_w / 2,
                        "ty": y + self.cell_h / 2 + 5,
                        "text": "gap" if is_gap else str(count),
                        "label": f"{row} in {column}: {count} agencies",
                        "is_gap": is_gap,
                    }
                )

    @property
    def gap_count(self):
        return sum(cell["is_gap"] for cell in self.cells)


def heat_colour(count, is_gap):
    if is_gap:
        return GAP_FILL, GAP_TEXT
    if not count:
        return "#f1f3f4", "#000000"
    for lowest, fill, text in HEAT_BUCKETS:
        if count >= lowest:
            return fill, text
    return HEAT_BUCKETS[-1][1], HEAT_BUCKETS[-1][2]
