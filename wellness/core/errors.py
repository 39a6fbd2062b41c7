"""The one domain exception type.

Services raise these; the DRF exception handler (``wellness.rest``), the WebSocket consumers and the
management commands each map them to their transport. Codes are stable strings clients may branch on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class DomainError(Exception):
    """A request the domain refuses, with a message a person can act on."""

    status_code = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: Mapping[str, Sequence[str]] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.fields: dict[str, list[str]] = {k: list(v) for k, v in (fields or {}).items()}
        # More that a client may branch on, beside code/message/fields (e.g. the possible factors).
        self.details: dict[str, Any] = dict(details or {})


class ValidationFailed(DomainError):
    status_code = 400
    code = "validation_error"


class NotFound(DomainError):
    """Also used for objects that exist but belong to someone else: their existence is not revealed."""

    status_code = 404
    code = "not_found"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class ConsentRequired(Forbidden):
    code = "consent_required"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "Health data is accepted only after you consent to its processing: "
            'POST /api/v1/consent/health-data/ with {"granted": true}.'
        )


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class Unprocessable(DomainError):
    status_code = 422
    code = "unprocessable"


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


class TooManyRequests(DomainError):
    """Refused for now; ``retry_after_seconds`` says when trying again can succeed."""

    status_code = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after_seconds: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after_seconds = retry_after_seconds
