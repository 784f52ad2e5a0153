"""Readable, unique, stable SQL names for views and columns, and safe quoting of identifiers and literals.

Names are slugs (lowercase ASCII letters, digits and `_`): BI tools and people writing SQL by hand use them
without quotes. The original names are kept in COMMENTs, which BI tools show as descriptions. Quoting is
still applied to every name we send, so no slug rule is load-bearing for safety.
"""

from __future__ import annotations

import re
import unicodedata

# PostgreSQL truncates identifiers to 63 bytes; slugs are ASCII, so characters = bytes.
MAX_IDENTIFIER = 63
RESERVED_COLUMNS = ("id", "created_on", "updated_on")
LINK_VALUES_SUFFIX = "_values"


def slugify(text: str, fallback: str, limit: int) -> str:
    """'Groupes locaux (été)' -> 'groupes_locaux_ete'; nothing readable -> fallback."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    if not slug:
        slug = fallback
    elif slug[0].isdigit():
        # Unquoted SQL names cannot start with a digit.
        slug = f"n{slug}"
    return slug[:limit].rstrip("_") or fallback[:limit]


def unique_name(base: str, taken: set[str], ident: int, reserve: int = 0) -> str:
    """`base`, or `base_<ident>` when taken; `reserve` keeps room for a suffix the caller will add."""
    limit = MAX_IDENTIFIER - reserve
    name = base[:limit]
    if name not in taken:
        return name
    suffix = f"_{ident}"
    name = base[: limit - len(suffix)] + suffix
    counter = 2
    while name in taken:  # only when a slug itself ends in another object's id
        extra = f"_{ident}_{counter}"
        name = base[: limit - len(extra)] + extra
        counter += 1
    return name


def view_base_name(database_name: str, table_name: str, table_id: int) -> str:
    database_slug = slugify(database_name, "database", 28)
    table_slug = slugify(table_name, f"table_{table_id}", 28)
    return f"{database_slug}__{table_slug}"


def quote_ident(name: str) -> str:
    if not name or "\x00" in name or len(name.encode("utf-8")) > MAX_IDENTIFIER:
        raise ValueError(f"not a usable SQL identifier: {name[:80]!r}")
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """A standard SQL string literal. Only valid with standard_conforming_strings on (checked by the service)."""
    if "\x00" in text:
        raise ValueError("text with a NUL character")
    return "'" + text.replace("'", "''") + "'"
