"""`nocodedb serve --demo`: a demo account with the network tracker installed, made once per instance.

Run by the CLI before the server starts, through the services (the same checks as the API). Idempotent:
when the demo account exists nothing is changed (its password was printed when it was made).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from fields import default_field_types
from nocodedb.db.schema import users
from nocodedb.services import users as user_service
from nocodedb.services import workspaces as workspace_service
from nocodedb.services.actor import Actor
from nocodedb.templates.install import install_template
from views.filters import default_filter_types

DEMO_EMAIL = "demo@example.org"
DEMO_NAME = "Démo"
DEMO_WORKSPACE = "Démo"
TRACKER = Path(__file__).resolve().parent.parent / "examples" / "alternatiba_schema.json"
# Two processes starting with --demo at once: one makes the account, the other sees it.
LOCK = 7_251_903_116


@dataclass(frozen=True)
class DemoAccount:
    email: str
    created: bool
    password: str | None = None  # only when created now
    workspace_id: int | None = None
    database_id: int | None = None


def load_tracker(path: Path = TRACKER) -> Any:
    if not path.exists():
        # examples/ is beside the package in a source checkout, not inside an installed wheel.
        raise FileNotFoundError(f"The network tracker template is not at {path}: run from a source checkout.")
    return json.loads(path.read_text(encoding="utf-8"))


async def ensure_demo(engine: AsyncEngine, password: str | None = None, template: Any = None) -> DemoAccount:
    """Make the demo account, its workspace and the tracker, unless the account exists."""
    async with engine.begin() as conn:
        await conn.execute(select(func.pg_advisory_xact_lock(LOCK)))
        found = (
            await conn.execute(select(users.c.id).where(func.lower(users.c.email) == DEMO_EMAIL))
        ).scalar_one_or_none()
        if found is not None:
            return DemoAccount(DEMO_EMAIL, created=False)
        password = password or secrets.token_urlsafe(12)
        user = await user_service.sign_up(conn, DEMO_NAME, DEMO_EMAIL, password, "fr")
        actor = Actor(user_id=user["id"])
        workspace = await workspace_service.create_workspace(conn, actor, DEMO_WORKSPACE)
        installed = await install_template(
            conn,
            default_field_types(),
            default_filter_types(),
            actor,
            workspace["id"],
            template if template is not None else load_tracker(),
        )
    return DemoAccount(DEMO_EMAIL, True, password, workspace["id"], installed["database"]["id"])


def describe(account: DemoAccount, url: str) -> str:
    if account.created:
        return (
            f"nocodedb: demo ready at {url} — sign in as {account.email} with the password {account.password}\n"
            f"nocodedb: (workspace {DEMO_WORKSPACE!r}, database {account.database_id}; the password is shown once)"
        )
    return f"nocodedb: demo account {account.email} already exists (its password was shown when it was made)"


def remember_demo_password(account: DemoAccount, data_dir: Path) -> None:
    """Keep the demo password next to the data (readable by its owner only), so a restart can say where it
    is; printed once on the console, it would otherwise be lost with the terminal."""
    path = data_dir / "demo-password.txt"
    if account.created and account.password:
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{account.email}\n{account.password}\n", encoding="utf-8")
        path.chmod(0o600)
    elif path.exists():
        print(f"nocodedb: the demo account's password is in {path.resolve()}", flush=True)
