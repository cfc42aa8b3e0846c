"""File formats of every export in the portal: CSV and XLSX, the same way everywhere.

CSV is UTF-8 with a BOM (Excel then reads Korean correctly) and streams in batches, so memory
stays flat however many rows there are. XLSX uses openpyxl's write-only mode. Cells that Excel
would read as a formula (``=``, ``+``, ``-``, ``@``…) are written as text, so a name typed by a
citizen can never run in a clerk's spreadsheet. Reports, the events admin and the partners admin
all write through here; the reason form is the one asked before any list with names.
"""

from __future__ import annotations

import csv
import io
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


def _text_safe(value: Any) -> Any:
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
        writer.writerow([_text_safe(v) for v in row])
        pending += 1
        if pending >= batch:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue().encode("utf-8")


def xlsx_write(target: IO[bytes], header: list[str], rows: Iterable[Iterable[Any]], *, title: str) -> int:
    """Write one sheet (write-only mode) to ``target``; returns the number of data rows."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet1")
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_text_safe(v) for v in row])
        count += 1
    workbook.save(target)
    return count


class DownloadReasonForm(forms.Form):
    """PIPA: a download of personal data asks why; the reason goes to the access log."""

    reason = forms.CharField(label=_("내려받는 사유"), max_length=300,
                             help_text=_("개인정보가 담긴 파일입니다. 사유는 접속기록에 남습니다."))
