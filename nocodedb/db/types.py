"""Column types with SQL rendering choices that matter for speed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, bindparam
from sqlalchemy.dialects.postgresql import JSONB


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
