"""Column types with SQL rendering choices that matter for speed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, ColumnClause, bindparam, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.selectable import TableValuedAlias


class FieldDataJSONB(JSONB):
    """JSONB whose `data['12']` keys render inline (`data -> '12'`) rather than as bound parameters.

    Keys are field ids, never user text. Inline keys let PostgreSQL match expression indexes such as
    `((data ->> '12')::numeric)` and estimate per field, which a `data -> $1` parameter prevents.
    """

    class Comparator(JSONB.Comparator):  # type: ignore[name-defined,misc]
        def _setup_getitem(self, index: Any) -> Any:
            operator, key, result_type = super()._setup_getitem(index)
            if (
                isinstance(key, BindParameter)
                and isinstance(key.value, str)
                and (key.value.isascii() and key.value.isdigit())
            ):
                key = bindparam(None, key.value, type_=key.type, literal_execute=True)
            return operator, key, result_type

    comparator_factory = Comparator


def json_records(param: str, alias: str, *columns: ColumnClause[Any], value: Any = None) -> TableValuedAlias:
    """The rows of a JSON list bound as `param`, typed as `columns` (jsonb_to_recordset). One statement
    whatever the list's length, so SQLAlchemy compiles it once, where a multi-row VALUES has no cache key."""
    bound = bindparam(param, value, type_=JSONB) if value is not None else bindparam(param, type_=JSONB)
    return func.jsonb_to_recordset(bound).table_valued(*columns).render_derived(name=alias, with_types=True)
