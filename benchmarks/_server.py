"""Starting the servers a benchmark measures."""

from __future__ import annotations

import signal
import subprocess
import time
import urllib.request


def wait_until_serving(
    port: int, server: subprocess.Popen[bytes], *, timeout_s: float = 30
) -> None:
    """Return once the uvicorn ``server`` on ``port`` answers ``/healthz``; raise if it exits or
    does not answer within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"uvicorn did not start on port {port}") from None
            time.sleep(0.2)


def stop_server(server: subprocess.Popen[bytes], *, timeout_s: float = 20) -> None:
    """Stop uvicorn as Ctrl-C does (so its shutdown and ``atexit`` hooks run); kill it if it has
    not exited within ``timeout_s``."""
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
