"""Accounts: sign up, sign in (JWT + refresh token), refresh, change password."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from nocodedb import errors
from nocodedb.auth.jwt_tokens import issue_access_token, read_access_token
from nocodedb.auth.passwords import hash_password, verify_password
from nocodedb.auth.secrets import new_token, token_hash
from nocodedb.context import AppContext
from nocodedb.db.schema import refresh_tokens, users
from nocodedb.services import audit
from nocodedb.services.actor import valid_id


def user_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "username": row.email,
        "email": row.email,
        "first_name": row.name,
        "name": row.name,
        "is_staff": row.is_staff,
        "language": row.language,
    }


async def sign_up(conn: AsyncConnection, name: str, email: str, password: str, language: str) -> dict[str, Any]:
    # The first account of an instance administers it; the lock makes "first" exact under concurrency.
    await conn.execute(select(func.pg_advisory_xact_lock(7_251_903_115)))
    first = (await conn.execute(select(func.count()).select_from(users))).scalar_one() == 0
    try:
        async with conn.begin_nested():
            row = (
                await conn.execute(
                    insert(users)
                    .values(
                        email=email.strip(),
                        name=name.strip(),
                        password_hash=hash_password(password),
                        is_staff=first,
                        language=language,
                    )
                    .returning(users)
                )
            ).one()
    except IntegrityError:
        raise errors.EmailTaken() from None
    await audit.record(conn, "user.signed_up", user_id=row.id)
    return user_json(row)


async def _issue_tokens(conn: AsyncConnection, ctx: AppContext, user_id: int) -> dict[str, str]:
    refresh = new_token()
    await conn.execute(
        insert(refresh_tokens).values(
            user_id=user_id,
            token_hash=token_hash(refresh),
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=ctx.settings.refresh_token_days),
        )
    )
    access = issue_access_token(ctx.secret, user_id, ctx.settings.access_token_minutes)
    return {"access_token": access, "refresh_token": refresh, "token": access}


async def sign_in(conn: AsyncConnection, ctx: AppContext, email: str, password: str, ip: str | None) -> dict[str, Any]:
    settings = ctx.settings
    key = email.strip().lower()
    failures = await audit.count_recent(conn, "user.sign_in_failed", settings.login_failure_window_seconds, email=key)
    if failures >= settings.login_failures_allowed:
        raise errors.RateLimited(headers={"Retry-After": str(settings.login_failure_window_seconds)})
    row = (await conn.execute(select(users).where(func.lower(users.c.email) == key))).one_or_none()
    if not verify_password(row.password_hash if row else None, password) or row is None:
        # Recorded in a transaction of its own: the request fails, but the rate limit must count it.
        async with ctx.engine.begin() as own:
            await audit.record(own, "user.sign_in_failed", ip=ip, email=key)
        raise errors.InvalidCredentials()
    await audit.record(conn, "user.signed_in", user_id=row.id, ip=ip)
    return {"user": user_json(row), **await _issue_tokens(conn, ctx, row.id)}


async def refresh(conn: AsyncConnection, ctx: AppContext, refresh_token: str) -> dict[str, Any]:
    found = (
        await conn.execute(
            select(refresh_tokens.c.user_id, users)
            .join(users, users.c.id == refresh_tokens.c.user_id)
            .where(
                refresh_tokens.c.token_hash == token_hash(refresh_token),
                refresh_tokens.c.revoked_at.is_(None),
                refresh_tokens.c.expires_at > func.now(),
            )
        )
    ).one_or_none()
    if found is None:
        raise errors.InvalidRefreshToken()
    access = issue_access_token(ctx.secret, found.user_id, ctx.settings.access_token_minutes)
    return {"access_token": access, "token": access, "user": user_json(found)}


async def revoke_refresh_token(conn: AsyncConnection, refresh_token: str) -> None:
    """Sign out: the refresh token stops working. An unknown token is not an error (nothing to reveal)."""
    await conn.execute(
        update(refresh_tokens)
        .where(refresh_tokens.c.token_hash == token_hash(refresh_token), refresh_tokens.c.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )


async def user_for_access_token(conn: AsyncConnection, ctx: AppContext, token: str) -> Any:
    claims = read_access_token(ctx.secret, token)
    if claims is None or not valid_id(claims.user_id):
        raise errors.InvalidAccessToken()
    row = (await conn.execute(select(users).where(users.c.id == claims.user_id))).one_or_none()
    # A password change ends every access token issued before it (iat has one-second precision).
    if row is None or claims.issued_at < row.password_changed_at.replace(microsecond=0):
        raise errors.InvalidAccessToken()
    return row


async def current_user(conn: AsyncConnection, user_id: int) -> dict[str, Any]:
    row = (await conn.execute(select(users).where(users.c.id == user_id))).one()
    return user_json(row)


async def change_password(
    conn: AsyncConnection, ctx: AppContext, user_id: int, old_password: str, new_password: str
) -> dict[str, Any]:
    row = (await conn.execute(select(users).where(users.c.id == user_id))).one()
    if not verify_password(row.password_hash, old_password):
        raise errors.APIError("The old password is not correct.")
    await conn.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(password_hash=hash_password(new_password), password_changed_at=func.now())
    )
    await conn.execute(
        update(refresh_tokens)
        .where(refresh_tokens.c.user_id == user_id, refresh_tokens.c.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
    await audit.record(conn, "user.password_changed", user_id=user_id)
    return await _issue_tokens(conn, ctx, user_id)
