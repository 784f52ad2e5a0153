"""Field types: one module per type, all registered in one Registry built by default_field_types()."""

from __future__ import annotations

from fields.base import Field, FieldType, FieldValueError, RowSource
from fields.registry import Registry, UnknownType
from fields.support_sql import SUPPORT_SQL

__all__ = [
    "SUPPORT_SQL",
    "Field",
    "FieldType",
    "FieldValueError",
    "Registry",
    "RowSource",
    "UnknownType",
    "default_field_types",
]


def default_field_types() -> Registry[FieldType]:
    """A registry holding every built-in field type, registered as a plugin would register its own."""
    from fields.builtin import BUILTIN_FIELD_TYPES
    from fields.formula_field import FormulaFieldType
    from fields.link import LinkRowFieldType
    from fields.lookup import CountFieldType, LookupFieldType, RollupFieldType

    computed = [LinkRowFieldType, LookupFieldType, RollupFieldType, CountFieldType, FormulaFieldType]
    registry: Registry[FieldType] = Registry("field type")
    for field_type_class in [*BUILTIN_FIELD_TYPES, *computed]:
        registry.register(field_type_class.type, field_type_class())
    for _, field_type in registry.items():
        # Types that show other fields' values (lookups) need the registry itself.
        bind = getattr(field_type, "bind_registry", None)
        if bind is not None:
            bind(registry)
    return registry
