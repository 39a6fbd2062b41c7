"""ASGI entry point: HTTP and WebSockets on one port (served by uvicorn; see the README)."""

from __future__ import annotations

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wellness.config.settings")
django_http = get_asgi_application()  # set up Django before importing consumers and models

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from devices import routing as devices_routing  # noqa: E402
from wellness.classes import routing as classes_routing  # noqa: E402
from wellness.config.lifespan import lifespan  # noqa: E402
from wellness.people import routing as wellness_routing  # noqa: E402
from wellness.people.websocket import websocket_stack  # noqa: E402
from worlds import routing as worlds_routing  # noqa: E402

websocket_urlpatterns = [
    *wellness_routing.websocket_urlpatterns,
    *devices_routing.websocket_urlpatterns,
    *worlds_routing.websocket_urlpatterns,
    *classes_routing.websocket_urlpatterns,
]

application = ProtocolTypeRouter(
    {
        "http": django_http,
        "websocket": websocket_stack(URLRouter(websocket_urlpatterns)),
        "lifespan": lifespan,
    }
)

# What is imported and built by now lives as long as the process: keep it out of every garbage
# collection, so a collection under load scans only what requests and sockets allocate.
gc.freeze()
# Collect the youngest objects every 10,000 net allocations instead of 700, and the middle
# generation every 50 of those instead of 10. A full collection runs once enough objects have
# been promoted to the oldest generation since the last (a quarter of it), and promotion happens
# at middle collections to whatever is in flight then (the batches being stored and acked). At the
# default thresholds that made a full collection of every open socket's state every ~7 s with
# 1,000 live-ingest sockets: 100-200 ms of stalled event loop, the periodic latency spike of the
# live_ingest benchmark (benchmarks/README.md). Now a full collection comes every few minutes.
GC_THRESHOLDS = (10_000, 50, 10)
gc.set_threshold(*GC_THRESHOLDS)
