"""Fixtures of the bridge tests: the live-ingest stand-in behind a cuttable proxy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.devices.bridge.ingest_stub import CuttableProxy, IngestServer, IngestStub, LoopThread


@pytest.fixture
def ingest_server() -> Iterator[IngestServer]:
    thread = LoopThread()
    stub = IngestStub(token="wv_test_ingest_token")
    thread.call(stub.start())
    proxy = CuttableProxy(stub.port)
    thread.call(proxy.start())
    yield IngestServer(thread, stub, proxy, stub.token)
    thread.call(proxy.stop())
    thread.call(stub.stop())
    thread.stop()
