"""Reading a file into rows of text cells: encodings, delimiters, XLSX sheets, JSON lists, pasted text.

Pure functions. A Source can be iterated more than once (inference reads a sample, the import reads all).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson

from nocodedb import errors

FORMATS = ("csv", "xlsx", "json", "paste")
DELIMITERS = (",", ";", "\t")
SNIFF_LINES = 50
CHECK_CHUNK = 1 << 20
LINE_END = re.compile(rb"\r\n|\r|\n")
# Bytes decoded at once by _byte_lines (then about four times as much in its io.StringIO).
BLOCK = 1 << 18
csv.field_size_limit(10 * 1024 * 1024)


@dataclass
class Source:
    """Rows of text cells, read anew each time `rows()` is called."""

    format: str
    rows: Callable[[], Iterator[list[str]]]
    encoding: str | None = None
    delimiter: str | None = None
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    # For text files: the number of lines, an upper bound of the number of rows known without parsing.
    line_count: int | None = None


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), else Windows-1252 (what French spreadsheet exports usually are)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined: those become U+FFFD rather than failing the import.
        return data.decode("cp1252", errors="replace"), "windows-1252"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most columns, the same number on most lines."""
    sample = [line for line in text.splitlines()[:SNIFF_LINES] if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        widths = [len(r) for r in csv.reader(sample, delimiter=delimiter)]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        score = (widths.count(common) if common > 1 else 0, common)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_source(text: str, fmt: str, encoding: str | None, delimiter: str | None) -> Source:
    if "\x00" in text:
        raise errors.ImportFileInvalid("The file holds NUL characters: it is not a text file.")
    chosen = delimiter or ("\t" if fmt == "paste" else sniff_delimiter(text))

    def rows() -> Iterator[list[str]]:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=chosen):
            yield [c.strip() for c in record]

    return Source(fmt, rows, encoding, chosen, line_count=text.count("\n") + 1)


def text_encoding(data: bytes) -> tuple[int, str, str]:
    """(BOM bytes to skip, codec, encoding's name) of an 8-bit text file, checked without a decoded copy."""
    if data.startswith(b"\xef\xbb\xbf"):
        return 3, "utf-8", "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), CHECK_CHUNK):
            decoder.decode(data[start : start + CHECK_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined: those become U+FFFD rather than failing the import.
        return 0, "cp1252", "windows-1252"
    return 0, "utf-8", "utf-8"


def _byte_lines(data: bytes, skip: int, codec: str, block: int | None = None) -> Iterator[str]:
    """The lines of the file, line ends kept (\r\n, \n or \r), as csv's newline="" reading cuts them.

    Line ends are single bytes in UTF-8 and cp1252, never inside a character: the bytes are decoded a block
    of whole lines at a time (a decoded copy of the whole file would cost its size again, four times over in
    an io.StringIO) and io.StringIO cuts each block into lines (a regular expression and a decode per line
    cost a third more)."""
    start, size, block = skip, len(data), block or BLOCK
    while start < size:
        end = start + block
        if end >= size:
            end = size
        else:
            cut = data.rfind(b"\n", start, end)
            if cut < 0:
                # A last \r may be the first half of a \r\n: the block ends at an earlier one, or goes on.
                cut = data.rfind(b"\r", start, end - 1)
            if cut >= 0:
                end = cut + 1
            else:
                found = LINE_END.search(data, end)
                end = found.end() if found else size
        yield from io.StringIO(data[start:end].decode(codec, errors="replace"), newline="")
        start = end


def _bytes_csv_source(data: bytes, fmt: str, delimiter: str | None) -> Source:
    """A CSV read from its bytes line by line: a decoded copy of a large file, or csv reading it from an
    io.StringIO (four bytes per character), took three times the file's size in memory."""
    if b"\x00" in data:
        raise errors.ImportFileInvalid("The file holds NUL characters: it is not a text file.")
    skip, codec, encoding = text_encoding(data)
    if delimiter is None and fmt == "paste":
        delimiter = "\t"
    if delimiter is None:
        delimiter = sniff_delimiter("".join(itertools.islice(_byte_lines(data, skip, codec), SNIFF_LINES)))
    chosen = delimiter

    def rows() -> Iterator[list[str]]:
        for record in csv.reader(_byte_lines(data, skip, codec), delimiter=chosen):
            yield [c.strip() for c in record]

    return Source(fmt, rows, encoding, chosen, line_count=data.count(b"\n") + 1)


def xlsx_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    return str(value).strip()


def _xlsx_source(data: bytes, sheet: str | None) -> Source:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise errors.ImportFileInvalid("The file is not a readable XLSX workbook.") from None
    names = list(workbook.sheetnames)
    chosen = sheet or names[0]
    if chosen not in names:
        problem = {"error": f"No sheet {chosen!r}; sheets: {names}.", "code": "invalid"}
        raise errors.ImportFileInvalid({"sheet": [problem]})

    def rows() -> Iterator[list[str]]:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for record in book[chosen].iter_rows(values_only=True):
                yield [xlsx_text(v) for v in record]
        finally:
            book.close()

    workbook.close()
    return Source("xlsx", rows, sheets=names, sheet=chosen)


def json_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(json_text(v) for v in value)
    if isinstance(value, dict):
        return json_text(value.get("value", value.get("name", orjson.dumps(value).decode())))
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


def _json_source(data: bytes) -> Source:
    try:
        items = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise errors.ImportFileInvalid(f"The file is not valid JSON: {exc.msg}.") from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise errors.ImportFileInvalid("A JSON import is a list of objects.")
    header: dict[str, None] = {}
    for item in items:
        for key in item:
            header.setdefault(str(key), None)
    names = list(header)

    def rows() -> Iterator[list[str]]:
        yield names
        for item in items:
            yield [json_text(item.get(k)) for k in names]

    return Source("json", rows)


def guess_format(filename: str | None, data: bytes) -> str:
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return "xlsx"
    if name.endswith(".json") or data.lstrip()[:1] == b"[":
        return "json"
    return "csv"


def open_source(
    data: bytes,
    fmt: str | None = None,
    *,
    filename: str | None = None,
    sheet: str | None = None,
    delimiter: str | None = None,
) -> Source:
    fmt = fmt or guess_format(filename, data)
    if fmt not in FORMATS:
        raise errors.ImportFileInvalid({"format": [{"error": f"One of {', '.join(FORMATS)}.", "code": "invalid"}]})
    if delimiter is not None and delimiter not in DELIMITERS:
        raise errors.ImportFileInvalid({"delimiter": [{"error": "Comma, semicolon or tab.", "code": "invalid"}]})
    if fmt == "xlsx":
        return _xlsx_source(data, sheet)
    if fmt == "json":
        return _json_source(data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: two bytes per line end, decoded whole
        text, encoding = decode(data)
        return _csv_source(text, fmt, encoding, delimiter)
    return _bytes_csv_source(data, fmt, delimiter)
