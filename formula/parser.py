"""Text -> lark tree -> our AST (formula.ast), with size and depth limits."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from lark import Lark, Token, Tree, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .ast import Binary, Boolean, Call, Dialect, FieldRef, Formula, Negate, Node, Number, String, children, walk
from .errors import FormulaError

MAX_LENGTH = 10_000
MAX_DEPTH = 64
# Exponents beyond this make numbers whose text alone would exceed the size limit.
MAX_EXPONENT = 1000

_TOKEN_NAMES = {
    "COMP_OP": "a comparison",
    "AMP": '"&"',
    "ADD_OP": '"+" or "-"',
    "MINUS": '"-"',
    "MUL_OP": '"*" or "/"',
    "NUMBER": "a number",
    "STRING": "a string",
    "BRACED": "a {field} reference",
    "NAME": "a name",
    "FIELD_KW": "field(...)",
    "LPAR": '"("',
    "RPAR": '")"',
    "COMMA": '","',
    "ID_PREFIX": "a field id",
    "$END": "the end of the formula",
}


@cache
def _lark() -> Lark:
    grammar = (Path(__file__).parent / "grammar.lark").read_text()
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


def unescape(body: str) -> str:
    """Backslash escapes: \\n, \\t, \\r, and \\x for any other x means x itself."""
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": "\n", "t": "\t", "r": "\r"}.get(nxt, nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def parse(text: str, *, stored: bool = False) -> Formula:
    """Parse formula text. ``stored=True`` also accepts the id-prefixed references of the stored form."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            f"the formula is too long: at most {MAX_LENGTH} characters",
            None,
            code="too_long",
            params={"max": MAX_LENGTH},
        )
    if not text.strip():
        raise FormulaError("the formula is empty", 0, text, code="empty")
    _check_characters(text)
    try:
        tree = _lark().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text) from None
    _check_tree_depth(tree, text)
    root = _Builder(text, stored).build(tree)
    too_deep = _first_too_deep(root)
    if too_deep is not None:
        raise _too_deep(too_deep.pos, text)
    dialect: Dialect = "airtable"
    if any(isinstance(n, FieldRef) and n.style == "field" for n in walk(root)):
        dialect = "baserow"
    return Formula(root=root, dialect=dialect, text=text)


def _first_too_deep(root: Node) -> Node | None:
    stack = [(root, 1)]
    while stack:
        node, d = stack.pop()
        if d > MAX_DEPTH:
            return node
        stack.extend((c, d + 1) for c in children(node))
    return None


def _check_characters(text: str) -> None:
    # PostgreSQL text cannot hold NUL, and lone surrogates are not UTF-8: either would fail at run time.
    for i, ch in enumerate(text):
        if ch == "\x00" or "\ud800" <= ch <= "\udfff":
            code_point = f"U+{ord(ch):04X}"
            raise FormulaError(
                f"invalid character {code_point}", i, text, code="invalid_character", params={"char": code_point}
            )


def _too_deep(pos: int, text: str) -> FormulaError:
    return FormulaError(
        f"the formula is nested too deeply: at most {MAX_DEPTH} levels",
        pos,
        text,
        code="too_deep",
        params={"max": MAX_DEPTH},
    )


def _syntax_error(exc: UnexpectedInput, text: str) -> FormulaError:
    # The code says what a person can do about it (close a parenthesis, a quote...), not which token the
    # grammar wanted: the English message keeps that detail.
    pos = getattr(exc, "pos_in_stream", None)
    code, params = "invalid", {}
    if isinstance(exc, UnexpectedToken):
        pos = exc.token.start_pos if exc.token.start_pos is not None else len(text)
        if exc.token.type == "$END":
            pos = len(text)
        expected = sorted({_TOKEN_NAMES.get(t, t) for t in exc.expected if t != "ID_PREFIX"})
        found = "the end of the formula" if exc.token.type == "$END" else repr(str(exc.token))
        msg = f"unexpected {found}, expected {' or '.join(expected)}"
        wanted = set(exc.expected) - {"ID_PREFIX"}
        if exc.token.type == "$END":
            code = "missing_closing_parenthesis" if "RPAR" in wanted and wanted <= {"RPAR", "COMMA"} else "incomplete"
        elif exc.token.type == "RPAR" and "RPAR" not in wanted and ("$END" in wanted or "COMMA" not in wanted):
            code = "extra_closing_parenthesis"
        else:
            code, params = "unexpected_text", {"found": str(exc.token)}
    elif isinstance(exc, UnexpectedCharacters):
        ch = text[pos] if pos is not None and pos < len(text) else ""
        msg = f"unexpected character {ch!r}"
        code, params = "unexpected_character", {"char": ch}
        if ch in "{'\"":
            msg = f"unclosed {ch}"
            code, params = ("unclosed_field", {}) if ch == "{" else ("unclosed_text", {"quote": ch})
    elif isinstance(exc, UnexpectedEOF):
        pos = len(text)
        msg = "unexpected end of the formula"
        code = "incomplete"
    else:  # pragma: no cover - lark has no other kinds
        msg = "syntax error"
    return FormulaError(msg, pos if pos is not None else len(text), text, code=code, params=params)


def _check_tree_depth(tree: Tree, text: str) -> None:
    # Iterative, so that very deep input is refused before any recursive step sees it. A call takes two
    # tree levels (the call and its argument list), so the tree may be deeper than the AST it makes;
    # the exact limit is checked on the AST.
    stack: list[tuple[Tree | Token, int]] = [(tree, 1)]
    while stack:
        node, d = stack.pop()
        if d > 3 * MAX_DEPTH:
            pos = node.start_pos if isinstance(node, Token) else getattr(node.meta, "start_pos", 0)
            raise _too_deep(pos, text)
        if isinstance(node, Tree):
            stack.extend((c, d + 1) for c in node.children)


class _Builder:
    def __init__(self, text: str, stored: bool) -> None:
        self.text = text
        self.stored = stored

    def build(self, t: Tree | Token) -> Node:
        if isinstance(t, Token):  # pragma: no cover - every token sits in a rule
            raise FormulaError("syntax error", t.start_pos, self.text)
        pos = t.meta.start_pos if not t.meta.empty else 0
        kind = t.data
        ch = t.children
        if kind == "number":
            return Number(self._number(ch[0]), pos)
        if kind == "string":
            return String(unescape(str(ch[0])[1:-1]), pos)
        if kind == "braced_ref":
            ref_id = self._id(ch[0]) if len(ch) == 2 else None
            return FieldRef(unescape(str(ch[-1])[1:-1]), "braces", ref_id, pos)
        if kind == "field_ref":
            ref_id = self._id(ch[0]) if len(ch) == 3 else None
            return FieldRef(unescape(str(ch[-1])[1:-1]), "field", ref_id, pos)
        if kind == "bare_name":
            name = str(ch[-1])
            if len(ch) == 1 and name.upper() in ("TRUE", "FALSE"):
                return Boolean(name.upper() == "TRUE", pos)
            return FieldRef(name, "bare", self._id(ch[0]) if len(ch) == 2 else None, pos)
        if kind == "call":
            args: tuple[Node, ...] = ()
            if len(ch) > 1 and isinstance(ch[1], Tree):
                args = tuple(self.build(a) for a in ch[1].children)
            return Call(str(ch[0]), args, pos)
        if kind == "negate":
            return Negate(self.build(ch[1]), pos)
        if kind == "binary":
            op = ch[1]
            return Binary(str(op), self.build(ch[0]), self.build(ch[2]), op.start_pos)
        raise FormulaError("syntax error", pos, self.text)  # pragma: no cover

    def _number(self, tok: Token) -> Decimal:
        try:
            value = Decimal(str(tok))
        except InvalidOperation:  # pragma: no cover - the grammar only lets numbers through
            raise FormulaError("invalid number", tok.start_pos, self.text, code="invalid_number") from None
        exp = value.as_tuple().exponent
        if isinstance(exp, int) and abs(exp) > MAX_EXPONENT:
            raise FormulaError(
                "the number is too large or too precise", tok.start_pos, self.text, code="number_too_precise"
            )
        return value

    def _id(self, tok: Token) -> int:
        if not self.stored:
            raise FormulaError(
                "unexpected '@': field ids are not written by hand", tok.start_pos, self.text, code="field_id_by_hand"
            )
        return int(str(tok)[1:])
