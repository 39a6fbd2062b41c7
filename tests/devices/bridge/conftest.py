"""Fixtures of the bridge tests: the live-ingest stand-in behind a cuttable proxy."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.devices.bridge.ingest_stub import CuttableProxy, IngestStub, LoopThread


@dataclass
class IngestServer:
    """What a bridge test needs of a live-ingest server: where it is, a token, and a cable to cut."""

    thread: LoopThread
    stub: IngestStub
    proxy: CuttableProxy
    token: str

    @property
    def url(self) -> str:
        return self.proxy.url

    def cut(self) -> None:
        self.thread.call(self.proxy.cut())

    def restore(self) -> None:
        self.thread.call(self.proxy.restore())


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
