"""The OpenAPI document, built from the declared routes and their pydantic request models."""

from __future__ import annotations

import re
from typing import Any

from nocodedb import __version__
from nocodedb.api.http import RouteDoc

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "detail": {}},
    "required": ["error", "detail"],
}


def _path(path: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for name, kind in re.findall(r"{(\w+)(?::(\w+))?}", path):
        params.append(
            {"name": name, "in": "path", "required": True, "schema": {"type": "integer" if kind == "int" else "string"}}
        )
    return re.sub(r"{(\w+)(?::\w+)?}", r"{\1}", path), params


def build_openapi(docs: list[RouteDoc]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for doc in docs:
        path, params = _path(doc.path)
        for method in doc.methods:
            operation: dict[str, Any] = {
                "summary": doc.summary,
                "parameters": params,
                "responses": {
                    "200": {"description": "Success"},
                    "4XX": {
                        "description": "An error in the one error shape",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                },
                "security": []
                if doc.auth == "public"
                else ([{"JWT": []}, {"Token": []}] if doc.auth == "token" else [{"JWT": []}]),
            }
            if doc.body is not None:
                name = doc.body.__name__
                schema = doc.body.model_json_schema(ref_template="#/components/schemas/{model}")
                schemas.update(schema.pop("$defs", {}))
                schemas[name] = schema
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                }
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "nocodedb API", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "JWT": {"type": "apiKey", "in": "header", "name": "Authorization", "description": "JWT <access token>"},
                "Token": {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Token <key>"},
            },
        },
    }
