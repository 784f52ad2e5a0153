"""View types: grid, gallery, form, kanban, calendar. One small class each behind the ViewType protocol.

A view type knows its options (a pydantic model), its per-field options (a pydantic model), how to check
that its options name fields of the right type, which fields it shows, and what it can do (filter, sort,
group, share). Adding a view type is one class registered in default_view_types().
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic import Field as PydanticField

from fields import Field, FieldType, Registry


class ViewOptionsError(ValueError):
    """Options that do not fit; detail maps each option to its problems (the API's field error shape)."""

    def __init__(self, detail: dict[str, list[dict[str, str]]]) -> None:
        super().__init__(str(detail))
        self.detail = detail


def _problems(exc: ValidationError) -> dict[str, list[dict[str, str]]]:
    detail: dict[str, list[dict[str, str]]] = {}
    for problem in exc.errors():
        key = ".".join(str(p) for p in problem["loc"]) or "non_field_errors"
        detail.setdefault(key, []).append({"error": problem["msg"], "code": problem["type"]})
    return detail


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class NoViewOptions(_Model):
    pass


class GridOptions(_Model):
    row_identifier_type: Literal["id", "count"] = "id"
    row_height_size: Literal["small", "medium", "large"] = "small"


class GalleryOptions(_Model):
    card_cover_image_field: int | None = None


class KanbanOptions(_Model):
    single_select_field: int | None = None
    card_cover_image_field: int | None = None


class CalendarOptions(_Model):
    date_field: int | None = None


class FormOptions(_Model):
    title: str = PydanticField(default="", max_length=1000)
    description: str = PydanticField(default="", max_length=10_000)
    submit_text: str = PydanticField(default="Submit", max_length=255)
    submit_action: Literal["MESSAGE", "REDIRECT"] = "MESSAGE"
    submit_action_message: str = PydanticField(default="", max_length=10_000)
    submit_action_redirect_url: str = PydanticField(default="", max_length=2000)


class HiddenFieldOptions(_Model):
    hidden: bool = False
    order: int = 32767


class GridFieldOptions(HiddenFieldOptions):
    width: int = PydanticField(default=200, ge=50, le=2000)
    aggregation_raw_type: str = ""


class FormCondition(_Model):
    field: int
    type: str
    value: str = ""


class FormFieldOptions(_Model):
    enabled: bool = False
    required: bool = False
    name: str = PydanticField(default="", max_length=255)
    description: str = PydanticField(default="", max_length=5000)
    order: int = 32767
    show_when_matching_conditions: bool = False
    condition_type: Literal["AND", "OR"] = "AND"
    conditions: list[FormCondition] = PydanticField(default_factory=list, max_length=50)
    # Select fields: when include_all_select_options is false, only these option ids are offered.
    include_all_select_options: bool = True
    allowed_select_options: list[int] = PydanticField(default_factory=list, max_length=1000)


class ViewType:
    type: ClassVar[str]
    options_model: ClassVar[type[BaseModel]] = NoViewOptions
    field_options_model: ClassVar[type[BaseModel]] = HiddenFieldOptions
    can_filter: ClassVar[bool] = True
    can_sort: ClassVar[bool] = True
    can_group_by: ClassVar[bool] = False
    can_share: ClassVar[bool] = True
    # Options naming a field, and the field types (compare_as) each must have.
    field_references: ClassVar[dict[str, frozenset[str]]] = {}

    def validate_options(
        self, raw: dict[str, Any], fields: list[Field], field_types: Registry[FieldType]
    ) -> dict[str, Any]:
        try:
            options = self.options_model.model_validate(raw).model_dump(mode="json")
        except ValidationError as exc:
            raise ViewOptionsError(_problems(exc)) from None
        by_id = {f.id: f for f in fields}
        for name, kinds in self.field_references.items():
            ref = options.get(name)
            if ref is None:
                continue
            f = by_id.get(ref)
            if f is None or field_types.get(f.type).compare_as not in kinds:
                raise ViewOptionsError(
                    {
                        name: [
                            {
                                "error": f"The field {ref} is not a field of this table of a fitting type.",
                                "code": "invalid_field",
                            }
                        ]
                    }
                )
        return options

    def validate_field_options(self, raw: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.field_options_model.model_validate({**old, **raw}).model_dump(mode="json")
        except ValidationError as exc:
            raise ViewOptionsError(_problems(exc)) from None

    def default_field_options(self, f: Field) -> dict[str, Any]:
        return self.field_options_model().model_dump(mode="json")

    def field_options_for(self, fields: list[Field], stored: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Every field's options: the stored ones over the defaults (fields added later get defaults)."""
        return {str(f.id): {**self.default_field_options(f), **(stored.get(str(f.id)) or {})} for f in fields}

    def is_visible(self, f: Field, options: dict[str, Any]) -> bool:
        return f.primary or not options.get("hidden", False)

    def visible_fields(self, fields: list[Field], stored: dict[str, Any]) -> list[Field]:
        """The fields the view shows, in its order (the primary field first)."""
        all_options = self.field_options_for(fields, stored)
        shown = [f for f in fields if self.is_visible(f, all_options[str(f.id)])]
        return sorted(shown, key=lambda f: (not f.primary, all_options[str(f.id)].get("order", 32767), f.order, f.id))


class GridViewType(ViewType):
    type = "grid"
    options_model = GridOptions
    field_options_model = GridFieldOptions
    can_group_by = True


class GalleryViewType(ViewType):
    type = "gallery"
    options_model = GalleryOptions
    field_references = {"card_cover_image_field": frozenset({"file", "array"})}

    def default_field_options(self, f: Field) -> dict[str, Any]:
        # A new gallery shows the primary field only, as in Baserow.
        return {**super().default_field_options(f), "hidden": not f.primary}


class KanbanViewType(ViewType):
    type = "kanban"
    options_model = KanbanOptions
    field_references = {"single_select_field": frozenset({"select"})}


class CalendarViewType(ViewType):
    type = "calendar"
    options_model = CalendarOptions
    field_references = {"date_field": frozenset({"date"})}
    can_sort = False


class FormViewType(ViewType):
    type = "form"
    options_model = FormOptions
    field_options_model = FormFieldOptions
    can_filter = False
    can_sort = False

    def is_visible(self, f: Field, options: dict[str, Any]) -> bool:
        return bool(options.get("enabled", False))

    def visible_fields(self, fields: list[Field], stored: dict[str, Any]) -> list[Field]:
        all_options = self.field_options_for(fields, stored)
        shown = [f for f in fields if self.is_visible(f, all_options[str(f.id)])]
        return sorted(shown, key=lambda f: (all_options[str(f.id)].get("order", 32767), f.order, f.id))


def default_view_types() -> Registry[ViewType]:
    registry: Registry[ViewType] = Registry("view type")
    for cls in (GridViewType, GalleryViewType, FormViewType, KanbanViewType, CalendarViewType):
        registry.register(cls.type, cls())
    return registry
