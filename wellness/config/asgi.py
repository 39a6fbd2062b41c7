"""ASGI entry point: HTTP and WebSockets on one port (served by uvicorn; see the README)."""

from __future__ import annotations

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wellness.config.settings")
django_http = get_asgi_application()  # set up Django before importing consumers and models

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import re_path  # noqa: E402

from devices import routing as devices_routing  # noqa: E402
from wellness.care.rooms import routing as rooms_routing  # noqa: E402
from wellness.classes import routing as classes_routing  # noqa: E402
from wellness.config.lifespan import lifespan  # noqa: E402
from wellness.core.overload import RequestsInFlightLimit  # noqa: E402
from wellness.people import routing as wellness_routing  # noqa: E402
from wellness.people.websocket import UnknownPathConsumer, websocket_stack  # noqa: E402
from worlds import routing as worlds_routing  # noqa: E402

websocket_urlpatterns = [
    *wellness_routing.websocket_urlpatterns,
    *devices_routing.websocket_urlpatterns,
    *worlds_routing.websocket_urlpatterns,
    *classes_routing.websocket_urlpatterns,
    *rooms_routing.websocket_urlpatterns,
    re_path(r"", UnknownPathConsumer.as_asgi()),
]

application = ProtocolTypeRouter(
    {
        "http": RequestsInFlightLimit(
            django_http,
            limit=settings.WELLVERSE_MAX_REQUESTS_IN_FLIGHT,
            retry_after_seconds=settings.WELLVERSE_OVERLOAD_RETRY_AFTER_SECONDS,
            exempt_paths=frozenset({"/healthz"}),
        ),
        "websocket": websocket_stack(URLRouter(websocket_urlpatterns)),
        "lifespan": lifespan,
    }
)

# What is imported and built by now lives as long as the process: keep it out of every garbage
# collection, so a collection under load scans only what requests and sockets allocate.
gc.freeze()
# Fewer, larger collections: at the defaults a full collection of every socket's state stalled the
# event loop every few seconds under live ingest (the live_ingest benchmark).
GC_THRESHOLDS = (10_000, 50, 10)
gc.set_threshold(*GC_THRESHOLDS)
