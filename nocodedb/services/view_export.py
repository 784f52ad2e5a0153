"""Exports of a shared view: CSV (formula-like cells neutralized), JSON, and an iCal feed for calendars.

Pure functions over API rows (the shape row_to_api gives), so they are tested without a database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: Any) -> str:
    """An API value as the text of one CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return cell_text(value.get("value", value.get("name", "")))
    if isinstance(value, list):
        return ", ".join(cell_text(v) for v in value)
    return str(value)


def neutralize(text: str) -> str:
    """A cell that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    return "'" + text if text.startswith(DANGEROUS_STARTS) else text


def to_csv(header: list[str], records: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralize(h) for h in header])
    for record in records:
        writer.writerow([neutralize(cell_text(v)) for v in record])
    return out.getvalue()


def _ical_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r", "").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """RFC 5545: lines of at most 75 octets, continued with a leading space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    return [*out, current]


def _ical_moment(value: str) -> str | None:
    try:
        if "T" in value:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.UTC)
            return f":{moment:%Y%m%dT%H%M%SZ}"
        return f";VALUE=DATE:{dt.date.fromisoformat(value[:10]):%Y%m%d}"
    except ValueError:
        return None


def to_ical(name: str, events: list[tuple[int, str, str]], host: str = "nocodedb") -> str:
    """events: (row id, title, date or datetime as the API gives it)."""
    stamp = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//nocodedb//calendar view//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ical_escape(name)}",
    ]
    for row_id, title, when in events:
        start = _ical_moment(when)
        if start is None:
            continue
        lines += [
            "BEGIN:VEVENT",
            f"UID:row-{row_id}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART{start}",
            f"SUMMARY:{_ical_escape(title)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(part for line in lines for part in _fold(line)) + "\r\n"
