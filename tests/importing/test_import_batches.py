"""Large imports: the file read in blocks, rows converted while the previous batch is being inserted."""

from __future__ import annotations

import csv
import json
import re

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from nocodedb.importing import reader, service
from tests.factories import Api
from tests.importing.test_import import _job

# What the reader gave before it read blocks: one regular expression match and one decode per line.
LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
SAMPLES = [
    b'a,b\r\nc,"d\r\ne"\r\n',
    b"a\rb\rc",
    b"x\r\n\r\ny",
    b'"q\rw"\re',
    b"a" * 300 + b"\r" + b"b" * 10,
    b"\r\n\r\n",
    b"\r",
    b"ab\r\r\n\n\rc",
    "é,à\r\nü\nlast".encode(),
]


def _lines(data: bytes, codec: str) -> list[str]:
    return [m.group().decode(codec, errors="replace") for m in LINE.finditer(data)]


@pytest.mark.parametrize("data", SAMPLES)
def test_blocks_cut_only_at_line_ends(data: bytes) -> None:
    for codec in ("utf-8", "cp1252"):
        expected = _lines(data, codec)
        for block in (1, 2, 3, 5, 64, 1 << 18):
            got = list(reader._byte_lines(data, 0, codec, block))
            assert got == expected, (block, codec)
            assert list(csv.reader(got)) == list(csv.reader(expected))


def test_a_file_of_many_blocks_reads_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"".join(f'{i},"two\r\nlines {i}",été\r\n'.encode() for i in range(500))
    whole = list(reader.open_source(data).rows())
    monkeypatch.setattr(reader, "BLOCK", 7)
    assert list(reader.open_source(data).rows()) == whole
    cp1252 = data.decode().encode("cp1252")
    assert list(reader.open_source(cp1252).rows()) == whole
    assert len(whole) == 500 and whole[499] == ["499", "two\r\nlines 499", "été"]


async def test_bad_cells_across_batches_keep_their_file_rows(
    api: Api, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of 7 rows, turns given every 3 rows, statistics from 20 rows: 61 data rows make nine inserts,
    # each sent while the next batch is converted.
    monkeypatch.setattr(service, "BATCH", 7)
    monkeypatch.setattr(service, "YIELD_ROWS", 3)
    monkeypatch.setattr(service, "ANALYZE_ROWS", 20)
    lines = ["Nom,Membres,Courriel,Depuis"]
    expected_problems = set()
    for i in range(61):
        members, email, since = str(i), f"g{i}@example.org", f"2024-01-{1 + i % 28:02d}"
        row = len(lines) + 1  # the file's row number, the header being row 1
        if i % 9 == 4:
            members = "douze"
            expected_problems.add((row, "Membres", members))
        if i % 13 == 6:
            email = "pas une adresse"
            expected_problems.add((row, "Courriel", email))
        if i in (6, 34):
            since = "2024-13-45"
            expected_problems.add((row, "Depuis", since))
        lines.append(f"Groupe {i},{members},{email},{since}")
        if i % 20 == 10:
            lines.append("")  # a blank line: no row, but it still counts in the numbering
    columns = [
        {"index": 0, "name": "Nom", "type": "text"},
        {"index": 1, "name": "Membres", "type": "number", "number_decimal_places": 0},
        {"index": 2, "name": "Courriel", "type": "email"},
        {"index": 3, "name": "Depuis", "type": "date", "date_format": "ISO"},
    ]
    data = ("\n".join(lines) + "\n").encode()
    job = await api.post(
        f"/api/database/import/table/database/{api.database_id}/",
        files={"file": ("groupes.csv", data, "text/csv")},
        data={"name": "Groupes", "columns": json.dumps(columns)},
    )
    done = await _job(api, job)
    assert done["state"] == "finished", done
    result = done["result"]
    assert result["rows_created"] == 61
    assert {(p["row"], p["column"], p["value"]) for p in result["problems"]} == expected_problems
    assert result["problem_count"] == len(expected_problems)
    table_id = result["table"]["id"]
    found = (await api.rows(table_id, user_field_names="true", size=200))["results"]
    assert [r["Nom"] for r in found] == [f"Groupe {i}" for i in range(61)]
    assert found[5]["Membres"] == "5" and found[4]["Membres"] is None
    assert found[6]["Courriel"] is None and found[6]["Depuis"] is None and found[7]["Depuis"] == "2024-01-08"
    async with engine.connect() as conn:
        analyzed = await conn.execute(
            text("SELECT reltuples FROM pg_class WHERE relname = :name"), {"name": f"rows_{int(table_id)}"}
        )
        assert analyzed.scalar_one() == 61


async def test_a_failure_while_an_insert_is_in_flight_leaves_nothing(
    api: Api, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from collections.abc import Iterator

    from fields import default_field_types
    from nocodedb.services.actor import Actor
    from views.filters import default_filter_types

    monkeypatch.setattr(service, "BATCH", 5)
    calls = []

    def rows() -> Iterator[list[str]]:
        calls.append(1)
        yield ["Nom", "Membres"]
        for i in range(23):
            yield [f"Groupe {i}", str(i)]
        if len(calls) > 1:  # the layout's reading goes through; the import's fails after four batches
            raise csv.Error("unreadable line")

    source = reader.Source("csv", rows, line_count=25)

    async def progress(_: int) -> None:
        return None

    async with engine.connect() as conn:
        with pytest.raises(csv.Error):
            async with conn.begin():
                await service.import_new_table(
                    conn,
                    default_field_types(),
                    default_filter_types(),
                    Actor(user_id=api.user["id"]),
                    api.database_id,
                    "Cassé",
                    source,
                    None,
                    progress,
                )
        # The insert that was in flight ended before the rollback: the connection is free again.
        assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1
    assert len(calls) == 2
    tables = await api.get(f"/api/database/tables/database/{api.database_id}/")
    assert "Cassé" not in [t["name"] for t in tables]
