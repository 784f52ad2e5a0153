"""Writers: API rows in, chunks of bytes out. Pure (no database), so tested on their own.

CSV and XLSX cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab, CR) are
prefixed with an apostrophe, except plain numbers such as "-3.5".
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import orjson

from nocodedb.services.view_export import DANGEROUS_STARTS, cell_text

PLAIN_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
CHUNK = 64 * 1024
Page = list[list[Any]]


def safe_text(text: str) -> str:
    if text.startswith(DANGEROUS_STARTS) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()


def csv_cell(text: str) -> str:
    """One cell as the csv writer writes it among others (quoted when needed; "" is written empty)."""
    return "" if text == "" else _csv_line([text])[: -len("\r\n")]


def csv_header(header: list[str]) -> bytes:
    # The BOM makes spreadsheets read UTF-8 (accents) correctly.
    return ("\ufeff" + _csv_line([safe_text(h) for h in header])).encode()


async def csv_chunks(header: list[str], pages: AsyncIterator[Page]) -> AsyncIterator[bytes]:
    yield csv_header(header)
    danger = DANGEROUS_STARTS
    async for page in pages:
        # One writer per page, not one per line (measured with bench/import_export.py).
        out = io.StringIO()
        # Plain strings are most cells: they skip cell_text, and only a dangerous first character calls safe_text.
        cells = [
            [
                safe_text(text) if (text := v if type(v) is str else cell_text(v)).startswith(danger) else text
                for v in record
            ]
            for record in page
        ]
        csv.writer(out, lineterminator="\r\n").writerows(cells)
        yield out.getvalue().encode()


def _xlsx_value(value: Any, numeric: bool) -> Any:
    if value is None or value == []:
        return None
    if isinstance(value, bool):
        return value
    if numeric and isinstance(value, str) and PLAIN_NUMBER.match(value):
        return Decimal(value)
    return safe_text(cell_text(value))


async def xlsx_chunks(
    header: list[str], numeric: list[bool], pages: AsyncIterator[Page], sheet: str = "Export"
) -> AsyncIterator[bytes]:
    """openpyxl's write-only mode keeps rows on disk, not in memory; the finished file is streamed."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=_sheet_title(sheet))
    worksheet.append([safe_text(h) for h in header])
    async for page in pages:
        for record in page:
            worksheet.append([_xlsx_value(v, n) for v, n in zip(record, numeric, strict=True)])
    with tempfile.TemporaryFile() as tmp:
        workbook.save(tmp)
        tmp.seek(0)
        while chunk := tmp.read(CHUNK):
            yield chunk


def _sheet_title(name: str) -> str:
    cleaned = re.sub(r"[\[\]\*\?/\\:]", " ", name).strip() or "Export"
    return cleaned[:31]


async def json_chunks(header: list[str], pages: AsyncIterator[Page]) -> AsyncIterator[bytes]:
    yield b"["
    first = True
    async for page in pages:
        parts = [orjson.dumps(dict(zip(header, record, strict=True))) for record in page]
        if parts:
            yield (b"" if first else b",") + b",".join(parts)
            first = False
    yield b"]"


def _coordinate(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number


async def geojson_chunks(
    header: list[str], lat_index: int, lon_index: int, pages: AsyncIterator[Page]
) -> AsyncIterator[bytes]:
    """A FeatureCollection of points; rows without valid coordinates are left out."""
    yield b'{"type":"FeatureCollection","features":['
    first = True
    async for page in pages:
        parts = []
        for record in page:
            lat, lon = _coordinate(record[lat_index]), _coordinate(record[lon_index])
            if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
                continue
            feature = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": dict(zip(header, record, strict=True)),
            }
            parts.append(orjson.dumps(feature))
        if parts:
            yield (b"" if first else b",") + b",".join(parts)
            first = False
    yield b"]}"
