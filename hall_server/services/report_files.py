"""A report's figures as the table people read, and that table as a file: the reports page's table
(`format=table`), the CSV and the XLSX export and the reports the scheduler saves all come from
`report_table`, so they hold the same numbers, rounded once.

Units as the page shows them: times in minutes with one decimal, rates in percent with one
decimal, counts as whole numbers; a figure without data (no visit handled, nobody rated) is
empty. Headers are "名称 (单位)" in Chinese and "Name (unit)" in English, from the catalogue.
"""
import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..domain.catalogue import N_, gettext
from ..domain.reports import Figures, Row, Summary


class Unit(Enum):
    COUNT = "count"
    MINUTES = "min"
    PERCENT = "%"


@dataclass(frozen=True)
class Figure:
    """One column of figures: the summary row's field, its header and how it is shown."""

    key: str
    msgid: str
    unit: Unit

    @property
    def decimals(self) -> int:
        return 0 if self.unit is Unit.COUNT else 1


#: the columns of every report table, in the order they are shown
FIGURES = (
    Figure("issued", N_("Issued"), Unit.COUNT),
    Figure("served", N_("Served"), Unit.COUNT),
    Figure("no_show", N_("No-shows"), Unit.COUNT),
    Figure("cancelled", N_("Cancelled"), Unit.COUNT),
    Figure("transferred", N_("Transferred"), Unit.COUNT),
    Figure("wait_mean_s", N_("Mean wait"), Unit.MINUTES),
    Figure("wait_p50_s", N_("Median wait"), Unit.MINUTES),
    Figure("wait_p90_s", N_("90th percentile wait"), Unit.MINUTES),
    Figure("wait_max_s", N_("Longest wait"), Unit.MINUTES),
    Figure("handling_mean_s", N_("Mean handling"), Unit.MINUTES),
    Figure("handling_p50_s", N_("Median handling"), Unit.MINUTES),
    Figure("handling_p90_s", N_("90th percentile handling"), Unit.MINUTES),
    Figure("compliance_rate", N_("Within the handling limit"), Unit.PERCENT),
    Figure("walk_mean_s", N_("Mean walk to the counter"), Unit.MINUTES),
    Figure("estimate_error_s", N_("Estimated wait error"), Unit.MINUTES),
    Figure("rated", N_("Rated"), Unit.COUNT),
    Figure("satisfied_rate", N_("Satisfied"), Unit.PERCENT),
)
UNIT_LABELS = {Unit.MINUTES: N_("min"), Unit.PERCENT: "%"}
#: the first column's header, by the summary's grouping
GROUP_LABELS = {"service": N_("Service"), "counter": N_("Counter"), "clerk": N_("Clerk"), "day": N_("Date"),
                "hall": N_("Hall")}
TOTAL = N_("Total")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_HEADER_FILL = PatternFill("solid", fgColor="E6F1F0")


@dataclass(frozen=True)
class Table:
    """A report as shown: the columns (key, header), one row per group and the total row; the
    first cell of a row is the group's name, the others numbers in the column's unit or None."""

    title: str
    #: the XLSX sheet's name: the date range (at most 31 characters)
    sheet: str
    columns: list[tuple[str, str]]
    decimals: list[int]
    rows: list[list[Any]]
    total: list[Any]


def report_table(summary: Summary, lang: str, hall_name: str | None = None) -> Table:
    """The summary as the table the page, the CSV and the XLSX show, in `lang` ("zh" or "en");
    `hall_name` heads the title (else the hall's id)."""
    columns = [("label", gettext(GROUP_LABELS[summary.by.value], lang))]
    columns += [(figure.key, _header(figure, lang)) for figure in FIGURES]
    return Table(
        title=_title(summary, lang, hall_name), sheet=f"{summary.first}~{summary.last}",
        columns=columns, decimals=[0] + [figure.decimals for figure in FIGURES],
        rows=[[_label(row, lang), *_figures(row.figures)] for row in summary.rows],
        total=[gettext(TOTAL, lang), *_figures(summary.total.figures)],
    )


def render(summary: Summary, fmt: str, lang: str, hall_name: str | None = None) -> tuple[bytes | dict, str, str]:
    """The summary in `fmt`: "table" (the page's JSON {"title", "columns": [{"key", "label",
    "decimals"}], "rows", "total"}), "csv" (UTF-8 with a byte-order mark, so Excel reads the
    Chinese right) or "xlsx"; returns (body, mimetype, file name)."""
    table = report_table(summary, lang, hall_name)
    if fmt == "table":
        return table_json(table), "application/json", ""
    return _file(table, fmt), FORMATS[fmt], f"{file_stem(summary)}.{fmt}"


def save(directory: Path, name: str, summary: Summary, fmts: Sequence[str] = ("csv", "xlsx"), lang: str = "zh",
         hall_name: str | None = None) -> list[Path]:
    """Write the summary as `<directory>/<name>.<fmt>` for each format (the scheduler's daily
    report); the directory is made if missing. Returns the files written."""
    table = report_table(summary, lang, hall_name)
    written = []
    for fmt in fmts:
        path = directory / f"{name}.{fmt}"
        write_whole(path, _file(table, fmt))
        written.append(path)
    return written


def write_whole(path: Path, body: bytes) -> None:
    """Write the file whole or not at all (to a temporary name, then renamed): a crash leaves
    no half a report that looks made. Its folder is made if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(body)
    os.replace(partial, path)


def table_json(table: Table) -> dict:
    return {"title": table.title,
            "columns": [{"key": key, "label": label, "decimals": decimals}
                        for (key, label), decimals in zip(table.columns, table.decimals, strict=True)],
            "rows": table.rows, "total": table.total}


def csv_bytes(table: Table) -> bytes:
    """A header row, the rows and the total row; a figure without data is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(label for _, label in table.columns)
    writer.writerows(["" if cell is None else cell for cell in row] for row in [*table.rows, table.total])
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(table: Table) -> bytes:
    """One sheet: the title in the first row, then the header (frozen), the rows and the total
    row in bold; numbers are numbers, shown with the column's decimals."""
    book = Workbook()
    sheet = book.active
    sheet.title = table.sheet
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([label for _, label in table.columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in table.rows:
        sheet.append(row)
    sheet.append(table.total)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for index, decimals in enumerate(table.decimals[1:], start=2):
        for (cell,) in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
            cell.number_format = "0" if decimals == 0 else "0." + "0" * decimals
    sheet.freeze_panes = "B3"
    for index, (_, label) in enumerate(table.columns, start=1):
        cells = [label, *(row[index - 1] for row in [*table.rows, table.total])]
        sheet.column_dimensions[get_column_letter(index)].width = min(36, max(8, *(_width(c) for c in cells)) + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _file(table: Table, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"no report file format {fmt!r}")
    return csv_bytes(table) if fmt == "csv" else xlsx_bytes(table)


def file_stem(summary: Summary) -> str:
    """report-<hall>-<from>-<to>-<by>, or report-<from>-<to>-hall for the halls side by side."""
    parts = ["report", summary.hall, summary.first.isoformat(), summary.last.isoformat(), summary.by.value]
    return "-".join(part for part in parts if part)


def _header(figure: Figure, lang: str) -> str:
    name = gettext(figure.msgid, lang)
    unit = UNIT_LABELS.get(figure.unit)
    return f"{name} ({gettext(unit, lang)})" if unit else name


def _title(summary: Summary, lang: str, hall_name: str | None) -> str:
    first, last = summary.first.isoformat(), summary.last.isoformat()
    dates = first if first == last else f"{first} – {last}"
    by = gettext(N_("by %(group)s"), lang) % {"group": gettext(GROUP_LABELS[summary.by.value], lang)}
    return " · ".join(part for part in (hall_name or summary.hall, dates, by) if part)


def _label(row: Row, lang: str) -> str:
    return row.label.get(lang) or row.label.get("zh") or str(row.key)


def _figures(figures: Figures) -> list[int | float | None]:
    return [_shown(getattr(figures, figure.key), figure.unit) for figure in FIGURES]


def _shown(value: float | None, unit: Unit) -> int | float | None:
    """A figure in its unit, rounded half up (1.25 min → 1.3) the one time it is rounded."""
    if value is None:
        return None
    if unit is Unit.COUNT:
        return int(value)
    scaled = Decimal(repr(value)) / 60 if unit is Unit.MINUTES else Decimal(repr(value)) * 100
    return float(scaled.quantize(Decimal("0.1"), ROUND_HALF_UP))


def _width(value: Any) -> int:
    """Roughly how many character widths a cell needs: Chinese characters take two."""
    text = "" if value is None else str(value)
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)
