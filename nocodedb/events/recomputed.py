"""Rows whose computed values the engine changed, collected per transaction until a service emits events.

The Recomputer calls note_recomputed() after each UPDATE (it knows which ids really changed); the
service's emit call takes the notes with take_recomputed() and turns those of OTHER tables into
rows.updated events. Notes live on the connection and are bound to its current transaction, so the notes
of a transaction that rolled back are never emitted by the next one.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field
from nocodedb.db import tx_notes

_KEY = "ncdb_recomputed"
# table id -> row id -> ids of the fields whose value changed
Notes = dict[int, dict[int, set[int]]]


def note_recomputed(conn: AsyncConnection, f: Field, row_ids: Iterable[int]) -> None:
    ids = list(row_ids)
    if not ids:
        return
    notes: Notes = tx_notes.note(conn, _KEY, dict)
    per_table = notes.setdefault(f.table_id, {})
    for row_id in ids:
        per_table.setdefault(row_id, set()).add(f.id)


def take_recomputed(conn: AsyncConnection) -> Notes:
    notes: Notes | None = tx_notes.take(conn, _KEY)
    return notes or {}
