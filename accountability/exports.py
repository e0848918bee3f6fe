"""The report's tables as CSV files and as one XLSX workbook (openpyxl), a sheet per table."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.lists import csv_cell

from .report import Table


def table_rows(table: Table):
    rows = table.export_rows if table.export_rows is not None else table.rows
    for row in rows:
        yield [cell.value for cell in row]


def _xlsx_value(value):
    value = csv_cell(value)  # defuses formulas in text, as the CSV exports do
    return value if value != "" else None


def report_workbook(tables: list[Table], *, title: str) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(table.title[:31].replace(":", ""))
        sheet.append([title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(table.columns)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table_rows(table):
            sheet.append([_xlsx_value(value) for value in row])
        for index, column in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(60, max(12, len(column) + 2))
        sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
