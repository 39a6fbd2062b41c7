"""Device profiles: one class per GATT service, turning notifications into ingest samples.

A new sensor type is one new :class:`DeviceProfile` subclass decorated with :func:`register`.
A profile instance belongs to one subscription: it keeps the state a characteristic needs between
frames (CSC and CPS report cumulative counters; speed and cadence come from two frames).
Pure Python, no Django import.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any, ClassVar

from devices import gatt

Sample = dict[str, Any]


class DeviceProfile(ABC):
    """Decodes one measurement characteristic into samples (``devices/README.md`` keys)."""

    name: ClassVar[str]
    service_uuid: ClassVar[str]
    characteristic_uuid: ClassVar[str]

    def feed(self, data: bytes, t: float) -> Sample | None:
        """The sample for one notification at time ``t``; ``None`` when it measured nothing yet.

        Raises :class:`devices.gatt.GattDecodeError` for a malformed frame.
        """
        decoded = gatt.decode(self.characteristic_uuid, bytes(data))
        values = self.values(decoded)
        if not values:
            return None
        return {"t": t, **values}

    @abstractmethod
    def values(self, decoded: dict[str, Any]) -> dict[str, Any]:
        """The sample fields this decoded frame measured."""


PROFILES: list[type[DeviceProfile]] = []


def register(cls: type[DeviceProfile]) -> type[DeviceProfile]:
    PROFILES.append(cls)
    return cls


def profiles_for_services(service_uuids: Iterable[str]) -> list[type[DeviceProfile]]:
    """The profiles a device offering these services supports, in registry order."""
    offered = {str(u).lower() for u in service_uuids}
    return [p for p in PROFILES if p.service_uuid in offered]


def _pick(decoded: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: decoded[k] for k in keys if k in decoded}


@register
class HeartRate(DeviceProfile):
    name = "heart rate"
    service_uuid = "0000180d-0000-1000-8000-00805f9b34fb"
    characteristic_uuid = gatt.HEART_RATE_MEASUREMENT

    def values(self, decoded: dict[str, Any]) -> dict[str, Any]:
        # A strap that reports lost skin contact sends a meaningless value (often 0): drop it.
        if decoded["sensor_contact"] is False:
            return {}
        out: dict[str, Any] = {"hr": decoded["hr"]}
        if decoded["rr"]:
            out["rr"] = decoded["rr"]
        return out


@register
class RunningSpeedCadence(DeviceProfile):
    name = "running speed and cadence (foot pod)"
    service_uuid = "00001814-0000-1000-8000-00805f9b34fb"
    characteristic_uuid = gatt.RSC_MEASUREMENT

    def values(self, decoded: dict[str, Any]) -> dict[str, Any]:
        return _pick(decoded, "speed", "cadence", "distance")


class _RevolutionsProfile(DeviceProfile):
    """Shared state for CSC and CPS: speed, cadence and distance from cumulative counters."""

    wheel_time_resolution: ClassVar[float] = 1 / 1024

    def __init__(self, *, wheel_circumference_m: float = 2.105) -> None:
        self.wheel_circumference_m = wheel_circumference_m
        self.previous: dict[str, Any] | None = None
        self.wheel_revolutions = 0  # since the first frame, unwrapped

    def revolutions(self, decoded: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        previous, self.previous = self.previous, decoded
        if previous is None:
            if "wheel_revolutions" in decoded:
                out["distance"] = 0.0
            return out
        derived = gatt.csc_derive(
            previous,
            decoded,
            wheel_circumference_m=self.wheel_circumference_m,
            wheel_time_resolution=self.wheel_time_resolution,
        )
        if "wheel_revolutions" in previous and "wheel_revolutions" in decoded:
            self.wheel_revolutions += gatt.counter_delta(
                previous["wheel_revolutions"], decoded["wheel_revolutions"], bits=32
            )
            out["distance"] = round(self.wheel_revolutions * self.wheel_circumference_m, 3)
        out.update({k: round(v, 3) for k, v in derived.items()})
        return out


@register
class CyclingSpeedCadence(_RevolutionsProfile):
    name = "cycling speed and cadence"
    service_uuid = "00001816-0000-1000-8000-00805f9b34fb"
    characteristic_uuid = gatt.CSC_MEASUREMENT

    def values(self, decoded: dict[str, Any]) -> dict[str, Any]:
        return self.revolutions(decoded)


@register
class CyclingPower(_RevolutionsProfile):
    name = "cycling power"
    service_uuid = "00001818-0000-1000-8000-00805f9b34fb"
    characteristic_uuid = gatt.CYCLING_POWER_MEASUREMENT
    wheel_time_resolution = 1 / 2048

    def values(self, decoded: dict[str, Any]) -> dict[str, Any]:
        return {"power": decoded["power"], **self.revolutions(decoded)}


@register
class Treadmill(DeviceProfile):
    name = "treadmill (FTMS)"
    service_uuid = "00001826-0000-1000-8000-00805f9b34fb"
    characteristic_uuid = gatt.TREADMILL_DATA

    def values(self, decoded: dict[str, Any]) -> dict[str, Any]:
        out = _pick(decoded, "speed", "distance", "hr", "power")
        if "speed" in out:
            out["speed"] = round(out["speed"], 4)
        return out


@register
class IndoorBike(DeviceProfile):
    name = "indoor bike (FTMS)"
    service_uuid = "00001826-0000-1000-8000-00805f9b34fb"
    characteristic_uuid = gatt.INDOOR_BIKE_DATA

    def values(self, decoded: dict[str, Any]) -> dict[str, Any]:
        out = _pick(decoded, "speed", "cadence", "distance", "power", "hr")
        if "speed" in out:
            out["speed"] = round(out["speed"], 4)
        return out
