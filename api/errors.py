"""TMF-shaped errors (``{code, reason, message, status}``) for every failure, never an HTML page or a 500."""

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger(__name__)

REASONS = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    422: "Unprocessable entity",
    429: "Too many requests",
    500: "Internal error",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str = "",
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or str(status)
        self.errors = errors or []
        self.headers = headers or {}


def error_body(status: int, message: str, *, code: str = "", errors: list[dict[str, str]] | None = None) -> dict:
    body: dict[str, Any] = {
        "@type": "Error",
        "code": code or str(status),
        "reason": REASONS.get(status, "Error"),
        "message": message,
        "status": str(status),
    }
    if errors:
        body["errors"] = errors
    return body


def error_response(error: ApiError) -> JsonResponse:
    response = JsonResponse(
        error_body(error.status, error.message, code=error.code, errors=error.errors), status=error.status
    )
    for name, value in error.headers.items():
        response[name] = value
    return response


def _path(loc: tuple[Any, ...] | list[Any]) -> str:
    # ninja's locations start with where ("body", "query", "path") and, for bodies, the parameter's name.
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    elif parts and parts[0] in ("query", "path", "header"):
        parts = parts[1:]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def field_errors(exc: DjangoValidationError, fields: dict[str, str] | None = None) -> list[dict[str, str]]:
    fields = fields or {}
    if hasattr(exc, "error_dict"):
        return [
            {"field": fields.get(name, name), "message": " ".join(str(m) for m in errors)}
            for name, errors in exc.message_dict.items()
        ]
    return [{"field": "body", "message": " ".join(exc.messages)}]


def install(api: Any) -> None:
    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(exc)

    @api.exception_handler(NinjaValidationError)
    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [{"field": _path(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in exc.errors]
        return error_response(ApiError(422, "The request is not valid.", errors=errors))

    @api.exception_handler(DjangoValidationError)
    def refused(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return error_response(ApiError(422, " ".join(exc.messages), errors=field_errors(exc)))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        error = ApiError(
            401, "Send a valid API key: Authorization: Bearer sskey_…", headers={"WWW-Authenticate": "Bearer"}
        )
        return error_response(error)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(ApiError(404, "No such resource."))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(ApiError(exc.status_code, str(exc)))

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        # Too large a body (DATA_UPLOAD_MAX_MEMORY_SIZE), too many fields or files in an upload.
        if isinstance(exc, RequestDataTooBig):
            return error_response(ApiError(413, "The request body is too large."))
        return error_response(ApiError(400, "The request could not be read."))

    @api.exception_handler(MultiPartParserError)
    def unreadable_upload(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        return error_response(ApiError(400, "The multipart/form-data body could not be read."))

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return error_response(ApiError(500, "Something went wrong on our side; the request was not carried out."))
