"""Accounts and tokens: rate limits, refresh tokens, JWT tampering, token rights, hashes, removed members."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib

import jwt
from sqlalchemy import delete, select, text

from nocodedb.db.schema import api_tokens, memberships, refresh_tokens
from tests.factories import signed_up
from tests.security.conftest import assert_error_shape, auth


async def _sign_in(client, email, password):
    return await client.post("/api/user/token-auth/", json={"email": email, "password": password})


async def test_repeated_failed_sign_ins_are_rate_limited(sclient, settings):
    person = await signed_up(sclient)
    bystander = await signed_up(sclient)
    for attempt in range(settings.login_failures_allowed):
        email = person.email.upper() if attempt % 2 else f"  {person.email} "
        response = await _sign_in(sclient, email, "wrong password")
        assert response.status_code == 401, response.text
        assert assert_error_shape(response)["error"] == "ERROR_INVALID_CREDENTIALS"
    for password in ("wrong again", person.password):  # even the right password waits
        response = await _sign_in(sclient, person.email, password)
        assert response.status_code == 429, response.text
        assert assert_error_shape(response)["error"] == "ERROR_TOO_MANY_REQUESTS"
        retry = response.headers.get("retry-after")
        assert retry is not None and retry.isdigit() and int(retry) > 0, response.headers
        assert "access_token" not in response.text
    assert (await _sign_in(sclient, bystander.email, bystander.password)).status_code == 200
    # An unknown email is limited the same way (no way to tell which emails exist).
    ghost = f"ghost-{person.email}"
    for _ in range(settings.login_failures_allowed):
        assert (await _sign_in(sclient, ghost, "x")).status_code == 401
    assert (await _sign_in(sclient, ghost, "x")).status_code == 429


async def test_refresh_tokens_are_revocable_and_die_with_a_password_change(sclient):
    person = await signed_up(sclient)
    first = (await _sign_in(sclient, person.email, person.password)).json()
    second = (await _sign_in(sclient, person.email, person.password)).json()
    refreshed = await sclient.post("/api/user/token-refresh/", json={"refresh_token": first["refresh_token"]})
    assert refreshed.status_code == 200 and refreshed.json()["access_token"]

    # Sign out: that refresh token stops working, the other session goes on.
    out = await sclient.post("/api/user/token-blacklist/", json={"refresh_token": first["refresh_token"]})
    assert out.status_code == 204, out.text
    again = await sclient.post("/api/user/token-refresh/", json={"refresh_token": first["refresh_token"]})
    assert again.status_code == 401 and assert_error_shape(again)["error"] == "ERROR_INVALID_REFRESH_TOKEN"
    assert (await sclient.post("/api/user/token-refresh/", json={"token": second["refresh_token"]})).status_code == 200

    # A password change revokes every refresh token and ends access tokens issued before it.
    await asyncio.sleep(1.05)  # access tokens carry their issue time to the second
    changed = await sclient.post(
        "/api/user/change-password/",
        json={"old_password": person.password, "new_password": "a brand new password"},
        headers=auth(second["access_token"]),
    )
    assert changed.status_code == 200, changed.text
    fresh = changed.json()
    for old in (first["refresh_token"], second["refresh_token"]):
        response = await sclient.post("/api/user/token-refresh/", json={"refresh_token": old})
        assert response.status_code == 401, response.text
    for old_access in (person.token, second["access_token"], refreshed.json()["access_token"]):
        response = await sclient.get("/api/user/me/", headers=auth(old_access))
        assert response.status_code == 401, response.text
        assert assert_error_shape(response)["error"] == "ERROR_INVALID_ACCESS_TOKEN"
    assert (await sclient.get("/api/user/me/", headers=auth(fresh["access_token"]))).status_code == 200
    again = await sclient.post("/api/user/token-refresh/", json={"refresh_token": fresh["refresh_token"]})
    assert again.status_code == 200
    assert (await _sign_in(sclient, person.email, person.password)).status_code == 401
    assert (await _sign_in(sclient, person.email, "a brand new password")).status_code == 200


async def test_tampered_jwts_are_refused(sclient, app):
    person = await signed_up(sclient)
    other = await signed_up(sclient)
    secret = app.state.ctx.secret
    now = dt.datetime.now(dt.UTC)
    uid = person.user["id"]
    claims = {"user_id": uid, "iat": now, "exp": now + dt.timedelta(minutes=5), "type": "access"}
    header, payload, signature = person.token.split(".")
    forged_payload = jwt.encode({**claims, "user_id": other.user["id"]}, "x" * 40, algorithm="HS256").split(".")[1]
    bad_tokens = {
        "alg none": jwt.encode(claims, None, algorithm="none"),
        "alg none, no signature dot": jwt.encode(claims, None, algorithm="none").rstrip("."),
        "wrong secret": jwt.encode(claims, "not the secret, but long enough for HS256", algorithm="HS256"),
        "HS512 with the right secret": jwt.encode(claims, secret, algorithm="HS512"),
        "expired": jwt.encode(
            {**claims, "iat": now - dt.timedelta(hours=2), "exp": now - dt.timedelta(hours=1)},
            secret,
            algorithm="HS256",
        ),
        "no exp": jwt.encode({k: v for k, v in claims.items() if k != "exp"}, secret, algorithm="HS256"),
        "refresh type": jwt.encode({**claims, "type": "refresh"}, secret, algorithm="HS256"),
        "user id as text": jwt.encode({**claims, "user_id": str(uid)}, secret, algorithm="HS256"),
        "unknown user": jwt.encode({**claims, "user_id": 2**62}, secret, algorithm="HS256"),
        "huge user id": jwt.encode({**claims, "user_id": 2**80}, secret, algorithm="HS256"),
        "payload swapped, signature kept": f"{header}.{forged_payload}.{signature}",
        "signature cut": f"{header}.{payload}.",
        "garbage": "not.a.jwt",
        "empty parts": "..",
    }
    for what, token in bad_tokens.items():
        for scheme in ("JWT", "Bearer"):
            response = await sclient.get("/api/user/me/", headers={"Authorization": f"{scheme} {token}"})
            assert response.status_code == 401, (what, response.status_code, response.text)
            assert_error_shape(response)
            assert person.email not in response.text and other.email not in response.text
    # A valid token still works; a database token key is no JWT.
    assert (await sclient.get("/api/user/me/", headers=auth(person))).status_code == 200
    assert (await sclient.get("/api/user/me/", headers={"Authorization": "Basic abc"})).status_code == 401
    assert (await sclient.get("/api/user/me/", headers={"Authorization": "JWT"})).status_code == 401


async def test_token_rights_are_capped_by_the_creator_role(sclient):
    owner = await signed_up(sclient)
    editor = await signed_up(sclient)
    viewer = await signed_up(sclient)
    ws = owner.workspace_id
    for person, role in ((editor, "editor"), (viewer, "viewer")):
        await owner.post(f"/api/workspaces/users/workspace/{ws}/", {"email": person.email, "permissions": role})
    table = await owner.table("Capped")
    rows_url = f"/api/database/rows/table/{table['id']}/"

    # A viewer cannot make a token at all.
    refused = await sclient.post("/api/database/tokens/", json={"name": "t", "workspace": ws}, headers=auth(viewer))
    assert refused.status_code == 403, refused.text
    key = (await editor.post("/api/database/tokens/", {"name": "editor's", "workspace": ws}))["key"]
    token = {"Authorization": f"Token {key}"}
    assert (await sclient.post(rows_url, json={}, headers=token)).status_code == 200

    # The creator is demoted: the token keeps reading but can no longer write, whatever it says.
    await owner.patch(f"/api/workspaces/users/workspace/{ws}/{editor.user['id']}/", {"permissions": "viewer"})
    assert (await sclient.get(rows_url, headers=token)).status_code == 200
    for method, url, body in (
        ("POST", rows_url, {}),
        ("POST", f"{rows_url}batch/", {"items": [{}]}),
        ("POST", f"{rows_url}batch-delete/", {"items": [1]}),
    ):
        response = await sclient.request(method, url, json=body, headers=token)
        assert response.status_code == 401, (url, response.text)
        assert assert_error_shape(response)["error"] == "ERROR_NO_PERMISSION_TO_TABLE"
    # Tokens never reach the schema, whatever their creator may do.
    for method, url, body in (
        ("POST", f"/api/database/fields/table/{table['id']}/", {"name": "x", "type": "text"}),
        ("GET", f"/api/database/tables/{table['id']}/", None),
        ("POST", "/api/database/tokens/", {"name": "t", "workspace": ws}),
    ):
        response = await sclient.request(method, url, headers=token, **({"json": body} if body else {}))
        assert response.status_code in (401, 403), (url, response.text)
    await owner.patch(f"/api/workspaces/users/workspace/{ws}/{editor.user['id']}/", {"permissions": "editor"})
    assert (await sclient.post(rows_url, json={}, headers=token)).status_code == 200


async def test_only_hashes_of_secrets_are_stored(sclient, engine):
    person = await signed_up(sclient)
    created = await person.post("/api/database/tokens/", {"name": "hashed", "workspace": person.workspace_id})
    key = created["key"]
    signed_in = (await _sign_in(sclient, person.email, person.password)).json()
    async with engine.connect() as conn:
        row = (await conn.execute(select(api_tokens).where(api_tokens.c.id == created["id"]))).one()
        assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
        stored = await conn.execute(
            select(refresh_tokens.c.token_hash).where(refresh_tokens.c.user_id == person.user["id"])
        )
        assert hashlib.sha256(signed_in["refresh_token"].encode()).hexdigest() in set(stored.scalars())
        for secret in (key, signed_in["refresh_token"], person.password):
            for table in ("api_tokens", "refresh_tokens", "users", "audit_log"):
                found = (
                    await conn.execute(
                        text(f"SELECT count(*) FROM {table} t WHERE strpos(t::text, :s) > 0"), {"s": secret}
                    )
                ).scalar_one()
                assert found == 0, f"{table} holds a secret in clear"
    # Listing and reading tokens never shows the key again.
    for url in ("/api/database/tokens/", f"/api/database/tokens/{created['id']}/"):
        assert key not in (await sclient.get(url, headers=auth(person))).text


async def test_a_removed_member_token_stops_working(sclient, engine):
    owner = await signed_up(sclient)
    member = await signed_up(sclient)
    ws = owner.workspace_id
    await owner.post(f"/api/workspaces/users/workspace/{ws}/", {"email": member.email, "permissions": "editor"})
    table = await owner.table("Shared")
    rows_url = f"/api/database/rows/table/{table['id']}/"
    created = await member.post("/api/database/tokens/", {"name": "member's", "workspace": ws})
    token = {"Authorization": f"Token {created['key']}"}
    assert (await sclient.get(rows_url, headers=token)).status_code == 200

    # There is no API to remove a member yet: remove the membership as the service would.
    async with engine.begin() as conn:
        await conn.execute(
            delete(memberships).where(memberships.c.workspace_id == ws, memberships.c.user_id == member.user["id"])
        )
    for method, url, body in (
        ("GET", rows_url, None),
        ("POST", rows_url, {}),
        ("GET", f"/api/database/fields/table/{table['id']}/", None),
    ):
        response = await sclient.request(method, url, headers=token, **({"json": body} if body is not None else {}))
        assert response.status_code == 401, (url, response.text)
        assert_error_shape(response)
    # A revoked token is dead too.
    other = await owner.post("/api/database/tokens/", {"name": "owner's", "workspace": ws})
    await owner.delete(f"/api/database/tokens/{other['id']}/")
    response = await sclient.get(rows_url, headers={"Authorization": f"Token {other['key']}"})
    assert response.status_code == 401 and assert_error_shape(response)["error"] == "ERROR_TOKEN_DOES_NOT_EXIST"
