"""``{% vite_entry "src/app/main.ts" %}``: the script and style tags of a built Vite entry point."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django import template
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

MANIFEST = Path(settings.BASE_DIR) / "frontend" / "dist" / ".vite" / "manifest.json"


@cache
def _manifest(mtime: float) -> dict[str, Any]:
    return dict(json.loads(MANIFEST.read_text()))


def manifest() -> dict[str, Any]:
    if not MANIFEST.exists():
        raise ImproperlyConfigured(
            "The web UI is not built: run `make run` or `npm --prefix frontend run build`."
        )
    return _manifest(MANIFEST.stat().st_mtime)


@register.simple_tag
def vite_entry(name: str) -> SafeString:
    chunk = manifest()[name]
    styles = format_html_join(
        "", '<link rel="stylesheet" href="{}">', ((static(css),) for css in chunk.get("css", []))
    )
    script = format_html('<script type="module" src="{}"></script>', static(chunk["file"]))
    return styles + script
