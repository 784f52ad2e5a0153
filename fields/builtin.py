"""The list of built-in field types, in the order the web page offers them."""

from __future__ import annotations

from fields.automatic import AutonumberFieldType, UuidFieldType
from fields.base import FieldType
from fields.boolean import BooleanFieldType
from fields.dates import DateFieldType
from fields.duration import DurationFieldType
from fields.number import NumberFieldType, RatingFieldType
from fields.row_metadata import (
    CreatedByFieldType,
    CreatedOnFieldType,
    LastModifiedByFieldType,
    LastModifiedFieldType,
)
from fields.select import MultipleSelectFieldType, SingleSelectFieldType
from fields.text import EmailFieldType, LongTextFieldType, PhoneNumberFieldType, TextFieldType, UrlFieldType

BUILTIN_FIELD_TYPES: list[type[FieldType]] = [
    TextFieldType,
    LongTextFieldType,
    NumberFieldType,
    RatingFieldType,
    BooleanFieldType,
    DateFieldType,
    DurationFieldType,
    SingleSelectFieldType,
    MultipleSelectFieldType,
    UrlFieldType,
    EmailFieldType,
    PhoneNumberFieldType,
    AutonumberFieldType,
    UuidFieldType,
    CreatedOnFieldType,
    LastModifiedFieldType,
    CreatedByFieldType,
    LastModifiedByFieldType,
]
