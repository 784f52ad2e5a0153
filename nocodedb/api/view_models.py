"""Request bodies of the view routes (unknown keys are refused; they also feed the OpenAPI document)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FilterBody(_Strict):
    field: int
    type: str = Field(max_length=100)
    value: str = Field(default="", max_length=10_000)
    group: int | None = None


class FilterPatch(_Strict):
    field: int | None = None
    type: str | None = Field(default=None, max_length=100)
    value: str | None = Field(default=None, max_length=10_000)
    group: int | None = None


class FilterGroupBody(_Strict):
    filter_type: Literal["AND", "OR"] = "AND"
    parent_group: int | None = None


class FilterGroupPatch(_Strict):
    filter_type: Literal["AND", "OR"]


class SortBody(_Strict):
    field: int
    order: Literal["ASC", "DESC"] = "ASC"
    type: Literal["default", "order"] = "default"


class SortPatch(_Strict):
    field: int | None = None
    order: Literal["ASC", "DESC"] | None = None
    type: Literal["default", "order"] | None = None


class FieldOptionsBody(_Strict):
    field_options: dict[str, dict[str, Any]]


class ViewOrderBody(_Strict):
    view_ids: list[int] = Field(max_length=1000)


class EditLinksBody(_Strict):
    row_ids: list[int] | None = Field(default=None, max_length=1000)
    source_view_id: int | None = None
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class PublicAuthBody(_Strict):
    password: str = Field(max_length=256)
