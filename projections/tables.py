"""The one table renderer of every command (reports and `show` alike): text, CSV, xlsx.

Text tables measure display width with ``wcwidth`` (East Asian wide characters take two
columns), so Chinese names line up; amounts and counts are right-aligned; nothing is cut
unless the terminal is narrower than the table (then the widest text columns are shortened
with "…"). CSV starts with a UTF-8 BOM so that Excel and WPS read Chinese; xlsx has typed
numeric and date cells and the headers in the officer's language. Headers, titles and notes
are message ids (docs/i18n.md), translated here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from wcwidth import wcswidth, wcwidth

from domain.messages import Message
from domain.money import ZERO, fmt
from i18n import gettext, text

BOM = "\ufeff"
GAP = "  "
ELLIPSIS = "…"


@dataclass(frozen=True)
class Col:
    """A column: ``name`` is the data key (JSON) and the header's message id (``header``
    overrides the id). ``money``: Decimal yuan, right-aligned, thousands separators in text;
    ``right``: right-aligned (counts, years, positions); ``below``: multi-line text printed
    under its row (a derivation trace) instead of in a column."""

    name: str
    money: bool = False
    right: bool = False
    below: bool = False
    header: str | None = None
    words: bool = False  # cells are code words (statuses, kinds) shown in the officer's language

    @property
    def title(self) -> str:
        return gettext(self.header or self.name)


def _word(value: str) -> str:
    """A code word in the officer's language; a word with a suffix in parentheses word by word."""
    translated = gettext(value)
    if translated != value or " (" not in value:
        return translated
    head, _, rest = value.partition(" (")
    return f"{gettext(head)}（{gettext(rest.rstrip(')'))}）"


def display_width(value: str) -> int:
    """Columns ``value`` takes in a terminal (wide characters 2, combining marks 0)."""
    if value.isascii() and value.isprintable():
        return len(value)  # most cells: codes, amounts, dates
    width = wcswidth(value)
    if width >= 0:
        return width
    return sum(max(wcwidth(ch), 0) for ch in value)  # control characters count 0


def shorten(value: str, width: int) -> str:
    """``value`` cut to ``width`` display columns with a trailing "…" (unchanged if it fits)."""
    if display_width(value) <= width:
        return value
    out, used = [], 0
    for ch in value:
        w = max(wcwidth(ch), 0)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + ELLIPSIS


def pad(value: str, width: int, right: bool = False) -> str:
    gap = " " * max(width - display_width(value), 0)
    return gap + value if right else value + gap


def cell_text(value: Any, col: Col, exact: bool = False) -> str:
    """A value as shown: money with separators (exact decimals in CSV), Messages translated."""
    if type(value) is str and not (col.words or col.below):
        return value  # most cells: codes and names, shown as they are
    if value is None:
        return ""
    if isinstance(value, bool):  # True/False, and in Chinese 是/否
        return gettext(str(value))
    if isinstance(value, Decimal):
        return str(value) if exact or not col.money else fmt(value)
    if isinstance(value, Message):
        return text(value)
    if col.words and isinstance(value, str):
        return _word(value)
    if col.below and isinstance(value, str):
        return "\n".join(text(line) for line in value.splitlines())
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def text_table(
    columns: Sequence[Col],
    rows: Iterable[Sequence[Any]],
    *,
    title: str | Message | None = None,
    notes: Iterable[str | Message] = (),
    max_width: int | None = None,
    rule: bool = True,
    indent: str = "",
) -> str:
    """Aligned text: title, headers, a rule, the rows (``below`` columns under their row), notes.

    ``max_width`` is the terminal's width (None: unlimited); only then are text columns cut.
    ``indent`` starts every line of the table (not the title), counted in the width.
    """
    table_rows = list(rows)
    shown = [i for i, c in enumerate(columns) if not c.below]
    below = [i for i, c in enumerate(columns) if c.below]
    header = [columns[i].title for i in shown]
    # column by column: one converter and one width pass per column (a trial balance of
    # 40,000 accounts has 160,000 cells; a call per cell through every type test was most of it)
    texts = [column_texts([row[i] for row in table_rows], columns[i]) for i in range(len(columns))]
    cell_widths = [widths_of(texts[i]) for i in shown]
    header_widths = [display_width(h) for h in header]
    widths = [max(header_widths[k], max(cell_widths[k], default=0)) for k in range(len(shown))]
    if max_width is not None:
        widths = _fit(widths, [columns[i] for i in shown], max_width - display_width(indent))
    right = [columns[i].money or columns[i].right for i in shown]
    padded = [_pad_column(texts[i], cell_widths[k], widths[k], right[k]) for k, i in enumerate(shown)]

    lines = [text(title)] if title else []
    lines.append(indent + GAP.join(_pad_column([h], [header_widths[k]], widths[k], right[k])[0]
                                   for k, h in enumerate(header)).rstrip())
    if rule:
        lines.append(indent + GAP.join("-" * w for w in widths))
    body = [indent + GAP.join(cells).rstrip() for cells in zip(*padded, strict=True)] if padded \
        else [indent] * len(table_rows)
    if below:
        for r, line in enumerate(body):
            lines.append(line)
            for i in below:
                lines.extend(f"{indent}    {t}" for t in texts[i][r].splitlines())
    else:
        lines.extend(body)
    lines.extend(f"{indent}({text(n)})" for n in notes)
    return "\n".join(lines)


def widths_of(cells: list[str]) -> list[int]:
    """Each cell's display width; a column of printable ASCII (codes, amounts, dates) by length."""
    joined = "".join(cells)
    if joined.isascii() and joined.isprintable():
        return list(map(len, cells))
    return list(map(display_width, cells))


def column_texts(values: list[Any], col: Col) -> list[str]:
    """One column's cells as shown (:func:`cell_text`), with the common cases taken first."""
    if col.money:
        zero = fmt(ZERO)  # half a trial balance's amounts are the one ZERO (debit or credit side)
        return [zero if v is ZERO else fmt(v) if type(v) is Decimal else cell_text(v, col) for v in values]
    if col.words and not col.below:
        return [_word(v) if type(v) is str else cell_text(v, col) for v in values]
    if col.below:
        return [cell_text(v, col) for v in values]
    return [v if type(v) is str else cell_text(v, col) for v in values]


def _pad_column(cells: list[str], measured: list[int], room: int, right: bool) -> list[str]:
    """Cells padded to ``room`` display columns (cut with "…" where wider: a narrow terminal)."""
    if max(measured, default=0) <= room:  # nothing to cut (a terminal wide enough, or a file)
        if measured == list(map(len, cells)):  # one display column per character: padded in C
            return [v.rjust(room) for v in cells] if right else [v.ljust(room) for v in cells]
        if right:
            return [" " * (room - w) + v for v, w in zip(cells, measured, strict=True)]
        return [v + " " * (room - w) for v, w in zip(cells, measured, strict=True)]
    out = []
    for v, w in zip(cells, measured, strict=True):
        if w > room:
            v = shorten(v, room)
            w = display_width(v)
        out.append(" " * (room - w) + v if right else v + " " * (room - w))
    return out


def _fit(widths: list[int], cols: list[Col], max_width: int) -> list[int]:
    """Narrow the widest text columns until the line fits ``max_width`` (numbers are never cut)."""
    widths = list(widths)
    floor = 6
    while sum(widths) + len(GAP) * (len(widths) - 1) > max_width:
        candidates = [k for k, c in enumerate(cols) if not (c.money or c.right) and widths[k] > floor]
        if not candidates:
            break
        k = max(candidates, key=lambda j: widths[j])
        widths[k] -= 1
    return widths


def csv_text(columns: Sequence[Col], rows: Iterable[Sequence[Any]], *, bom: bool = True,
             translated_headers: bool = True) -> str:
    """CSV with exact values (amounts as plain decimals), headers in the officer's language,
    a UTF-8 BOM first (Excel and WPS then read it as UTF-8)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.title if translated_headers else c.name for c in columns])
    for row in rows:
        writer.writerow([cell_text(v, c, exact=True) for c, v in zip(columns, row, strict=True)])
    return (BOM if bom else "") + buf.getvalue()


def xlsx_bytes(
    columns: Sequence[Col],
    rows: Iterable[Sequence[Any]],
    *,
    title: str | Message | None = None,
    notes: Iterable[str | Message] = (),
    sheet: str | None = None,
) -> bytes:
    """An xlsx workbook: one sheet, translated headers in row 1 (bold, frozen), numbers as
    numeric cells (money formatted #,##0.00), dates as date cells, then the notes below."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(text(sheet or title or "report"))
    ws.append([c.title for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    widths = [display_width(c.title) for c in columns]
    for row in rows:
        values = [_xlsx_value(v, c) for c, v in zip(columns, row, strict=True)]
        ws.append(values)
        for k, (c, cell) in enumerate(zip(columns, ws[ws.max_row], strict=True)):
            if c.money and isinstance(cell.value, (int, float, Decimal)):
                cell.number_format = "#,##0.00"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            widths[k] = max(widths[k], min(display_width(cell_text(row[k], c)), 60))
    for k, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(k)].width = w + 2
    note_list = [text(n) for n in notes]
    if note_list:
        ws.append([])
        for n in note_list:
            ws.append([n])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_value(value: Any, col: Col) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, Decimal, date, datetime)):
        return value
    return cell_text(value, col, exact=True)


def _sheet_title(name: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip() or "report"
    return cleaned[:31]


def terminal_width() -> int | None:
    """The terminal's width when output goes to one (tables are then cut to fit), else None."""
    import os
    import shutil
    import sys

    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size((int(os.environ.get("COLUMNS", 0) or 10_000), 24)).columns
