"""The parser accepts what the printer prints, for any tree (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from formula import parse, to_text
from formula.ast import Binary, Boolean, Call, FieldRef, Negate, Node, Number, String

OPS = ["+", "-", "*", "/", "&", "=", "!=", "<>", "<", ">", "<=", ">="]
# The parser refuses NUL and lone surrogates (PostgreSQL text cannot hold them).
chars = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))
names = st.text(chars, min_size=1, max_size=12)
identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)

leaves: st.SearchStrategy[Node] = st.one_of(
    st.decimals(min_value=0, max_value=Decimal("1e12"), allow_nan=False, places=3).map(Number),
    st.text(chars, max_size=10).map(String),
    st.booleans().map(Boolean),
    names.map(lambda n: FieldRef(n, "braces")),
    names.map(lambda n: FieldRef(n, "field")),
    identifiers.filter(lambda n: n.upper() not in ("TRUE", "FALSE", "FIELD")).map(lambda n: FieldRef(n, "bare")),
)


def _extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.one_of(
        st.builds(Binary, st.sampled_from(OPS), children, children),
        st.builds(Negate, children),
        st.builds(Call, identifiers, st.lists(children, max_size=3).map(tuple)),
    )


trees = st.recursive(leaves, _extend, max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(trees)
def test_print_then_parse_is_identity(tree: Node) -> None:
    text = to_text(tree)
    parsed = parse(text)
    assert parsed.root == tree
    assert to_text(parsed) == text


@settings(max_examples=100, deadline=None)
@given(trees, st.integers(min_value=1, max_value=10_000))
def test_stored_form_round_trips_with_ids(tree: Node, field_id: int) -> None:
    from formula.references import map_refs

    with_ids = map_refs(tree, lambda r: FieldRef(r.name, r.style, field_id))
    assert parse(to_text(with_ids, with_ids=True), stored=True).root == with_ids
