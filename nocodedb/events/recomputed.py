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

_KEY = "ncdb_recomputed"
# table id -> row id -> ids of the fields whose value changed
Notes = dict[int, dict[int, set[int]]]


def _current(conn: AsyncConnection) -> object | None:
    return conn.sync_connection.get_transaction() if conn.sync_connection is not None else None


def note_recomputed(conn: AsyncConnection, f: Field, row_ids: Iterable[int]) -> None:
    ids = list(row_ids)
    if not ids:
        return
    tx = _current(conn)
    held = conn.info.get(_KEY)
    if held is None or held[0] is not tx:
        held = (tx, {})
        conn.info[_KEY] = held
    per_table: dict[int, set[int]] = held[1].setdefault(f.table_id, {})
    for row_id in ids:
        per_table.setdefault(row_id, set()).add(f.id)


def take_recomputed(conn: AsyncConnection) -> Notes:
    held = conn.info.pop(_KEY, None)
    if held is None or held[0] is not _current(conn):
        return {}
    notes: Notes = held[1]
    return notes
