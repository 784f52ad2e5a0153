"""UI tests: a real nocodedb (uvicorn in a thread) on the test database, driven by Debian's Chromium.

Tests are plain `def` (sync Playwright). See /work/shared/BROWSER_TESTS.md.
"""

from __future__ import annotations

import itertools
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from nocodedb.app import create_app
from nocodedb.settings import Settings

_counter = itertools.count()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def base_url(settings: Settings, engine: Any) -> Iterator[str]:
    """A live server on a free port; depends on `engine` so that migrations are applied first."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the UI test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session", autouse=True)
def _server_first(base_url: str) -> str:
    """Start the server (and the database fixtures, which call asyncio.run) before Playwright's
    sync loop is running."""
    return base_url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": os.environ.get("CHROMIUM", "/usr/lib/chromium/chromium")}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_context_args,
        "locale": "fr-FR",
        "timezone_id": "Europe/Paris",
        "viewport": {"width": 1280, "height": 800},
        "permissions": ["clipboard-read", "clipboard-write"],
    }


class Api:
    """Builds data through the real REST API (sync), for tests that start from an existing table."""

    def __init__(self, base_url: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30)
        self.email = f"ui-{next(_counter)}-{secrets.token_hex(4)}@example.org"
        self.password = "correct horse battery"
        body = self.call("POST", "/api/user/", {"name": "Camille", "email": self.email, "password": self.password})
        self.token = body["access_token"]
        self.refresh_token = body["refresh_token"]
        self.workspace = self.call("POST", "/api/workspaces/", {"name": "Réseau"})
        self.database = self.call(
            "POST", f"/api/applications/workspace/{self.workspace['id']}/", {"name": "Suivi", "type": "database"}
        )

    def call(self, method: str, path: str, json: Any = None, expect: int | None = 200, **kw: Any) -> Any:
        headers = {"Authorization": f"JWT {self.token}"} if getattr(self, "token", None) else {}
        response = self.client.request(method, path, json=json, headers=headers, **kw)
        if expect is not None:
            assert response.status_code == expect, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    def table(self, name: str = "Bénévoles", fields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        table = self.call(
            "POST", f"/api/database/tables/database/{self.database['id']}/", {"name": name, "data": [["Nom"]]}
        )
        for spec in fields or []:
            self.call("POST", f"/api/database/fields/table/{table['id']}/", spec)
        table["fields"] = self.call("GET", f"/api/database/fields/table/{table['id']}/")
        table["by_name"] = {f["name"]: f for f in table["fields"]}
        return table

    def add_rows(self, table_id: int, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for i in range(0, len(items), 200):
            out += self.call("POST", f"/api/database/rows/table/{table_id}/batch/", {"items": items[i : i + 200]})[
                "items"
            ]
        return out

    def rows(self, table_id: int, **params: Any) -> list[dict[str, Any]]:
        return list(
            self.call("GET", f"/api/database/rows/table/{table_id}/", params={"size": 200, **params})["results"]
        )

    def supports_field_type(self, table_id: int, spec: dict[str, Any]) -> bool:
        """True when the server accepts this field type (the field is created, then deleted)."""
        response = self.client.post(
            f"/api/database/fields/table/{table_id}/", json=spec, headers={"Authorization": f"JWT {self.token}"}
        )
        if response.status_code != 200:
            return False
        self.call("DELETE", f"/api/database/fields/{response.json()['id']}/")
        return True


@pytest.fixture(scope="session")
def _shared_api(base_url: str) -> Iterator[Api]:
    a = Api(base_url)
    yield a
    a.client.close()


@pytest.fixture
def api(_shared_api: Api) -> Api:
    """One account for the run (signing up costs a password hash); each test makes its own tables."""
    return _shared_api


@pytest.fixture
def signed_in(page: Any, api: Api, base_url: str) -> Any:
    """A page whose session resumes from the refresh token (as after a reload), for `api`'s user."""
    page.add_init_script(f"sessionStorage.setItem('nocodedb.refresh', {api.refresh_token!r});")
    return page


@pytest.fixture(autouse=True)
def _no_page_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test when the page throws an uncaught JavaScript error."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield
    assert not errors, errors


def eventually(check: Any, timeout: float = 5.0) -> None:
    """Retry `check` (a function that asserts) until it passes: the page writes in the background."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
