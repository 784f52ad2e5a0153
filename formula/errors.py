"""The one exception of the formula package, and the stable codes of its problems.

Every problem has a ``code`` (a key of ``ERROR_PARAMS``) and ``params``: the editor shows the text of that
code in the person's language (frontend/i18n, ``formula.error.<code>``), filled in with the params. The
English ``message`` stays for API clients and logs; it is not what people read in the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ParamValue = str | int

# code -> the names of its params. The page has a French and an English text for each code, using exactly
# these names (tests/formula/test_error_texts.py). Params named "expected" and "got" hold type names
# (an accepted kind such as "number", or a formula type kind) that the page translates as well.
ERROR_PARAMS: dict[str, tuple[str, ...]] = {
    "invalid": (),
    "empty": (),
    "too_long": ("max",),
    "too_deep": ("max",),
    "invalid_character": ("char",),
    "unexpected_character": ("char",),
    "unclosed_text": ("quote",),
    "unclosed_field": (),
    "incomplete": (),
    "missing_closing_parenthesis": (),
    "extra_closing_parenthesis": (),
    "unexpected_text": ("found",),
    "invalid_number": (),
    "number_too_precise": (),
    "field_id_by_hand": (),
    "unknown_field": ("field",),
    "self_reference": ("field",),
    "circular_reference": ("fields",),
    "unknown_function": ("function",),
    "function_of_other_dialect": ("function", "dialect"),
    "arguments_at_least": ("function", "count", "got"),
    "arguments_exactly": ("function", "count", "got"),
    "arguments_between": ("function", "min", "max", "got"),
    "wrong_type_function": ("function", "expected", "got"),
    "wrong_type_operator": ("operator", "expected", "got"),
    "comparison_of_list": ("operator",),
    "results_types_differ": ("function",),
    "switch_arguments": ("function",),
    "function_problem": ("function", "detail"),
    "unknown_choice": ("function", "value", "choices"),
    "date_format_too_long": ("max",),
    "date_format_unknown_code": ("code", "format"),
    "unknown_timezone": ("timezone",),
    "needs_row": ("function",),
}

# What "expected" may hold (a parameter's accepted kind) and what "got" may hold (a formula type's kind).
EXPECTED_KINDS = ("text", "number", "boolean", "datetime", "date", "any", "scalar", "array", "file")
GOT_KINDS = ("text", "number", "boolean", "date", "datetime", "single_select", "file", "array", "blank", "error")


@dataclass(frozen=True)
class Problem:
    """What a function's own check (FunctionDef.check) finds wrong, with its code; the checker adds the
    function's name and the call's position."""

    code: str
    message: str
    params: dict[str, ParamValue] = field(default_factory=dict)


class FormulaError(ValueError):
    """A formula that cannot be parsed, type checked or stored.

    ``position`` is the 0-based character offset of the problem in the formula text (None when the
    problem is the formula as a whole); ``line`` and ``column`` are 1-based and derived from it when
    the text is known. ``code`` and ``params`` say what the problem is for the page (ERROR_PARAMS).
    """

    def __init__(
        self,
        message: str,
        position: int | None = None,
        text: str | None = None,
        *,
        code: str = "invalid",
        params: dict[str, ParamValue] | None = None,
    ) -> None:
        if code not in ERROR_PARAMS:
            raise ValueError(f"unknown formula error code {code!r}")
        self.message = message
        self.position = position
        self.code = code
        self.params: dict[str, ParamValue] = dict(params or {})
        self.line: int | None = None
        self.column: int | None = None
        if position is not None and text is not None:
            before = text[:position]
            self.line = before.count("\n") + 1
            self.column = position - (before.rfind("\n") + 1) + 1
        super().__init__(self._render())

    def _render(self) -> str:
        if self.position is None:
            return self.message
        where = f"at character {self.position}"
        if self.line is not None:
            where += f" (line {self.line}, column {self.column})"
        return f"{self.message} {where}"

    def with_text(self, text: str) -> FormulaError:
        """The same error, with line and column computed from ``text``."""
        return FormulaError(self.message, self.position, text, code=self.code, params=self.params)
