"""The built-in function registry. Each module declares its entries; they register here the same way
a plugin's would (``FUNCTIONS.register(fn)``)."""

from __future__ import annotations

from ..registry import Registry
from . import array, date, logic, number, record, text


def builtin_registry() -> Registry:
    """A fresh registry with every built-in function (tests and plugins can build their own)."""
    registry = Registry()
    for module in (text, number, logic, date, array, record):
        for fn in module.FUNCTIONS:
            registry.register(fn)
    return registry


FUNCTIONS = builtin_registry()

__all__ = ["FUNCTIONS", "builtin_registry"]
