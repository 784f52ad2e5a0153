"""The one exception of the formula package."""

from __future__ import annotations


class FormulaError(ValueError):
    """A formula that cannot be parsed, type checked or stored.

    ``position`` is the 0-based character offset of the problem in the formula text (None when the
    problem is the formula as a whole); ``line`` and ``column`` are 1-based and derived from it when
    the text is known.
    """

    def __init__(self, message: str, position: int | None = None, text: str | None = None) -> None:
        self.message = message
        self.position = position
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
        return FormulaError(self.message, self.position, text)
