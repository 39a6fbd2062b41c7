"""The Bluetooth side of the bridge, through bleak: scanning and one resilient link per sensor."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bleak import BleakClient, BleakScanner
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.exc import BleakError

from devices import gatt
from devices.profiles import DeviceProfile, profiles_for_services

logger = logging.getLogger(__name__)


def _set(event: asyncio.Event, _client: BleakClient) -> None:
    event.set()


@dataclass(frozen=True)
class FoundDevice:
    name: str
    address: str
    rssi: int
    services: list[str]  # names of the supported measurements it advertises


async def scan(*, timeout: float, everything: bool = False) -> list[FoundDevice]:
    """Devices advertising at least one supported service (all devices with ``everything``)."""
    found = await BleakScanner.discover(timeout=timeout, return_adv=True)
    devices = []
    for device, advertisement in found.values():
        offered = profiles_for_services(advertisement.service_uuids)
        if offered or everything:
            names = list(dict.fromkeys(p.name for p in offered))
            devices.append(
                FoundDevice(
                    name=advertisement.local_name or device.name or "(no name)",
                    address=device.address,
                    rssi=advertisement.rssi,
                    services=names,
                )
            )
    return sorted(devices, key=lambda d: -d.rssi)


@dataclass
class SensorLink:
    """Connects to one sensor, subscribes to its measurements and reconnects when it drops."""

    address: str
    on_sample: Callable[[str, dict[str, Any]], None]
    acquire_notify: bool = (
        False  # bleak's default is StartNotify; some devices prefer AcquireNotify
    )
    connect_timeout: float = 20.0
    max_backoff: float = 10.0
    state: str = "searching"
    name: str = ""
    frames: int = 0
    bad_frames: int = 0
    connections: int = 0
    latest: dict[str, Any] = field(default_factory=dict)

    @property
    def device_id(self) -> str:
        return self.address.upper()

    async def run(self) -> None:
        backoff = 0.5
        while True:
            disconnected = asyncio.Event()
            try:
                async with BleakClient(
                    self.address,
                    disconnected_callback=functools.partial(_set, disconnected),
                    timeout=self.connect_timeout,
                ) as client:
                    self.name = client.name
                    subscribed = await self._subscribe(client)
                    if not subscribed:
                        self.state = "unsupported"
                        logger.warning("%s offers no supported measurement", self.address)
                        return
                    self.state = "connected"
                    self.connections += 1
                    backoff = 0.5
                    await disconnected.wait()
            except (BleakError, TimeoutError, OSError, EOFError) as exc:
                logger.info("%s: %s", self.address, exc or type(exc).__name__)
            except Exception:
                # Whatever bleak or BlueZ throws, a sensor link keeps trying: a workout outlasts it.
                logger.exception("%s: unexpected error; reconnecting", self.address)
            self.state = "reconnecting"
            await asyncio.sleep(backoff)
            backoff = min(self.max_backoff, backoff * 2)

    async def _subscribe(self, client: BleakClient) -> int:
        count = 0
        for service in client.services:
            for profile_class in profiles_for_services([service.uuid]):
                characteristic = service.get_characteristic(profile_class.characteristic_uuid)
                if characteristic is None:
                    continue
                if not {"notify", "indicate"} & set(characteristic.properties):
                    continue
                profile = profile_class()
                await client.start_notify(
                    characteristic,
                    self._handler(profile),
                    bluez={"use_start_notify": not self.acquire_notify},
                )
                count += 1
        return count

    def _handler(
        self, profile: DeviceProfile
    ) -> Callable[[BleakGATTCharacteristic, bytearray], None]:
        def on_notification(_characteristic: BleakGATTCharacteristic, data: bytearray) -> None:
            self.frames += 1
            try:
                sample = profile.feed(bytes(data), time.time())
            except gatt.GattDecodeError as exc:
                # One bad frame must not stop the stream: count it, warn about the first only
                # (a flaky sensor would otherwise flood the terminal), the rest at debug level.
                self.bad_frames += 1
                level = logging.WARNING if self.bad_frames == 1 else logging.DEBUG
                logger.log(level, "%s: skipped a malformed frame: %s", self.address, exc)
                return
            if sample is not None:
                self.latest.update(sample)
                self.on_sample(self.device_id, sample)

        return on_notification
