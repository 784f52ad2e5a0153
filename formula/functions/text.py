"""Text functions (Airtable's set, and Baserow's text functions that Airtable has no equivalent for)."""

from __future__ import annotations

from sqlalchemy import Boolean, Text, cast, func, null
from sqlalchemy.sql.elements import ColumnElement

from .. import sqlx
from ..registry import CompileContext, FunctionDef, Typed
from ..types import BOOLEAN, NUMBER, TEXT, is_textlike
from ._define import P, define, simple

FUNCTIONS: list[FunctionDef] = []
C = "text"


def _concat(*parts: ColumnElement) -> ColumnElement:
    if not parts:
        return sqlx.text_lit("")
    out = parts[0]
    out = sqlx.txt("ncdb_f_concat", out, sqlx.text_lit("")) if len(parts) == 1 else out
    for p in parts[1:]:
        out = sqlx.txt("ncdb_f_concat", out, p)
    return out


def _opt(args: list[ColumnElement], i: int, default: ColumnElement) -> ColumnElement:
    return args[i] if len(args) > i else default


for _name in ("CONCATENATE", "CONCAT"):
    define(
        FUNCTIONS,
        _name,
        [P("text", "text")],
        TEXT,
        simple(_concat),
        'Joins texts (any values are read as text; empty values count as "").',
        [(f'{_name}("Hello", " ", {{Name}})', "Hello Ada Lovelace"), (f"{_name}({{Price}}, 'x')", "3.5x")],
        category=C,
        variadic=True,
    )

define(
    FUNCTIONS,
    "LEFT",
    [P("text", "text"), P("count", "number")],
    TEXT,
    simple(lambda t, n: sqlx.txt("ncdb_f_left", t, n)),
    "The first count characters. A negative count is an error (empty).",
    [('LEFT("quick brown", 5)', "quick"), ("LEFT({Name}, -1)", None)],
    category=C,
)
define(
    FUNCTIONS,
    "RIGHT",
    [P("text", "text"), P("count", "number")],
    TEXT,
    simple(lambda t, n: sqlx.txt("ncdb_f_right", t, n)),
    "The last count characters. A negative count is an error (empty).",
    [('RIGHT("quick brown", 5)', "brown")],
    category=C,
)
define(
    FUNCTIONS,
    "MID",
    [P("text", "text"), P("start", "number"), P("count", "number")],
    TEXT,
    simple(lambda t, s, n: sqlx.txt("ncdb_f_mid", t, s, n)),
    "count characters from the 1-based position start.",
    [('MID("quick brown", 7, 3)', "bro")],
    category=C,
)
for _name in ("LEN", "LENGTH"):
    define(
        FUNCTIONS,
        _name,
        [P("text", "text")],
        NUMBER,
        simple(lambda t: cast(func.char_length(t), sqlx.NUMERIC)),
        "The number of characters.",
        [(f'{_name}("quick")', "5"), (f"{_name}({{Name}})", "12")],
        category=C,
    )
define(
    FUNCTIONS,
    "LOWER",
    [P("text", "text")],
    TEXT,
    simple(lambda t: func.lower(t, type_=Text())),
    "Lower case.",
    [('LOWER("Hello")', "hello")],
    category=C,
)
define(
    FUNCTIONS,
    "UPPER",
    [P("text", "text")],
    TEXT,
    simple(lambda t: func.upper(t, type_=Text())),
    "Upper case.",
    [("UPPER({Status})", "IN PROGRESS")],
    category=C,
)
define(
    FUNCTIONS,
    "TRIM",
    [P("text", "text")],
    TEXT,
    simple(lambda t: sqlx.txt("ncdb_f_trim", t)),
    "Removes white space at the start and end.",
    [('TRIM("  hi  ")', "hi")],
    category=C,
)
define(
    FUNCTIONS,
    "SUBSTITUTE",
    [P("text", "text"), P("old", "text"), P("new", "text"), P("index", "number", True)],
    TEXT,
    simple(
        lambda t, o, n, i=None: sqlx.txt(
            "ncdb_f_substitute", t, o, n, i if i is not None else cast(null(), sqlx.NUMERIC)
        )
    ),
    "Replaces every occurrence of old by new, or only the index-th (1-based) occurrence.",
    [('SUBSTITUTE("a-b-c", "-", "+")', "a+b+c"), ('SUBSTITUTE("a-b-c", "-", "+", 2)', "a-b+c")],
    category=C,
)
define(
    FUNCTIONS,
    "REPLACE",
    [P("text", "text"), P("start", "number"), P("count", "number"), P("replacement", "text")],
    TEXT,
    simple(lambda t, s, n, r: sqlx.txt("ncdb_f_replace", t, s, n, r)),
    "Airtable: replaces count characters from the 1-based position start by replacement.",
    [('REPLACE("Hello world", 7, 5, "there")', "Hello there")],
    category=C,
    available="airtable",
)
define(
    FUNCTIONS,
    "REPLACE",
    [P("text", "text"), P("search", "text"), P("replacement", "text")],
    TEXT,
    simple(lambda t, s, r: sqlx.txt("ncdb_f_substitute", t, s, r, cast(null(), sqlx.NUMERIC))),
    "Baserow: replaces every occurrence of search by replacement (Airtable's SUBSTITUTE).",
    [("replace(field('Name'), 'Ada', 'Augusta')", "Augusta Lovelace")],
    category=C,
    available="baserow",
)
define(
    FUNCTIONS,
    "REPT",
    [P("text", "text"), P("count", "number")],
    TEXT,
    simple(lambda t, n: sqlx.txt("ncdb_f_rept", t, n)),
    "The text repeated count times. Results over 10 million characters are an error (empty).",
    [('REPT("ab", 3)', "ababab")],
    category=C,
)


def _find(needle: ColumnElement, hay: ColumnElement, start: ColumnElement | None) -> ColumnElement:
    return sqlx.num("ncdb_f_find", needle, hay, start if start is not None else sqlx.num_lit(1))


def _search_airtable(needle: ColumnElement, hay: ColumnElement, start: ColumnElement | None = None) -> ColumnElement:
    return func.nullif(_find(needle, hay, start), sqlx.num_lit(0), type_=sqlx.NUMERIC)


_FIND_PARAMS = [P("needle", "text"), P("haystack", "text"), P("start", "number", True)]
_HAY_FIRST = [P("haystack", "text"), P("needle", "text"), P("start", "number", True)]
define(
    FUNCTIONS,
    "FIND",
    _FIND_PARAMS,
    NUMBER,
    simple(lambda n, h, s=None: _find(n, h, s)),
    "Airtable: the 1-based position of needle in haystack (from start), 0 when absent. Case sensitive.",
    [('FIND("o", "hello world")', "5"), ('FIND("o", "hello world", 6)', "8"), ('FIND("z", "abc")', "0")],
    category=C,
    available="airtable",
)
define(
    FUNCTIONS,
    "FIND",
    _HAY_FIRST,
    NUMBER,
    simple(lambda h, n, s=None: _find(n, h, s)),
    "Baserow order: the position of needle in haystack, 0 when absent.",
    [("find(field('Name'), 'Love')", "5")],
    category=C,
    available="baserow",
)
define(
    FUNCTIONS,
    "SEARCH",
    _FIND_PARAMS,
    NUMBER,
    simple(_search_airtable),
    "Airtable: like FIND, but empty when needle is absent.",
    [('SEARCH("o", "hello world")', "5"), ('SEARCH("z", "abc")', None)],
    category=C,
    available="airtable",
)
define(
    FUNCTIONS,
    "SEARCH",
    _HAY_FIRST,
    NUMBER,
    simple(lambda h, n, s=None: _find(n, h, s)),
    "Baserow: search(haystack, needle) is the 1-based position of needle, 0 when absent.",
    [("search(field('Name'), 'Love')", "5"), ("search(field('Name'), 'zz')", "0")],
    category=C,
    available="baserow",
)


def _t(ctx: CompileContext, args: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
    # Decided by the argument's type: only text passes.
    return args[0] if is_textlike(typed[0].type) else cast(null(), Text())


define(
    FUNCTIONS,
    "T",
    [P("value", "any")],
    TEXT,
    _t,
    "The value if it is text, else empty.",
    [('T("hi")', "hi"), ("T(42)", None)],
    category=C,
)
define(
    FUNCTIONS,
    "ENCODE_URL_COMPONENT",
    [P("text", "text")],
    TEXT,
    simple(lambda t: sqlx.txt("ncdb_f_encode_uri", t, sqlx.text_lit(""))),
    "Percent-encodes text for use in a URL (JavaScript's encodeURIComponent).",
    [('ENCODE_URL_COMPONENT("a b&c")', "a%20b%26c")],
    category=C,
)
define(
    FUNCTIONS,
    "ENCODE_URI_COMPONENT",
    [P("text", "text")],
    TEXT,
    simple(lambda t: sqlx.txt("ncdb_f_encode_uri", t, sqlx.text_lit(""))),
    "Baserow's name for ENCODE_URL_COMPONENT.",
    [("encode_uri_component('a/b')", "a%2Fb")],
    category=C,
)
define(
    FUNCTIONS,
    "ENCODE_URI",
    [P("text", "text")],
    TEXT,
    simple(lambda t: sqlx.txt("ncdb_f_encode_uri", t, sqlx.text_lit(";,/?:@&=+$#"))),
    "Percent-encodes a whole URL, keeping its reserved characters (JavaScript's encodeURI).",
    [("encode_uri('http://x.org/a b?q=1')", "http://x.org/a%20b?q=1")],
    category=C,
)
define(
    FUNCTIONS,
    "REGEX_MATCH",
    [P("text", "text"), P("regex", "text")],
    BOOLEAN,
    simple(lambda t, r: func.coalesce(sqlx.call("ncdb_f_regex_match", t, r, type_=Boolean()), False, type_=Boolean())),
    "Whether the text matches the regular expression (PostgreSQL syntax; an invalid pattern is false).",
    [('REGEX_MATCH("abc123", "[0-9]+")', True), ('REGEX_MATCH("abc", "(")', False)],
    category=C,
)
define(
    FUNCTIONS,
    "REGEX_EXTRACT",
    [P("text", "text"), P("regex", "text")],
    TEXT,
    simple(lambda t, r: sqlx.txt("ncdb_f_regex_extract", t, r)),
    "The first match of the regular expression, or empty.",
    [('REGEX_EXTRACT("abc123def", "[0-9]+")', "123")],
    category=C,
)
define(
    FUNCTIONS,
    "REGEX_REPLACE",
    [P("text", "text"), P("regex", "text"), P("replacement", "text")],
    TEXT,
    simple(lambda t, r, s: sqlx.txt("ncdb_f_regex_replace", t, r, s)),
    "Replaces every match; $1 in the replacement is the first group. An invalid pattern gives empty.",
    [('REGEX_REPLACE("a1b22", "[0-9]+", "#")', "a#b#"), ('REGEX_REPLACE("ab", "(a)(b)", "$2$1")', "ba")],
    category=C,
)
define(
    FUNCTIONS,
    "CONTAINS",
    [P("text", "text"), P("search", "text")],
    BOOLEAN,
    simple(lambda t, s: func.coalesce(func.strpos(t, s) > 0, False, type_=Boolean())),
    "Whether text contains search (case sensitive).",
    [("contains({Name}, 'Love')", True), ("contains('abc', 'x')", False)],
    category=C,
)
define(
    FUNCTIONS,
    "REVERSE",
    [P("text", "text")],
    TEXT,
    simple(lambda t: func.reverse(t, type_=Text())),
    "The text backwards.",
    [("reverse('abc')", "cba")],
    category=C,
)
define(
    FUNCTIONS,
    "SPLIT_PART",
    [P("text", "text"), P("delimiter", "text"), P("position", "number")],
    TEXT,
    simple(lambda t, d, n: sqlx.txt("ncdb_f_split_part", t, d, n)),
    "The position-th (1-based) piece of text split at delimiter; empty if there is none.",
    [("split_part('a,b,c', ',', 2)", "b")],
    category=C,
)
define(
    FUNCTIONS,
    "TOTEXT",
    [P("value", "text")],
    TEXT,
    simple(lambda t: t),
    "Any value as text (numbers without trailing zeros, dates as ISO 8601).",
    [("totext({Price})", "3.5"), ("totext({Due})", "2024-03-15"), ("totext(TRUE)", "true")],
    category=C,
)
define(
    FUNCTIONS,
    "GET_SINGLE_SELECT_VALUE",
    [P("select", "text")],
    TEXT,
    simple(lambda t: t),
    "The option text of a single select.",
    [("get_single_select_value({Status})", "In progress")],
    category=C,
)
define(
    FUNCTIONS,
    "HAS_OPTION",
    [P("options", "any"), P("option", "text")],
    BOOLEAN,
    lambda ctx, a, typed: _has_option(a, typed),
    "Whether a multiple select (an array of texts) or a single select has the option.",
    [("has_option({Tags}, 'green')", True), ("has_option({Status}, 'Done')", False)],
    category=C,
)


def _has_option(a: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
    if typed[0].type.is_array:
        return sqlx.call("ncdb_f_array_has", a[0], a[1], type_=Boolean())
    return func.coalesce(sqlx.to_text(a[0], typed[0].type) == a[1], False, type_=Boolean())
