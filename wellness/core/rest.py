"""API conventions: one error format, capped pagination.

Every 4xx/5xx response body is ``{"error": {"code": str, "message": str, "fields": {name: [str]}}}``.
``code`` is stable for clients to branch on; ``message`` is for people; ``fields`` maps invalid
input fields to their problems (empty when the error is not about a field).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from wellness.core.clientip import request_client_address
from wellness.core.errors import DomainError, PayloadTooLarge, TooManyRequests

logger = logging.getLogger(__name__)


def error_body(
    code: str, message: str, fields: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def domain_error_body(exc: DomainError) -> dict[str, Any]:
    body = error_body(exc.code, exc.message, exc.fields)
    body["error"].update(exc.details)
    return body


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [f"{key}: {msg}" for key, value in detail.items() for msg in _flatten(value)]
    if isinstance(detail, list):
        return [msg for item in detail for msg in _flatten(item)]
    return [str(detail)]


def too_many_requests_body(exc: TooManyRequests) -> dict[str, Any]:
    body = error_body(exc.code, exc.message, exc.fields)
    body["error"]["retry_after_seconds"] = exc.retry_after_seconds
    return body


def too_many_requests_response(exc: TooManyRequests) -> Response:
    return Response(
        too_many_requests_body(exc),
        status=exc.status_code,
        headers={"Retry-After": str(exc.retry_after_seconds)},
    )


class ClientAddressThrottle(ScopedRateThrottle):
    """A scoped throttle keyed on the real client address (``wellness.core.clientip``), never on
    a client-chosen ``X-Forwarded-For``."""

    def get_ident(self, request: Any) -> str:
        return request_client_address(request._request)


def _fields_and_message(detail: Any) -> tuple[dict[str, list[str]], str]:
    if isinstance(detail, dict):
        fields = {str(key): _flatten(value) for key, value in detail.items()}
        general = fields.pop("non_field_errors", [])
        if general:
            return fields, " ".join(general)
        first_field, problems = next(iter(fields.items()))
        message = f"{first_field}: {problems[0]}" if problems else "Invalid input."
        if len(fields) > 1:
            message += f" (and {len(fields) - 1} more field(s))"
        return fields, message
    return {}, " ".join(_flatten(detail)) or "Invalid input."


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request body is larger than the {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes accepted."
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        exc = _too_large()
    if isinstance(exc, TooManyRequests):
        return too_many_requests_response(exc)
    if isinstance(exc, DomainError):
        return Response(domain_error_body(exc), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        fields, message = _fields_and_message(exc.detail)
        code = "validation_error"
    else:
        fields, message = {}, " ".join(_flatten(exc.detail))
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
    response.data = error_body(str(code), message, fields)
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        response.data["error"]["retry_after_seconds"] = int(wait)
    return response


def _json_error(status_code: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status_code)


def _domain_error(exc: DomainError) -> JsonResponse:
    return JsonResponse(domain_error_body(exc), status=exc.status_code)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def handler400(request: HttpRequest, exception: Exception) -> Any:
    """Django's own 400s, raised before or outside a DRF view: a bad ``Host`` header, a body
    over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (a 413 here, as the API's other size limits are)."""
    if not _is_api(request):
        from django.views.defaults import bad_request

        return bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return _domain_error(_too_large())
    return _json_error(status.HTTP_400_BAD_REQUEST, "bad_request", "The request is malformed.")


def handler404(request: HttpRequest, exception: Exception) -> Any:
    if _is_api(request):
        return _json_error(status.HTTP_404_NOT_FOUND, "not_found", "No such API endpoint.")
    from django.shortcuts import render

    # The web UI's shell renders its own accessible "Page not found" page.
    return render(request, "frontend/app.html", status=404)


def handler500(request: HttpRequest) -> Any:
    if _is_api(request):
        return _json_error(
            status.HTTP_500_INTERNAL_SERVER_ERROR,
            "server_error",
            "Something went wrong on our side; it has been logged.",
        )
    from django.views.defaults import server_error

    return server_error(request)


class Pagination(PageNumberPagination):
    """``?page=N&page_size=M``, the page size capped so no request can ask for everything at once."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
