"""The one error shape: {"error": "ERROR_CODE", "detail": ...}, raised as APIError from anywhere.

Services raise these; the HTTP layer turns them into responses. Codes follow Baserow's where Baserow has one.
"""

from __future__ import annotations

from typing import Any


class APIError(Exception):
    status = 400
    code = "ERROR_BAD_REQUEST"
    message = "The request is not valid."

    def __init__(self, detail: Any = None, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail if detail is not None else self.message)
        self.detail = detail if detail is not None else self.message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "detail": self.detail}


def _error(name: str, status: int, code: str, message: str) -> type[APIError]:
    return type(name, (APIError,), {"status": status, "code": code, "message": message})


RequestBodyInvalid = _error(
    "RequestBodyInvalid", 400, "ERROR_REQUEST_BODY_VALIDATION", "The request body is not valid."
)
QueryInvalid = _error("QueryInvalid", 400, "ERROR_QUERY_PARAMETER_VALIDATION", "A query parameter is not valid.")
NotAuthenticated = _error(
    "NotAuthenticated", 401, "ERROR_NOT_AUTHENTICATED", "Authentication credentials were not provided."
)
InvalidAccessToken = _error(
    "InvalidAccessToken", 401, "ERROR_INVALID_ACCESS_TOKEN", "The access token is invalid or has expired."
)
InvalidRefreshToken = _error(
    "InvalidRefreshToken", 401, "ERROR_INVALID_REFRESH_TOKEN", "The refresh token is invalid or revoked."
)
InvalidCredentials = _error(
    "InvalidCredentials", 401, "ERROR_INVALID_CREDENTIALS", "No account was found with this email and password."
)
DatabaseTokenInvalid = _error(
    "DatabaseTokenInvalid", 401, "ERROR_TOKEN_DOES_NOT_EXIST", "The database token does not exist."
)
NoPermissionToTable = _error(
    "NoPermissionToTable", 401, "ERROR_NO_PERMISSION_TO_TABLE", "The token has no permission for this table."
)
UserNotInWorkspace = _error(
    "UserNotInWorkspace", 400, "ERROR_USER_NOT_IN_GROUP", "The user is not a member of this workspace."
)
PermissionDenied = _error(
    "PermissionDenied", 403, "ERROR_PERMISSION_DENIED", "Your role in this workspace does not allow this."
)
WorkspaceNotFound = _error("WorkspaceNotFound", 404, "ERROR_GROUP_DOES_NOT_EXIST", "The workspace does not exist.")
ApplicationNotFound = _error(
    "ApplicationNotFound", 404, "ERROR_APPLICATION_DOES_NOT_EXIST", "The database does not exist."
)
TableNotFound = _error("TableNotFound", 404, "ERROR_TABLE_DOES_NOT_EXIST", "The table does not exist.")
FieldNotFound = _error("FieldNotFound", 404, "ERROR_FIELD_DOES_NOT_EXIST", "The field does not exist.")
RowNotFound = _error("RowNotFound", 404, "ERROR_ROW_DOES_NOT_EXIST", "The row does not exist.")
TokenNotFound = _error("TokenNotFound", 404, "ERROR_TOKEN_DOES_NOT_EXIST", "The token does not exist.")
NotFound = _error("NotFound", 404, "ERROR_NOT_FOUND", "Nothing is here.")
MethodNotAllowed = _error("MethodNotAllowed", 405, "ERROR_METHOD_NOT_ALLOWED", "This method is not allowed here.")
EmailTaken = _error(
    "EmailTaken", 400, "ERROR_EMAIL_ALREADY_EXISTS", "An account with this email address already exists."
)
FieldNameTaken = _error(
    "FieldNameTaken", 400, "ERROR_FIELD_WITH_SAME_NAME_ALREADY_EXISTS", "A field with this name already exists."
)
CannotDeletePrimary = _error(
    "CannotDeletePrimary", 400, "ERROR_CANNOT_DELETE_PRIMARY_FIELD", "The primary field cannot be deleted."
)
IncompatiblePrimaryType = _error(
    "IncompatiblePrimaryType",
    400,
    "ERROR_INCOMPATIBLE_PRIMARY_FIELD_TYPE",
    "This field type cannot be the primary field.",
)
FieldTypeUnknown = _error("FieldTypeUnknown", 400, "ERROR_FIELD_TYPE_DOES_NOT_EXIST", "Unknown field type.")
FieldReadOnly = _error("FieldReadOnly", 400, "ERROR_FIELD_IS_READ_ONLY", "This field's values cannot be written.")
FilterFieldNotFound = _error(
    "FilterFieldNotFound", 400, "ERROR_FILTER_FIELD_NOT_FOUND", "The filter names a field that does not exist."
)
FilterTypeUnknown = _error(
    "FilterTypeUnknown", 400, "ERROR_VIEW_FILTER_TYPE_DOES_NOT_EXIST", "The filter type does not exist."
)
FilterNotCompatible = _error(
    "FilterNotCompatible",
    400,
    "ERROR_VIEW_FILTER_TYPE_UNSUPPORTED_FIELD",
    "This filter type does not apply to this field type.",
)
OrderByFieldNotFound = _error(
    "OrderByFieldNotFound", 400, "ERROR_ORDER_BY_FIELD_NOT_FOUND", "The order_by names a field that does not exist."
)
OrderByNotPossible = _error(
    "OrderByNotPossible", 400, "ERROR_ORDER_BY_FIELD_NOT_POSSIBLE", "This field cannot be sorted on."
)
PageInvalid = _error("PageInvalid", 404, "ERROR_INVALID_PAGE", "This page does not exist.")
TooManyItems = _error("TooManyItems", 400, "ERROR_REQUEST_BODY_VALIDATION", "Too many items in one request.")
BodyTooLarge = _error("BodyTooLarge", 413, "ERROR_REQUEST_BODY_TOO_LARGE", "The request body is too large.")
RateLimited = _error("RateLimited", 429, "ERROR_TOO_MANY_REQUESTS", "Too many attempts; wait and try again.")
Conflict = _error("Conflict", 409, "ERROR_CONFLICT", "The change conflicts with another one.")

# --- views (views, filters, sorts, group-bys, public views, forms, edit links) ---------------------------
ViewNotFound = _error("ViewNotFound", 404, "ERROR_VIEW_DOES_NOT_EXIST", "The view does not exist.")
ViewFilterNotFound = _error(
    "ViewFilterNotFound", 404, "ERROR_VIEW_FILTER_DOES_NOT_EXIST", "The view filter does not exist."
)
ViewFilterGroupNotFound = _error(
    "ViewFilterGroupNotFound", 404, "ERROR_VIEW_FILTER_GROUP_DOES_NOT_EXIST", "The filter group does not exist."
)
ViewSortNotFound = _error("ViewSortNotFound", 404, "ERROR_VIEW_SORT_DOES_NOT_EXIST", "The view sort does not exist.")
ViewGroupByNotFound = _error(
    "ViewGroupByNotFound", 404, "ERROR_VIEW_GROUP_BY_DOES_NOT_EXIST", "The view group-by does not exist."
)
ViewSortFieldTaken = _error(
    "ViewSortFieldTaken", 400, "ERROR_VIEW_SORT_FIELD_ALREADY_EXISTS", "The view already sorts on this field."
)
ViewGroupByFieldTaken = _error(
    "ViewGroupByFieldTaken", 400, "ERROR_VIEW_GROUP_BY_FIELD_ALREADY_EXISTS", "The view already groups by this field."
)
ViewFeatureNotSupported = _error(
    "ViewFeatureNotSupported", 400, "ERROR_VIEW_NOT_SUPPORTED", "This view type does not support this."
)
FieldNotInTable = _error("FieldNotInTable", 400, "ERROR_FIELD_NOT_IN_TABLE", "The field is not in this table.")
PublicViewAuthRequired = _error(
    "PublicViewAuthRequired",
    401,
    "ERROR_NO_AUTHORIZATION_TO_PUBLICLY_SHARED_VIEW",
    "This shared view is protected by a password.",
)
InvalidPublicViewPassword = _error(
    "InvalidPublicViewPassword", 401, "ERROR_INVALID_PUBLIC_VIEW_PASSWORD", "The password is not correct."
)
EditLinkInvalid = _error(
    "EditLinkInvalid", 404, "ERROR_EDIT_LINK_INVALID", "This edit link does not exist, has expired or was revoked."
)
AggregationTypeUnknown = _error(
    "AggregationTypeUnknown", 400, "ERROR_AGGREGATION_TYPE_DOES_NOT_EXIST", "The aggregation type does not exist."
)
AggregationNotSupported = _error(
    "AggregationNotSupported",
    400,
    "ERROR_AGGREGATION_DOES_NOT_SUPPORTED_FIELD",
    "This aggregation does not apply to this field type.",
)
FormulaInvalid = _error("FormulaInvalid", 400, "ERROR_WITH_FORMULA", "Error with formula.")

# --- import, export, templates, jobs ---------------------------------------------------------------------
FileTooLarge = _error("FileTooLarge", 413, "ERROR_FILE_SIZE_TOO_LARGE", "The file is too large.")
ImportFileInvalid = _error("ImportFileInvalid", 400, "ERROR_INVALID_FILE", "The file cannot be read.")
TemplateInvalid = _error("TemplateInvalid", 400, "ERROR_TEMPLATE_INVALID", "The template is not valid.")
JobNotFound = _error("JobNotFound", 404, "ERROR_JOB_DOES_NOT_EXIST", "The job does not exist.")
# --- webhooks (nocodedb/events/, nocodedb/api/webhooks.py) ---
WebhookNotFound = _error("WebhookNotFound", 404, "ERROR_TABLE_WEBHOOK_DOES_NOT_EXIST", "The webhook does not exist.")
WebhookLimitReached = _error(
    "WebhookLimitReached", 400, "ERROR_TABLE_WEBHOOK_MAX_LIMIT_EXCEEDED", "The table has too many webhooks."
)
WebhookURLNotAllowed = _error(
    "WebhookURLNotAllowed", 400, "ERROR_WEBHOOK_URL_NOT_ALLOWED", "This URL may not be called by a webhook."
)
