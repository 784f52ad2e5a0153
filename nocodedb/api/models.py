"""Request bodies as pydantic models: they validate input and describe it in the OpenAPI document."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictInt


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Name = Field(min_length=1, max_length=255)


class SignUp(Strict):
    name: str = Name
    email: EmailStr
    password: str = Field(min_length=8, max_length=256)
    language: Literal["fr", "en"] = "fr"
    authenticate: bool = True


class TokenAuth(Strict):
    email: str = Field(max_length=320)
    password: str = Field(max_length=256)
    username: str | None = Field(default=None, max_length=320)


class TokenRefresh(Strict):
    refresh_token: str | None = Field(default=None, max_length=512)
    token: str | None = Field(default=None, max_length=512)


class ChangePassword(Strict):
    old_password: str = Field(max_length=256)
    new_password: str = Field(min_length=8, max_length=256)


class NameOnly(Strict):
    name: str = Name


class CreateApplication(Strict):
    name: str = Name
    type: Literal["database"] = "database"
    init_with_data: bool = False


class CreateTable(Strict):
    name: str = Name
    data: list[list[Any]] | None = None
    first_row_header: bool = True


class FieldSpec(BaseModel):
    """A field: name and type, plus the options of that type (checked by the field type itself)."""

    model_config = ConfigDict(extra="allow")
    name: str = Name
    type: str = Field(min_length=1, max_length=64)
    description: str | None = Field(default=None, max_length=10_000)


class FieldPatch(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str | None = Field(default=None, min_length=1, max_length=255)
    type: str | None = Field(default=None, min_length=1, max_length=64)
    description: str | None = Field(default=None, max_length=10_000)


class BatchItems(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[Any] = Field(min_length=1)


class BatchDelete(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Strict: `true` must not become row 1.
    items: list[StrictInt] = Field(min_length=1)


class CreateToken(Strict):
    name: str = Field(min_length=1, max_length=100)
    workspace: int | None = None
    group: int | None = None


class UpdateToken(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    permissions: dict[str, Any] | None = None
    rotate_key: bool = False


class AddMember(Strict):
    email: str = Field(max_length=320)
    permissions: Literal["admin", "builder", "editor", "commenter", "viewer"] = "editor"


class MemberRole(Strict):
    permissions: Literal["admin", "builder", "editor", "commenter", "viewer"]
