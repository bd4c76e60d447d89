"""Tables as the dashboard shows them: plain values, links, columns, filters and pages.

Nothing here knows about HTTP or markup: the web layer renders these as HTML or CSV.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    href: str

    def __str__(self) -> str:
        return self.text


Value = str | int | Link | None


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the CSV header, and the sort key
    label: str
    numeric: bool = False
    sortable: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """One table: the first value of each row is the row's header."""

    id: str
    caption: str
    columns: tuple[Column, ...]
    rows: Sequence[tuple[Value, ...]]
    empty: str = "Nothing to show yet."
    sort: str = ""  # the column sorted on, if the table sorts
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Filter:
    name: str
    label: str
    options: tuple[str, ...]
    chosen: str = ""


@dataclass
class Page:
    slug: str
    title: str
    lines: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    chart_alt: str | None = None  # a chart is shown, described so
    progress: tuple[int, int] | None = None  # counted, needed
    query: dict[str, str] = field(default_factory=dict)  # filters and sort, for CSV links

    def table(self, table_id: str) -> Table | None:
        return next((t for t in self.tables if t.id == table_id), None)


def csv_rows(table: Table) -> tuple[list[str], list[list[str | int | None]]]:
    """A table as CSV columns and rows (links as their text)."""
    columns = [c.key for c in table.columns]
    rows = [[str(v) if isinstance(v, Link) else v for v in row] for row in table.rows]
    return columns, rows
