"""From rows of text to proposed columns: the header row, unique names, and a field type per column.

Pure functions over a sample of rows; nothing here touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

from fields.boolean import FALSE_WORDS, TRUE_WORDS
from fields.dates import ISO_RE, LOCAL_RE

SAMPLE_ROWS = 1000
HEADER_SEARCH = 20
MAX_COLUMNS = 200
MAX_SELECT_OPTIONS = 12
BOOL_WORDS = {w for w in (*TRUE_WORDS, *FALSE_WORDS) if w and w not in ("0", "1")}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL = re.compile(r"^(https?://|www\.)[^\s]+$", re.IGNORECASE)
# Numbers as people write them: French "1 234,5", English "1,234.5", plain "12.5" / "12,5".
FRENCH_GROUPS = re.compile(r"^[+-]?\d{1,3}([ \u00a0\u202f.]\d{3})+(,\d+)?$")
ENGLISH_GROUPS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
PLAIN = re.compile(r"^[+-]?\d+([.,]\d+)?$")
RESERVED = {"id", "order"}


@dataclass
class Column:
    index: int
    name: str
    type: str = "text"
    options: dict[str, Any] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        return {"index": self.index, "name": self.name, "type": self.type, **self.options}


def find_header(rows: list[list[str]]) -> int:
    """The first row that fills at least half of the widest row: leading titles and blank rows are skipped."""
    widths = [sum(1 for c in r if c) for r in rows[:HEADER_SEARCH]]
    widest = max(widths, default=0)
    for index, width in enumerate(widths):
        if width and width * 2 >= widest:
            return index
    return 0


def unique_names(raw: list[str]) -> list[str]:
    names: list[str] = []
    taken: set[str] = set()
    for index, cell in enumerate(raw):
        base = (cell.strip() or f"Field {index + 1}")[:240]
        if base.lower() in RESERVED:
            base = f"{base} (import)"
        name, n = base, 2
        while name.lower() in taken:
            name, n = f"{base} {n}", n + 1
        taken.add(name.lower())
        names.append(name)
    return names


def width_of(header: list[str], sample: list[list[str]]) -> int:
    """Columns up to the last one that has a header or a value: empty trailing columns are dropped."""
    width = 0
    for record in [header, *sample]:
        for index in range(len(record) - 1, -1, -1):
            if record[index]:
                width = max(width, index + 1)
                break
    return min(width, MAX_COLUMNS)


def number_style(values: list[str]) -> str | None:
    """'fr' (comma decimals), 'en' (point decimals), or None when some value is not a number."""
    style = None
    for value in values:
        if ENGLISH_GROUPS.match(value) and not FRENCH_GROUPS.match(value):
            style = style or "en"
        elif FRENCH_GROUPS.match(value):
            style = "fr" if "," in value or " " in value or "\u00a0" in value or "\u202f" in value else style
        elif PLAIN.match(value):
            if "," in value:
                style = "fr"
        else:
            return None
        digits = value.lstrip("+-")
        if len(digits) > 1 and digits[0] == "0" and (digits[1].isascii() and digits[1].isdigit()):
            return None  # postcodes, phone numbers: "01000" is text
    return style or "en"


def to_plain_decimal(value: str, style: str) -> str:
    cleaned = value.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    cleaned = cleaned.replace(".", "").replace(",", ".") if style == "fr" else cleaned.replace(",", "")
    try:
        # Fixed-point: str() writes 0.0000001 as "1E-7", which counted as no decimal places.
        return format(Decimal(cleaned), "f")
    except InvalidOperation:
        return ""


def _places(values: Iterable[str], style: str) -> int:
    places = 0
    for value in values:
        plain = to_plain_decimal(value, style)
        if "." in plain:
            places = max(places, len(plain.split(".")[1]))
    return min(places, 10)


def infer_type(name: str, values: list[str], primary: bool) -> tuple[str, dict[str, Any]]:
    filled = [v for v in values if v]
    if not filled:
        return "text", {}
    lower = {v.lower() for v in filled}
    if any("\n" in v or len(v) > 255 for v in filled):
        return ("text", {}) if primary else ("long_text", {})
    if not primary and lower <= BOOL_WORDS:
        return "boolean", {}
    style = number_style(filled)
    if style is not None:
        places = _places(filled, style)
        return "number", {"number_decimal_places": places, "number_negative": True, "number_style": style}
    if all(ISO_RE.match(v) or LOCAL_RE.match(v) for v in filled):
        with_time = any(re.search(r"\d:\d\d", v) for v in filled)
        local = any(not ISO_RE.match(v) for v in filled)
        return "date", {"date_format": "EU" if local else "ISO", "date_include_time": with_time}
    if all(EMAIL.match(v) for v in filled):
        return "email", {}
    if all(URL.match(v) for v in filled):
        return "url", {}
    distinct = list(dict.fromkeys(filled))
    if (
        not primary
        and len(filled) >= 4
        and len(distinct) < len(filled)
        and len(distinct) <= min(MAX_SELECT_OPTIONS, (len(filled) * 3 + 4) // 5)
        and all(len(v) <= 60 for v in distinct)
    ):
        colors = ("blue", "green", "orange", "red", "yellow", "purple", "light-blue", "light-green", "dark-orange")
        options = [{"value": v, "color": colors[i % len(colors)]} for i, v in enumerate(distinct)]
        return "single_select", {"select_options": options}
    return "text", {}


@dataclass
class Layout:
    header_index: int
    columns: list[Column]
    sample: list[list[str]]


def layout(rows: Iterable[list[str]], sample_size: int = SAMPLE_ROWS) -> Layout:
    head = list(islice(iter(rows), sample_size + HEADER_SEARCH))
    header_index = find_header(head)
    header = head[header_index] if head else []
    sample = [r for r in head[header_index + 1 :] if any(r)][:sample_size]
    width = max(width_of(header, sample), 1)
    names = unique_names([header[i] if i < len(header) else "" for i in range(width)])
    columns = []
    for index, name in enumerate(names):
        values = [r[index] if index < len(r) else "" for r in sample]
        kind, options = infer_type(name, values, primary=index == 0)
        columns.append(Column(index, name, kind, options))
    return Layout(header_index, columns, [(r + [""] * width)[:width] for r in sample])
