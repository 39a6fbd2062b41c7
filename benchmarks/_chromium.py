"""Debian's headless Chromium under Playwright, launched one way for benchmarks and browser tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
# Software WebGL (SwiftShader) and no background traffic, so frame rates and timings are repeatable.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def chromium_launch(playwright: Any, extra_flags: Sequence[str] = ()) -> Any:
    """A headless Chromium browser from a running ``sync_playwright()``."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=[*CHROMIUM_FLAGS, *extra_flags]
    )
