"""Indexes made automatically, in the background, when a field of a large table is sorted or filtered on.

Each index lives on the table's own partition (rows_<table id>) and is built with CREATE INDEX
CONCURRENTLY, so writes go on meanwhile. Until it exists a query may be slower, never wrong. The index
expressions are the very SQL the queries use (field types' sql_sort / sql_value / text_sql with inline
field keys), so the planner matches them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Text, cast, literal_column, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.asyncio import AsyncEngine

from fields import Field, FieldType, Registry, RowSource
from nocodedb.db.types import FieldDataJSONB
from views.filter_arrays import list_text
from views.filters import folded

log = logging.getLogger(__name__)
# Filter types answered by a btree on the typed value; text matching uses a trigram index instead.
RANGE_FILTERS = {
    "equal",
    "higher_than",
    "higher_than_or_equal",
    "lower_than",
    "lower_than_or_equal",
    "date_equal",
    "single_select_equal",
    "boolean",
}
TEXT_FILTERS = {"contains", "contains_not", "contains_word"}
LIST_FILTERS = {"has_value_equal", "has_not_value_equal", "link_row_has", "link_row_has_not"}
LIST_TEXT_FILTERS = {"has_value_containing"}


def _bare_source() -> RowSource:
    """Columns named without a table, as index expressions need them."""
    return RowSource(
        data=literal_column("data", FieldDataJSONB),
        id=literal_column("id"),
        created_at=literal_column("created_at"),
        updated_at=literal_column("updated_at"),
        created_by=literal_column("created_by"),
        updated_by=literal_column("updated_by"),
    )


def _sql(expr: Any) -> str:
    return str(expr.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def _or_none(build: Callable[[], IndexPlan | None]) -> IndexPlan | None:
    """The plan, or None when its expression has no literal SQL form (a parameter such as a select's option
    labels, or a JSONB constant): the query works without an index, and a read must never fail for one."""
    try:
        return build()
    except CompileError:
        return None


@dataclass(frozen=True)
class IndexPlan:
    name: str
    statement: str


def sort_index(table_id: int, f: Field, field_type: FieldType) -> IndexPlan | None:
    if not field_type.stored_in_data and field_type.select_api_sql(f, _bare_source()) is not None:
        return None
    expr = _sql(field_type.sql_sort(f, _bare_source()))
    name = f"ncdb_r{table_id}_sort_{f.id}"
    return IndexPlan(
        name, f'CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON rows_{table_id} (({expr}) NULLS FIRST, "order", id)'
    )


def filter_index(table_id: int, f: Field, field_type: FieldType, filter_type: str) -> IndexPlan | None:
    source = _bare_source()
    if filter_type in TEXT_FILTERS:
        expr = _sql(folded(field_type.text_sql(f, source)))
        name = f"ncdb_r{table_id}_trgm_{f.id}"
        return IndexPlan(
            name, f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON rows_{table_id} USING gin (({expr}) gin_trgm_ops)"
        )
    if filter_type in LIST_FILTERS and field_type.stored_in_data:
        # Links and lookups: the stored list's containment pre-filter (views/filter_arrays.py).
        # The very SQL the filters compile (the subscript form `data['k']`): the planner matches an index
        # expression only when written the same way (`data -> 'k'` would not be used).
        expr = _sql(field_type.raw(f, source))
        name = f"ncdb_r{table_id}_list_{f.id}"
        return IndexPlan(
            name,
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON rows_{table_id} USING gin (({expr}) jsonb_path_ops)",
        )
    if filter_type in LIST_TEXT_FILTERS and field_type.stored_in_data:
        # The list's folded JSON text, the pre-filter of has_value_containing (views/filter_arrays.py).
        expr = _sql(list_text(field_type.raw(f, source)))
        name = f"ncdb_r{table_id}_listtrgm_{f.id}"
        return IndexPlan(
            name, f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON rows_{table_id} USING gin (({expr}) gin_trgm_ops)"
        )
    if filter_type in RANGE_FILTERS and field_type.stored_in_data:
        # Select filters compare the stored option id as text: (data ->> 'k') = '3'.
        expr = _sql(
            field_type.sql_value(f, source) if field_type.compare_as != "select" else field_type.raw(f, source).astext
        )
        name = f"ncdb_r{table_id}_value_{f.id}"
        return IndexPlan(name, f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON rows_{table_id} (({expr}))")
    return None


def search_index_name(table_id: int) -> str:
    return f"ncdb_r{int(table_id)}_search"


def search_index(table_id: int) -> IndexPlan:
    """The pre-filter of views/search.py: a trigram index on the row's folded JSON text. Built only for
    large tables that are searched, since it costs every write on the table."""
    expr = _sql(folded(cast(_bare_source().data, Text)))
    name = search_index_name(table_id)
    return IndexPlan(
        name, f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON rows_{table_id} USING gin (({expr}) gin_trgm_ops)"
    )


def filter_uses(tree: Any) -> list[tuple[Any, str]]:
    """(field reference, filter type) of every condition in a filter tree."""
    if not isinstance(tree, dict):
        return []
    found = [(c.get("field"), str(c.get("type"))) for c in tree.get("filters") or [] if isinstance(c, dict)]
    for group in tree.get("groups") or []:
        found += filter_uses(group)
    return found


@dataclass
class IndexAdvisor:
    engine: AsyncEngine
    field_types: Registry[FieldType]
    large_table_rows: int
    _started: set[str] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    # One build at a time: two CREATE INDEX CONCURRENTLY on one table wait for each other and deadlock.
    _one_at_a_time: asyncio.Lock = field(default_factory=asyncio.Lock)

    def consider(self, table_id: int, row_count: int, plans: list[IndexPlan | None]) -> None:
        if row_count < self.large_table_rows:
            return
        for plan in plans:
            if plan is None or plan.name in self._started:
                continue
            self._started.add(plan.name)
            self._spawn(self._build(plan))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` in the background; wait() waits for it."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _build(self, plan: IndexPlan) -> None:
        try:
            async with self._one_at_a_time, self.engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                invalid = await conn.exec_driver_sql(
                    "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    f"WHERE c.relname = '{plan.name}' AND NOT i.indisvalid"
                )
                if invalid.first():
                    # A build that died half-way leaves an invalid index that IF NOT EXISTS would keep.
                    await conn.exec_driver_sql(f"DROP INDEX CONCURRENTLY IF EXISTS {plan.name}")
                await conn.exec_driver_sql(plan.statement)
            log.info("index %s ready", plan.name)
        except Exception as exc:
            # Never fatal: the query works without it. Allow a later attempt.
            if "canceling statement due to user request" in str(exc):
                log.info("index %s: build cancelled by a rewrite of the whole table", plan.name)
            else:
                log.exception("could not build index %s", plan.name)
            self._started.discard(plan.name)

    def rebuild_search(self, table_ids: set[int]) -> None:
        """Build again the search indexes a committed whole-table rewrite dropped (services/table_rewrite)."""
        for table_id in sorted(table_ids):
            plan = search_index(table_id)
            self._started.add(plan.name)
            self._spawn(self._build(plan))

    def repair_invalid(self) -> None:
        """At start: build again, in the background, the indexes a stopped process left half-built.

        A build cut off (the server killed during CREATE INDEX CONCURRENTLY) leaves an invalid index that
        no query uses but every write still updates. Those another process is building right now are
        left alone."""
        self._spawn(self._repair_invalid())

    async def _repair_invalid(self) -> None:
        try:
            async with self._one_at_a_time, self.engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                found = await conn.exec_driver_sql(
                    "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "WHERE NOT i.indisvalid AND c.relname ~ '^ncdb_r[0-9]+_' AND NOT EXISTS ("
                    " SELECT 1 FROM pg_stat_progress_create_index p JOIN pg_database d ON d.oid = p.datid"
                    " WHERE d.datname = current_database() AND p.index_relid = c.oid)"
                )
                for (name,) in found.all():
                    await conn.exec_driver_sql(f'REINDEX INDEX CONCURRENTLY "{name}"')
                    log.info("index %s rebuilt (it was left half-built)", name)
        except Exception:
            log.exception("could not rebuild the indexes left half-built")

    def forget_fields(self, field_ids: list[int]) -> None:
        """After a field is deleted or changes type: drop the indexes built for it (in the background,
        CONCURRENTLY). Every write re-indexed them for nothing, and after a type change the old expression
        would keep the name a new index needs. A later sort or filter on the field builds what it needs."""
        if not field_ids:
            return
        self._spawn(self._drop_for_fields([int(i) for i in field_ids]))

    async def _drop_for_fields(self, field_ids: list[int]) -> None:
        try:
            async with self._one_at_a_time, self.engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                pattern = "^ncdb_r[0-9]+_[a-z]+_(" + "|".join(str(i) for i in field_ids) + ")$"
                found = await conn.execute(
                    text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname ~ :p"),
                    {"p": pattern},
                )
                for (name,) in found.all():
                    await conn.exec_driver_sql(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
                    self._started.discard(name)
                    log.info("index %s dropped", name)
        except Exception:
            # Never fatal: an index left behind costs writes, not answers.
            log.exception("could not drop the indexes of fields %s", field_ids)

    async def wait(self) -> None:
        """For tests and shutdown: let the builds in flight finish."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def plans_for_query(
    table_id: int,
    sorts: list[tuple[Field, bool]],
    filters: list[tuple[Field, str]],
    field_types: Registry[FieldType],
    searched: bool = False,
) -> list[IndexPlan | None]:
    plans: list[IndexPlan | None] = [search_index(table_id)] if searched else []
    if sorts:
        first = sorts[0][0]
        plans.append(_or_none(lambda: sort_index(table_id, first, field_types.get(first.type))))
    for f, filter_type in filters:
        plans.append(_or_none(lambda f=f, t=filter_type: filter_index(table_id, f, field_types.get(f.type), t)))
    return plans
