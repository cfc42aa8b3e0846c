"""File formats of every export in the portal: CSV and XLSX, the same way everywhere.

CSV is UTF-8 with a BOM (Excel then reads Korean correctly) and streams in batches, so memory
stays flat however many rows there are. XLSX uses openpyxl's write-only mode, with typed dates, a frozen
header row and sized columns. Cells that Excel
would read as a formula (``=``, ``+``, ``-``, ``@``…) are written as text, so a name typed by a
citizen can never run in a clerk's spreadsheet. Reports, the events admin and the partners admin
all write through here; the reason form is the one asked before any list with names.
"""

from __future__ import annotations

import csv
import io
import itertools
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import IO, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CSV_BATCH_ROWS = 1000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these is read by Excel as a formula: prefix it so it stays text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_safe(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_START) else value
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"


def csv_stream(header: list[str], rows: Iterable[Iterable[Any]], *, batch: int = CSV_BATCH_ROWS) -> Iterator[bytes]:
    """BOM, header, then the rows in batches of ``batch`` lines, each batch one UTF-8 chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    for row in rows:
        writer.writerow([text_safe(v) for v in row])
        pending += 1
        if pending >= batch:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue().encode("utf-8")


XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
XLSX_DATE_FORMAT = "yyyy-mm-dd"
XLSX_SAMPLE_ROWS = 200  # rows read ahead to size the columns (write-only sheets fix widths first)
XLSX_MIN_WIDTH, XLSX_MAX_WIDTH = 8, 60


def _display_width(value: Any) -> int:
    """How many Latin-letter widths a value takes in Excel: Hangul and other wide characters take two."""
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _xlsx_value(value: Any, sheet):
    """Dates and times as real Excel dates (Seoul time, shown to the minute), so they sort and filter
    as dates; formula-looking text stays text."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        cell = WriteOnlyCell(sheet, value=local.replace(tzinfo=None, second=0, microsecond=0))
        cell.number_format = XLSX_DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATE_FORMAT
        return cell
    return text_safe(value)


def xlsx_write(target: IO[bytes], header: list[str], rows: Iterable[Iterable[Any]], *, title: str) -> int:
    """Write one sheet (write-only mode) to ``target``; returns the number of data rows.

    The header row is bold and frozen (it stays on screen while scrolling), columns are as wide as
    the header and the first rows need, and dates are typed cells. Rows are still streamed: only
    the first ``XLSX_SAMPLE_ROWS`` are held to size the columns.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet1")
    iterator = iter(rows)
    sample = [list(row) for row in itertools.islice(iterator, XLSX_SAMPLE_ROWS)]
    widths = [_display_width(label) for label in header]
    for row in sample:
        for index, value in enumerate(row):
            width = _display_width(text_safe(value) if not isinstance(value, date) else value)
            if index < len(widths):
                widths[index] = max(widths[index], width)
            else:
                widths.append(width)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, XLSX_MIN_WIDTH), XLSX_MAX_WIDTH)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for label in header:
        cell = WriteOnlyCell(sheet, value=text_safe(str(label)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in itertools.chain(sample, iterator):
        sheet.append([_xlsx_value(v, sheet) for v in row])
        count += 1
    workbook.save(target)
    return count


class DownloadReasonForm(forms.Form):
    """PIPA: a download of personal data asks why; the reason goes to the access log."""

    reason = forms.CharField(label=_("내려받는 사유"), max_length=300,
                             help_text=_("개인정보가 담긴 파일입니다. 사유는 접속기록에 남습니다."))
