"""Decoding (and, for the simulator, encoding) of the Bluetooth fitness characteristics.

Pure Python with no Django import: the bridge runs on a Raspberry Pi without the server's settings.
Every decoder takes the raw notification bytes and returns a dict of named fields in SI units (the
sample keys of ``devices/README.md`` where one exists: ``hr``, ``rr``, ``cadence``, ``speed``,
``distance``, ``power``), plus the raw fields a person debugging a device wants to see. A frame
that is truncated, has trailing bytes or carries an impossible value raises :class:`GattDecodeError`
and nothing else, so one bad notification can be skipped without stopping a stream.

Specifications: Heart Rate Service 1.0, Running Speed and Cadence Service 1.0, Cycling Speed and
Cadence Service 1.0, Cycling Power Service 1.1, Fitness Machine Service 1.0 (bluetooth.com).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

HEART_RATE_MEASUREMENT = "00002a37-0000-1000-8000-00805f9b34fb"
RSC_MEASUREMENT = "00002a53-0000-1000-8000-00805f9b34fb"
CSC_MEASUREMENT = "00002a5b-0000-1000-8000-00805f9b34fb"
CYCLING_POWER_MEASUREMENT = "00002a63-0000-1000-8000-00805f9b34fb"
TREADMILL_DATA = "00002acd-0000-1000-8000-00805f9b34fb"
INDOOR_BIKE_DATA = "00002ad2-0000-1000-8000-00805f9b34fb"

KMH = 1 / 3.6  # m/s per km/h: FTMS reports speed in 0.01 km/h


class GattDecodeError(ValueError):
    """A notification that does not follow its characteristic's specification."""


def full_uuid(uuid: str) -> str:
    """``"2a37"``, ``"0x2A37"`` or the 128-bit form -> the lower-case 128-bit form."""
    text = uuid.strip().lower()
    if text.startswith("0x"):
        text = text[2:]
    if len(text) == 4 and all(c in "0123456789abcdef" for c in text):
        return f"0000{text}-0000-1000-8000-00805f9b34fb"
    if len(text) == 36 and text.count("-") == 4:
        return text
    raise GattDecodeError(
        f"{uuid!r} is not a Bluetooth UUID (expected e.g. 2A37 or a 128-bit UUID)."
    )


class _Reader:
    """Little-endian fields read in order, with a clear error when the frame ends too early."""

    def __init__(self, data: bytes, name: str) -> None:
        self.data = bytes(data)
        self.name = name
        self.offset = 0

    def _take(self, size: int, field: str) -> bytes:
        end = self.offset + size
        if end > len(self.data):
            raise GattDecodeError(
                f"{self.name} frame is truncated: {field} needs {size} byte(s) at offset "
                f"{self.offset} but the frame has {len(self.data)} byte(s)."
            )
        chunk = self.data[self.offset : end]
        self.offset = end
        return chunk

    def u8(self, field: str) -> int:
        return self._take(1, field)[0]

    def u16(self, field: str) -> int:
        return int(struct.unpack("<H", self._take(2, field))[0])

    def s16(self, field: str) -> int:
        return int(struct.unpack("<h", self._take(2, field))[0])

    def u24(self, field: str) -> int:
        return int.from_bytes(self._take(3, field), "little")

    def u32(self, field: str) -> int:
        return int(struct.unpack("<I", self._take(4, field))[0])

    def remaining(self) -> int:
        return len(self.data) - self.offset

    def done(self) -> None:
        if self.remaining():
            raise GattDecodeError(
                f"{self.name} frame has {self.remaining()} unexpected trailing byte(s) after offset "
                f"{self.offset}; its flags do not announce them."
            )


def decode_heart_rate(data: bytes) -> dict[str, Any]:
    """Heart Rate Measurement (0x2A37): 8/16-bit value, sensor contact, energy, RR intervals."""
    r = _Reader(data, "Heart Rate Measurement")
    flags = r.u8("flags")
    hr = r.u16("heart rate (16-bit)") if flags & 0x01 else r.u8("heart rate")
    contact_supported = bool(flags & 0x04)
    out: dict[str, Any] = {
        "hr": hr,
        "sensor_contact": bool(flags & 0x02) if contact_supported else None,
    }
    if flags & 0x08:
        out["energy_expended_kj"] = r.u16("energy expended")
    rr: list[float] = []
    if flags & 0x10:
        # Some straps set the flag on beats with no interval; an odd byte count is a broken frame.
        if r.remaining() % 2:
            raise GattDecodeError(
                "Heart Rate Measurement frame announces RR intervals but carries "
                f"{r.remaining()} byte(s) for them; each interval takes 2 bytes."
            )
        while r.remaining():
            # RR intervals are in 1/1024 s; the sample format wants milliseconds.
            rr.append(r.u16("RR interval") * 1000 / 1024)
    r.done()
    out["rr"] = rr
    return out


def decode_rsc(data: bytes) -> dict[str, Any]:
    """RSC Measurement (0x2A53): speed, cadence, stride length, total distance, walking/running."""
    r = _Reader(data, "RSC Measurement")
    flags = r.u8("flags")
    out: dict[str, Any] = {
        "speed": r.u16("instantaneous speed") / 256,
        "cadence": r.u8("instantaneous cadence"),
        "running": bool(flags & 0x04),
    }
    if flags & 0x01:
        out["stride_length"] = r.u16("stride length") / 100
    if flags & 0x02:
        out["distance"] = r.u32("total distance") / 10
    r.done()
    return out


def decode_csc(data: bytes) -> dict[str, Any]:
    """CSC Measurement (0x2A5B): cumulative wheel and crank revolutions with 1/1024 s event times.

    Speed and cadence need two frames: see :func:`csc_derive`.
    """
    r = _Reader(data, "CSC Measurement")
    flags = r.u8("flags")
    out: dict[str, Any] = {}
    if flags & 0x01:
        out["wheel_revolutions"] = r.u32("cumulative wheel revolutions")
        out["wheel_event_time"] = r.u16("last wheel event time") / 1024
    if flags & 0x02:
        out["crank_revolutions"] = r.u16("cumulative crank revolutions")
        out["crank_event_time"] = r.u16("last crank event time") / 1024
    r.done()
    return out


def decode_cycling_power(data: bytes) -> dict[str, Any]:
    """Cycling Power Measurement (0x2A63): power and every optional field of CPS 1.1."""
    r = _Reader(data, "Cycling Power Measurement")
    flags = r.u16("flags")
    out: dict[str, Any] = {"power": r.s16("instantaneous power")}
    if flags & 0x0001:
        out["pedal_power_balance"] = r.u8("pedal power balance") / 2
    if flags & 0x0004:
        out["accumulated_torque"] = r.u16("accumulated torque") / 32
    if flags & 0x0010:
        out["wheel_revolutions"] = r.u32("cumulative wheel revolutions")
        # CPS times wheel events in 1/2048 s, unlike CSC's 1/1024 s.
        out["wheel_event_time"] = r.u16("last wheel event time") / 2048
    if flags & 0x0020:
        out["crank_revolutions"] = r.u16("cumulative crank revolutions")
        out["crank_event_time"] = r.u16("last crank event time") / 1024
    if flags & 0x0040:
        out["max_force"] = r.s16("maximum force magnitude")
        out["min_force"] = r.s16("minimum force magnitude")
    if flags & 0x0080:
        out["max_torque"] = r.s16("maximum torque magnitude") / 32
        out["min_torque"] = r.s16("minimum torque magnitude") / 32
    if flags & 0x0100:
        packed = r.u24("extreme angles")
        out["max_angle"] = packed & 0x0FFF
        out["min_angle"] = packed >> 12
    if flags & 0x0200:
        out["top_dead_spot_angle"] = r.u16("top dead spot angle")
    if flags & 0x0400:
        out["bottom_dead_spot_angle"] = r.u16("bottom dead spot angle")
    if flags & 0x0800:
        out["accumulated_energy_kj"] = r.u16("accumulated energy")
    r.done()
    return out


def _ftms_energy(r: _Reader, out: dict[str, Any]) -> None:
    out["total_energy_kcal"] = r.u16("total energy")
    out["energy_per_hour_kcal"] = r.u16("energy per hour")
    out["energy_per_minute_kcal"] = r.u8("energy per minute")


def decode_treadmill(data: bytes) -> dict[str, Any]:
    """FTMS Treadmill Data (0x2ACD). Flag bit 0 is inverted: 0 means the speed IS present."""
    r = _Reader(data, "Treadmill Data")
    flags = r.u16("flags")
    out: dict[str, Any] = {}
    if not flags & 0x0001:
        out["speed"] = r.u16("instantaneous speed") / 100 * KMH
    if flags & 0x0002:
        out["average_speed"] = r.u16("average speed") / 100 * KMH
    if flags & 0x0004:
        out["distance"] = float(r.u24("total distance"))
    if flags & 0x0008:
        out["inclination_percent"] = r.s16("inclination") / 10
        out["ramp_angle_degrees"] = r.s16("ramp angle") / 10
    if flags & 0x0010:
        out["positive_elevation_gain"] = r.u16("positive elevation gain") / 10
        out["negative_elevation_gain"] = r.u16("negative elevation gain") / 10
    if flags & 0x0020:
        out["pace_km_per_min"] = r.u8("instantaneous pace") / 10
    if flags & 0x0040:
        out["average_pace_km_per_min"] = r.u8("average pace") / 10
    if flags & 0x0080:
        _ftms_energy(r, out)
    if flags & 0x0100:
        out["hr"] = r.u8("heart rate")
    if flags & 0x0200:
        out["metabolic_equivalent"] = r.u8("metabolic equivalent") / 10
    if flags & 0x0400:
        out["elapsed_time"] = r.u16("elapsed time")
    if flags & 0x0800:
        out["remaining_time"] = r.u16("remaining time")
    if flags & 0x1000:
        out["force_on_belt"] = r.s16("force on belt")
        out["power"] = r.s16("power output")
    r.done()
    return out


def decode_indoor_bike(data: bytes) -> dict[str, Any]:
    """FTMS Indoor Bike Data (0x2AD2). Flag bit 0 is inverted: 0 means the speed IS present."""
    r = _Reader(data, "Indoor Bike Data")
    flags = r.u16("flags")
    out: dict[str, Any] = {}
    if not flags & 0x0001:
        out["speed"] = r.u16("instantaneous speed") / 100 * KMH
    if flags & 0x0002:
        out["average_speed"] = r.u16("average speed") / 100 * KMH
    if flags & 0x0004:
        out["cadence"] = r.u16("instantaneous cadence") / 2
    if flags & 0x0008:
        out["average_cadence"] = r.u16("average cadence") / 2
    if flags & 0x0010:
        out["distance"] = float(r.u24("total distance"))
    if flags & 0x0020:
        out["resistance_level"] = r.s16("resistance level")
    if flags & 0x0040:
        out["power"] = r.s16("instantaneous power")
    if flags & 0x0080:
        out["average_power"] = r.s16("average power")
    if flags & 0x0100:
        _ftms_energy(r, out)
    if flags & 0x0200:
        out["hr"] = r.u8("heart rate")
    if flags & 0x0400:
        out["metabolic_equivalent"] = r.u8("metabolic equivalent") / 10
    if flags & 0x0800:
        out["elapsed_time"] = r.u16("elapsed time")
    if flags & 0x1000:
        out["remaining_time"] = r.u16("remaining time")
    r.done()
    return out


DECODERS: dict[str, Callable[[bytes], dict[str, Any]]] = {
    HEART_RATE_MEASUREMENT: decode_heart_rate,
    RSC_MEASUREMENT: decode_rsc,
    CSC_MEASUREMENT: decode_csc,
    CYCLING_POWER_MEASUREMENT: decode_cycling_power,
    TREADMILL_DATA: decode_treadmill,
    INDOOR_BIKE_DATA: decode_indoor_bike,
}


def decode(characteristic: str, data: bytes) -> dict[str, Any]:
    """Decode one notification of a supported characteristic (UUID in any common spelling)."""
    uuid = full_uuid(characteristic)
    decoder = DECODERS.get(uuid)
    if decoder is None:
        supported = ", ".join(u[4:8].upper() for u in DECODERS)
        raise GattDecodeError(
            f"Characteristic {characteristic} is not a supported measurement ({supported})."
        )
    return decoder(data)


# --- Derived values between two frames -----------------------------------------------------------
def counter_delta(previous: int, current: int, *, bits: int) -> int:
    """Increase of a wrapping unsigned counter: correct across one rollover."""
    return (current - previous) % (1 << bits)


def revolutions_rate(
    prev_revs: int,
    prev_time: float,
    revs: int,
    time: float,
    *,
    rev_bits: int,
    time_resolution: float,
) -> float | None:
    """Revolutions per second between two frames; ``None`` when no new event happened.

    Event times are 16-bit counters of ``time_resolution`` seconds (64 s at 1/1024 s), so they wrap
    during a ride; revolution counters wrap at ``rev_bits``.
    """
    ticks = counter_delta(
        round(prev_time / time_resolution), round(time / time_resolution), bits=16
    )
    if ticks == 0:
        return None
    return counter_delta(prev_revs, revs, bits=rev_bits) / (ticks * time_resolution)


def csc_derive(
    previous: dict[str, Any],
    current: dict[str, Any],
    *,
    wheel_circumference_m: float = 2.105,
    wheel_time_resolution: float = 1 / 1024,
) -> dict[str, float]:
    """Speed (m/s) and cadence (rev/min) between two CSC or CPS frames.

    When no new wheel or crank event arrived (the same event time), the rider is coasting or
    stopped: speed or cadence is 0. Pass ``wheel_time_resolution=1/2048`` for Cycling Power frames.
    """
    out: dict[str, float] = {}
    if "wheel_revolutions" in previous and "wheel_revolutions" in current:
        rate = revolutions_rate(
            previous["wheel_revolutions"],
            previous["wheel_event_time"],
            current["wheel_revolutions"],
            current["wheel_event_time"],
            rev_bits=32,
            time_resolution=wheel_time_resolution,
        )
        out["speed"] = 0.0 if rate is None else rate * wheel_circumference_m
    if "crank_revolutions" in previous and "crank_revolutions" in current:
        rate = revolutions_rate(
            previous["crank_revolutions"],
            previous["crank_event_time"],
            current["crank_revolutions"],
            current["crank_event_time"],
            rev_bits=16,
            time_resolution=1 / 1024,
        )
        out["cadence"] = 0.0 if rate is None else rate * 60
    return out


# --- Encoding, for the simulator and the BlueZ stand-in ------------------------------------------
def encode_heart_rate(
    hr: int, *, rr_ms: list[float] | tuple[float, ...] = (), contact: bool | None = True
) -> bytes:
    """A Heart Rate Measurement frame as a strap sends it (8-bit value unless it exceeds 255)."""
    flags = 0x01 if hr > 255 else 0x00
    if contact is not None:
        flags |= 0x04 | (0x02 if contact else 0)
    if rr_ms:
        flags |= 0x10
    body = struct.pack("<H", hr) if hr > 255 else bytes([hr])
    for rr in rr_ms:
        body += struct.pack("<H", round(rr * 1024 / 1000))
    return bytes([flags]) + body


def encode_rsc(
    *, speed: float, cadence: int, distance: float | None = None, running: bool = True
) -> bytes:
    flags = (0x02 if distance is not None else 0) | (0x04 if running else 0)
    body = struct.pack("<HB", round(speed * 256), cadence)
    if distance is not None:
        body += struct.pack("<I", round(distance * 10))
    return bytes([flags]) + body


def encode_csc(
    *,
    wheel_revolutions: int | None = None,
    wheel_event_ticks: int = 0,
    crank_revolutions: int | None = None,
    crank_event_ticks: int = 0,
) -> bytes:
    """Event times in raw 1/1024 s ticks (the counters wrap: pass them modulo 65536)."""
    flags, body = 0, b""
    if wheel_revolutions is not None:
        flags |= 0x01
        body += struct.pack("<IH", wheel_revolutions % (1 << 32), wheel_event_ticks % 65536)
    if crank_revolutions is not None:
        flags |= 0x02
        body += struct.pack("<HH", crank_revolutions % 65536, crank_event_ticks % 65536)
    return bytes([flags]) + body


def encode_cycling_power(
    *, power: int, crank_revolutions: int | None = None, crank_event_ticks: int = 0
) -> bytes:
    flags, body = 0, struct.pack("<h", power)
    if crank_revolutions is not None:
        flags |= 0x0020
        body += struct.pack("<HH", crank_revolutions % 65536, crank_event_ticks % 65536)
    return struct.pack("<H", flags) + body


def frame_from_hex(text: str) -> bytes:
    """A frame typed by a person: hex digits, optionally separated by spaces or colons."""
    cleaned = text.replace(":", "").replace(" ", "").strip()
    if cleaned.lower().startswith("0x"):
        cleaned = cleaned[2:]
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        raise GattDecodeError(
            f"{text!r} is not a frame in hexadecimal (expected pairs of hex digits, e.g. 16485401EC02)."
        ) from None
