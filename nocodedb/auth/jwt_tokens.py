"""Short-lived JWT access tokens, signed with the instance's own secret."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import jwt

ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    issued_at: dt.datetime


def issue_access_token(secret: str, user_id: int, minutes: int) -> str:
    now = dt.datetime.now(dt.UTC)
    payload = {"user_id": user_id, "iat": now, "exp": now + dt.timedelta(minutes=minutes), "type": "access"}
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def read_access_token(secret: str, token: str) -> AccessClaims | None:
    """The claims of a valid, unexpired access token; None for anything else."""
    try:
        payload = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "iat"]})
    except jwt.PyJWTError:
        return None
    user_id = payload.get("user_id")
    if payload.get("type") != "access" or not isinstance(user_id, int):
        return None
    return AccessClaims(user_id=user_id, issued_at=dt.datetime.fromtimestamp(payload["iat"], dt.UTC))
