"""Where browsers report Content-Security-Policy violations: logged, so a page that breaks the
policy shows up in the server log (and fails the browser tests) instead of silently losing a feature."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger(__name__)

REPORT_MAX_CHARS = 4000


@csrf_exempt  # browsers send reports without a token, and a report changes nothing
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    report = request.body[:REPORT_MAX_CHARS].decode("utf-8", "replace")
    logger.warning("CSP violation reported: %s", report)
    return HttpResponse(status=204)
