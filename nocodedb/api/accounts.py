"""Sign up, sign in, refresh, the current user, password change."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from nocodedb import errors
from nocodedb.api.http import JSONResponse, actor_for, client_ip, ctx_of, read_model, transaction
from nocodedb.api.models import ChangePassword, SignUp, TokenAuth, TokenRefresh
from nocodedb.api.routing import Routes
from nocodedb.services import users

routes = Routes()


@routes.add("/api/user/", ["POST"], "Sign up; the first account administers the instance", auth="public", body=SignUp)
async def sign_up(request: Request) -> Response:
    body = await read_model(request, SignUp)
    ctx = ctx_of(request)
    async with transaction(request) as conn:
        user = await users.sign_up(conn, body.name, str(body.email), body.password, body.language)
    if not body.authenticate:
        return JSONResponse(user)
    async with transaction(request) as conn:
        tokens = await users.sign_in(conn, ctx, str(body.email), body.password, client_ip(request))
    return JSONResponse(tokens)


@routes.add(
    "/api/user/token-auth/", ["POST"], "Sign in: JWT access token and refresh token", auth="public", body=TokenAuth
)
async def token_auth(request: Request) -> Response:
    body = await read_model(request, TokenAuth)
    async with transaction(request) as conn:
        result = await users.sign_in(conn, ctx_of(request), body.email, body.password, client_ip(request))
    return JSONResponse(result)


@routes.add(
    "/api/user/token-refresh/", ["POST"], "A new access token from a refresh token", auth="public", body=TokenRefresh
)
async def token_refresh(request: Request) -> Response:
    body = await read_model(request, TokenRefresh)
    token = body.refresh_token or body.token
    if not token:
        raise errors.RequestBodyInvalid({"refresh_token": [{"error": "This field is required.", "code": "required"}]})
    async with transaction(request) as conn:
        result = await users.refresh(conn, ctx_of(request), token)
    return JSONResponse(result)


@routes.add(
    "/api/user/token-blacklist/", ["POST"], "Revoke a refresh token (sign out)", auth="public", body=TokenRefresh
)
async def token_blacklist(request: Request) -> Response:
    body = await read_model(request, TokenRefresh)
    token = body.refresh_token or body.token
    if not token:
        raise errors.RequestBodyInvalid({"refresh_token": [{"error": "This field is required.", "code": "required"}]})
    async with transaction(request) as conn:
        await users.revoke_refresh_token(conn, token)
    return Response(status_code=204)


@routes.add("/api/user/dashboard/", ["GET"], "The current user")
@routes.add("/api/user/me/", ["GET"], "The current user")
async def me(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await users.current_user(conn, actor.require_user()))


@routes.add(
    "/api/user/change-password/", ["POST"], "Change the password; ends every other session", body=ChangePassword
)
async def change_password(request: Request) -> Response:
    body = await read_model(request, ChangePassword)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        result = await users.change_password(
            conn, ctx_of(request), actor.require_user(), body.old_password, body.new_password
        )
    return JSONResponse(result)
