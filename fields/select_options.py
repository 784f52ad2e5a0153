"""Select options: validation that keeps option ids stable, lookups, and adding options for new texts.

Option ids are per field. Rows store ids, so an id must never be given to another value: ids of removed
options are not reused while they are still in the old options, and the service clears removed ids from
rows (`removed_option_ids`) when it saves new options.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import Field as PydanticField

from fields.base import Field, FieldValueError

MAX_OPTIONS = 1000
MAX_VALUE = 255
COLORS = ("blue", "green", "orange", "red", "yellow", "purple", "light-blue", "light-green", "dark-orange")


class SelectOption(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int | None = PydanticField(default=None, ge=1, le=2**31 - 1)
    value: str = PydanticField(default="", max_length=MAX_VALUE)
    color: str = PydanticField(default="blue", max_length=50)


class SelectOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    select_options: list[SelectOption] = PydanticField(default_factory=list, max_length=MAX_OPTIONS)

    @field_validator("select_options")
    @classmethod
    def unique_ids(cls, options: list[SelectOption]) -> list[SelectOption]:
        given = [o.id for o in options if o.id is not None]
        if len(given) != len(set(given)):
            raise ValueError("select options have duplicate ids")
        return options


def options_of(f_options: dict[str, Any]) -> list[dict[str, Any]]:
    return list(f_options.get("select_options") or [])


def validate_select_options(raw: dict[str, Any], old: Field | None) -> dict[str, Any]:
    """Keep the ids of existing options; new options (no id, or an id this field never had) get fresh ids.

    On creation (no old field) given ids are kept: templates and imports refer to them. Bad options raise
    pydantic's ValidationError, as every options model does.
    """
    parsed = SelectOptions.model_validate(raw)
    old_ids = {int(o["id"]) for o in options_of(old.options)} if old else set()
    given = [o.id for o in parsed.select_options if o.id is not None]
    kept = {i for i in given if old is None or i in old_ids}
    next_id = max([*old_ids, *kept, 0]) + 1
    result = []
    for option in parsed.select_options:
        option_id = option.id
        if option_id is None or option_id not in kept:
            option_id, next_id = next_id, next_id + 1
        result.append({"id": option_id, "value": option.value, "color": option.color})
    return {**parsed.model_dump(mode="json"), "select_options": result}


def removed_option_ids(old: dict[str, Any], new: dict[str, Any]) -> set[int]:
    """Ids the new options dropped: the service removes them from rows when it saves the options."""
    kept = {o["id"] for o in options_of(new)}
    return {o["id"] for o in options_of(old)} - kept


def split_values(text: str) -> list[str]:
    """A multiple select's text -> its values, as from_text_sql splits it (commas, trimmed, no blanks)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def options_with_values(f_options: dict[str, Any], texts: Iterable[str | None]) -> dict[str, Any]:
    """The options plus one new option for each text no option has (case-insensitive), in first-seen order.

    The service calls it before converting a field to a select, so that no value is lost. Texts beyond
    MAX_OPTIONS, and the part of a text beyond MAX_VALUE, cannot become options: those cells end empty.
    """
    options = options_of(f_options)
    known = {str(o["value"]).strip().lower() for o in options}
    next_id = max([int(o["id"]) for o in options] + [0]) + 1
    added = []
    for text in texts:
        value = (text or "").strip()
        if not value or value.lower() in known or len(value) > MAX_VALUE:
            continue
        if len(options) + len(added) >= MAX_OPTIONS:
            break
        known.add(value.lower())
        added.append({"id": next_id, "value": value, "color": COLORS[(next_id - 1) % len(COLORS)]})
        next_id += 1
    return {**f_options, "select_options": options + added}


def by_id(f: Field) -> dict[int, dict[str, Any]]:
    # Built once per Field value (fields are immutable): reading 200 rows asks for it once per cell.
    cached: dict[int, dict[str, Any]] | None = f.__dict__.get("_options_by_id")
    if cached is None:
        cached = {int(o["id"]): o for o in options_of(f.options)}
        f.__dict__["_options_by_id"] = cached
    return cached


def find_option(f: Field, value: Any) -> int:
    """An API value (id, value text, or {id}/{value} object) -> the option id. Raises FieldValueError."""
    options = by_id(f)
    if isinstance(value, dict):
        value = value.get("id", value.get("value"))
    if isinstance(value, int) and not isinstance(value, bool) and value in options:
        return value
    if isinstance(value, str):
        wanted = value.strip().lower()
        for option_id, option in options.items():
            if str(option["value"]).strip().lower() == wanted:
                return option_id
        if wanted.isascii() and wanted.isdigit() and int(wanted) in options:
            return int(wanted)
    raise FieldValueError(f"The select option {str(value)[:80]!r} does not exist.", "does_not_exist")


def api_option(option: dict[str, Any]) -> dict[str, Any]:
    return {"id": option["id"], "value": option["value"], "color": option["color"]}


def value_map(f: Field) -> dict[str, str]:
    """Option id (as text) -> value: the bound JSONB map the SQL reads through."""
    return {str(o["id"]): str(o["value"]) for o in options_of(f.options)}


def id_map(f: Field) -> dict[str, int]:
    """Lower-cased trimmed value -> option id; the first option wins when values differ only by case."""
    result: dict[str, int] = {}
    for option in options_of(f.options):
        result.setdefault(str(option["value"]).strip().lower(), int(option["id"]))
    return result


def position_map(f: Field) -> dict[str, int]:
    return {str(o["id"]): index for index, o in enumerate(options_of(f.options))}
