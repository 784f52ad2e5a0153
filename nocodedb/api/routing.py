"""Declaring routes once: the Starlette route, its OpenAPI entry and its auth kind come from one place."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel
from starlette.routing import Route

from nocodedb.api.http import Handler, RouteDoc


class Routes:
    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.docs: list[RouteDoc] = []

    def add(
        self,
        path: str,
        methods: list[str],
        summary: str,
        *,
        auth: str = "user",
        body: type[BaseModel] | None = None,
    ) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            self.routes.append(Route(path, handler, methods=methods))
            self.docs.append(RouteDoc(path, tuple(methods), summary, body, auth))
            return handler

        return decorate

    def extend(self, other: Routes) -> None:
        self.routes += other.routes
        self.docs += other.docs
