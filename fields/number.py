"""Number and rating fields. Values are stored as JSON strings of the decimal: exact, no float drift."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import Numeric, String, and_, case, cast, func, literal
from sqlalchemy.sql.elements import ColumnElement

from fields.base import Field, FieldType, FieldValueError, RowSource

MAX_DIGITS = 50
# A plain decimal, optionally signed: what the SQL side accepts before it casts, so the cast never fails.
SQL_DECIMAL = r"^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$"
# Quantizing needs as many digits as the number has, more than the default context's 28.
DECIMALS = Context(prec=MAX_DIGITS + 20)


class NumberOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    number_decimal_places: int = PydanticField(default=0, ge=0, le=10)
    number_negative: bool = True


def format_decimal(value: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    try:
        rounded = value.quantize(quantum, rounding=ROUND_HALF_UP, context=DECIMALS)
    except InvalidOperation:
        message = f"Ensure that there are no more than {MAX_DIGITS} digits in total."
        raise FieldValueError(message, "max_digits") from None
    # Fixed-point text: str() would write 0.0000001 as "1E-7"; and no "-0.00" from "-0.001".
    return format(rounded.copy_abs() if rounded.is_zero() else rounded, "f")


def to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise FieldValueError("A valid number is required.")
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, (int, str)):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise FieldValueError("A valid number is required.") from None
        if not result.is_finite():
            raise FieldValueError("A valid number is required.")
        return result
    raise FieldValueError("A valid number is required.")


def parse_localized_number(text: str) -> Decimal:
    """Numbers as people type them: '1 234,5' (French), '1,234.5' (English), '12.5', '-3'."""
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in cleaned and "." in cleaned:
        # The separator that comes last is the decimal one.
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        cleaned = cleaned.replace(",", ".")
    return to_decimal(cleaned)


class NumberFieldType(FieldType):
    type = "number"
    options_model = NumberOptions
    formula_type = "number"
    compare_as = "number"

    def places(self, f: Field) -> int:
        return int(f.options.get("number_decimal_places", 0))

    def prepare_value(self, f: Field, value: Any) -> Any:
        if value is None or value == "":
            return None
        places = self.places(f)
        if type(value) is int:
            # Most numbers sent are whole: the same answer as the decimal path below, in a tenth of its time.
            return self._prepare_int(f, value, places)
        number = to_decimal(value)
        if number.adjusted() >= MAX_DIGITS - places:
            raise FieldValueError(f"Ensure that there are no more than {MAX_DIGITS} digits in total.", "max_digits")
        exponent = number.as_tuple().exponent
        if (
            isinstance(exponent, int)
            and -exponent > places
            and number != number.quantize(Decimal(1).scaleb(-places), context=DECIMALS)
        ):
            raise FieldValueError(f"Ensure that there are no more than {places} decimal places.", "max_decimal_places")
        if not f.options.get("number_negative", True) and number < 0:
            raise FieldValueError("Ensure this value is greater than or equal to 0.", "min_value")
        return format_decimal(number, places)

    def _prepare_int(self, f: Field, value: int, places: int) -> str:
        digits = str(abs(value))
        if len(digits) > MAX_DIGITS - places:
            raise FieldValueError(f"Ensure that there are no more than {MAX_DIGITS} digits in total.", "max_digits")
        if value < 0 and not f.options.get("number_negative", True):
            raise FieldValueError("Ensure this value is greater than or equal to 0.", "min_value")
        whole = str(value)
        return f"{whole}.{'0' * places}" if places else whole

    def parse_text(self, f: Field, text: str) -> Any:
        if not text.strip():
            return None
        number = parse_localized_number(text)
        return format_decimal(number, self.places(f))

    def sql_value(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return cast(row.data[f.key].astext, Numeric)

    def text_sql(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return row.data[f.key].astext

    def convert_same_type_sql(self, old: Field, new: Field, row: RowSource) -> ColumnElement[Any]:
        """New decimal places or sign rule: re-round (and drop negatives when they become forbidden)."""
        return self.from_text_sql(new, self.text_sql(old, row))

    def from_text_sql(self, f: Field, text: ColumnElement[Any]) -> ColumnElement[Any]:
        # French decimals ("3,5") convert too; anything else that is not a plain decimal becomes empty.
        cleaned = func.replace(func.replace(func.btrim(text), " ", ""), ",", ".")
        places = self.places(f)
        ok = cleaned.op("~")(literal(SQL_DECIMAL))
        if not f.options.get("number_negative", True):
            ok = and_(ok, ~cleaned.startswith("-"))
        # CASE guards the cast: AND does not promise to evaluate its left side first.
        rounded = func.round(cast(case((ok, cleaned)), Numeric), places)
        fits = func.length(cast(func.trunc(func.abs(rounded)), String)) <= MAX_DIGITS - places
        return case((fits, func.to_jsonb(cast(rounded, String))))


class RatingOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    max_value: int = PydanticField(default=5, ge=1, le=10)
    color: str = "dark-orange"
    style: str = "star"


class RatingFieldType(FieldType):
    """A whole number from 0 to max_value; 0 means not rated. Stored as a JSON number."""

    type = "rating"
    options_model = RatingOptions
    formula_type = "number"
    compare_as = "number"

    def prepare_value(self, f: Field, value: Any) -> Any:
        if value is None or value == "":
            return 0
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise FieldValueError("A valid integer is required.")
        try:
            number = int(value)
        except ValueError:
            raise FieldValueError("A valid integer is required.") from None
        maximum = int(f.options.get("max_value", 5))
        if not 0 <= number <= maximum:
            raise FieldValueError(f"Ensure this value is between 0 and {maximum}.")
        return number

    def to_api(self, f: Field, stored: Any) -> Any:
        return stored or 0

    def empty_api_value(self, f: Field) -> Any:
        return 0

    def default_value(self, f: Field) -> Any:
        return 0

    def parse_text(self, f: Field, text: str) -> Any:
        text = text.strip()
        if not text:
            return 0
        if set(text) <= {"★", "⭐", "*"}:
            return len(text)
        return int(parse_localized_number(text))

    def sql_value(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return func.coalesce(cast(row.data[f.key].astext, Numeric), 0)

    def text_sql(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return func.coalesce(row.data[f.key].astext, "0")

    def from_text_sql(self, f: Field, text: ColumnElement[Any]) -> ColumnElement[Any]:
        maximum = int(f.options.get("max_value", 5))
        cleaned = func.btrim(text)
        ok = cleaned.op("~")(literal(SQL_DECIMAL))
        short = case((func.length(cleaned) < 20, cleaned))
        value = func.round(cast(case((ok, short)), Numeric))
        in_range = and_(value >= 0, value <= maximum)
        return case((in_range, func.to_jsonb(cast(value, Numeric(20, 0)))), else_=func.to_jsonb(literal(0)))
