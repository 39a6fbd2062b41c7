"""GATT decoding: published byte vectors, every flag combination, random bytes, counter rollover."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices import gatt, profiles

VECTORS_FILE = Path(gatt.__file__).parent / "testdata" / "gatt_vectors.json"
VECTORS: list[dict[str, Any]] = json.loads(VECTORS_FILE.read_text())["vectors"]
GOOD = [v for v in VECTORS if not v.get("error")]
BAD = [v for v in VECTORS if v.get("error")]


def _id(vector: dict[str, Any]) -> str:
    return f"{vector['characteristic']}-{vector['hex'] or 'empty'}"


# --- Vectors from the specifications and public test suites (sources in the JSON file) ---------
@pytest.mark.parametrize("vector", GOOD, ids=_id)
def test_published_vector_decodes_to_its_expected_fields(vector: dict[str, Any]) -> None:
    decoded = gatt.decode(vector["characteristic"], gatt.frame_from_hex(vector["hex"]))

    assert set(decoded) >= set(vector["expected"])
    for key, expected in vector["expected"].items():
        if isinstance(expected, float | list):
            assert decoded[key] == pytest.approx(expected, abs=1e-4), key
        else:
            assert decoded[key] == expected, key


@pytest.mark.parametrize("vector", BAD, ids=_id)
def test_malformed_vector_raises_the_decode_error(vector: dict[str, Any]) -> None:
    with pytest.raises(gatt.GattDecodeError):
        gatt.decode(vector["characteristic"], gatt.frame_from_hex(vector["hex"]))


def test_every_vector_names_its_source() -> None:
    assert all(v["source"].strip() for v in VECTORS)
    assert {v["characteristic"] for v in GOOD} == {"2A37", "2A53", "2A5B", "2A63", "2ACD", "2AD2"}


def test_truncated_frame_error_says_which_field_is_missing() -> None:
    with pytest.raises(gatt.GattDecodeError) as error:
        gatt.decode("2AD2", bytes.fromhex("440018"))

    assert str(error.value) == (
        "Indoor Bike Data frame is truncated: instantaneous speed needs 2 byte(s) at offset 2 "
        "but the frame has 3 byte(s)."
    )


def test_uuid_spellings_all_reach_the_same_decoder() -> None:
    frame = bytes.fromhex("0048")
    spellings = ["2a37", "0x2A37", "00002A37-0000-1000-8000-00805F9B34FB"]

    assert [gatt.decode(s, frame)["hr"] for s in spellings] == [72, 72, 72]


def test_unsupported_characteristic_is_a_decode_error() -> None:
    with pytest.raises(gatt.GattDecodeError, match="not a supported measurement"):
        gatt.decode("2A19", b"\x50")


# --- Every flag combination: field sizes per flag bit, taken from the specifications ------------
# (flag bytes, mandatory body bytes, {bit: bytes the bit adds}, bits whose field is present when CLEAR)
LAYOUTS: dict[str, tuple[int, int, dict[int, int], set[int]]] = {
    "2A37": (1, 1, {0: 1, 3: 2}, set()),  # bit 0 widens the value to 16 bits; RR handled below
    "2A53": (1, 3, {0: 2, 1: 4}, set()),
    "2A5B": (1, 0, {0: 6, 1: 4}, set()),
    "2A63": (2, 2, {0: 1, 2: 2, 4: 6, 5: 4, 6: 4, 7: 4, 8: 3, 9: 2, 10: 2, 11: 2}, set()),
    "2ACD": (
        2,
        0,
        {0: 2, 1: 2, 2: 3, 3: 4, 4: 4, 5: 1, 6: 1, 7: 5, 8: 1, 9: 1, 10: 2, 11: 2, 12: 4},
        {0},
    ),
    "2AD2": (
        2,
        0,
        {0: 2, 1: 2, 2: 2, 3: 2, 4: 3, 5: 2, 6: 2, 7: 2, 8: 5, 9: 1, 10: 1, 11: 2, 12: 2},
        {0},
    ),
}
DEFINED_BITS = {"2A37": 5, "2A53": 3, "2A5B": 2, "2A63": 13, "2ACD": 13, "2AD2": 13}


def _frame_length(characteristic: str, flags: int, rr_count: int = 0) -> int:
    flag_bytes, mandatory, sizes, inverted = LAYOUTS[characteristic]
    length = flag_bytes + mandatory
    for bit, size in sizes.items():
        present = not flags & (1 << bit) if bit in inverted else flags & (1 << bit)
        if present:
            length += size
    if characteristic == "2A37" and flags & 0x10:
        length += 2 * rr_count
    return length


def _frame(characteristic: str, flags: int, length: int) -> bytes:
    flag_bytes = LAYOUTS[characteristic][0]
    filler = bytes((0x5A + 37 * i) % 256 for i in range(length - flag_bytes))
    return flags.to_bytes(flag_bytes, "little") + filler


@pytest.mark.parametrize("characteristic", sorted(LAYOUTS))
def test_every_flag_combination_decodes_and_one_byte_less_is_an_error(characteristic: str) -> None:
    for flags in range(1 << DEFINED_BITS[characteristic]):
        rr_counts = (0, 1, 3) if characteristic == "2A37" else (0,)
        for rr_count in rr_counts:
            length = _frame_length(characteristic, flags, rr_count)
            frame = _frame(characteristic, flags, length)

            decoded = gatt.decode(characteristic, frame)

            assert isinstance(decoded, dict), (characteristic, flags)
            if length > LAYOUTS[characteristic][0]:
                with pytest.raises(gatt.GattDecodeError):
                    gatt.decode(characteristic, frame[:-1])
            with pytest.raises(gatt.GattDecodeError, match=r"trailing|each interval takes 2 bytes"):
                gatt.decode(characteristic, frame + b"\x00")


def test_ftms_speed_is_present_exactly_when_flag_bit_zero_is_clear() -> None:
    for characteristic in ("2ACD", "2AD2"):
        with_speed = gatt.decode(characteristic, _frame(characteristic, 0, 4))
        without_speed = gatt.decode(characteristic, _frame(characteristic, 1, 2))

        assert "speed" in with_speed
        assert "speed" not in without_speed


def test_heart_rate_reads_every_rr_interval_in_milliseconds() -> None:
    frame = bytes([0x10, 60]) + b"".join(v.to_bytes(2, "little") for v in (1024, 512, 768))

    assert gatt.decode("2A37", frame)["rr"] == [1000.0, 500.0, 750.0]


# --- Random bytes: only the decode error, never anything else -----------------------------------
@pytest.mark.parametrize("characteristic", sorted(LAYOUTS))
@given(data=st.binary(max_size=40))
def test_random_bytes_decode_or_raise_only_the_decode_error(
    characteristic: str, data: bytes
) -> None:
    try:
        decoded = gatt.decode(characteristic, data)
    except gatt.GattDecodeError:
        return
    assert isinstance(decoded, dict)


@pytest.mark.parametrize("characteristic", sorted(LAYOUTS))
@given(flags=st.integers(0, 0xFFFF), body=st.binary(max_size=40))
def test_random_flags_and_body_reach_every_branch_without_other_errors(
    characteristic: str, flags: int, body: bytes
) -> None:
    frame = flags.to_bytes(LAYOUTS[characteristic][0] + 1, "little")[: LAYOUTS[characteristic][0]]
    with contextlib.suppress(gatt.GattDecodeError):
        gatt.decode(characteristic, frame + body)


@given(text=st.text(max_size=20))
def test_any_typed_text_is_a_frame_or_the_decode_error(text: str) -> None:
    with contextlib.suppress(gatt.GattDecodeError):
        assert isinstance(gatt.frame_from_hex(text), bytes)


# --- Speed and cadence between two CSC / CPS frames ---------------------------------------------
def _csc(wheel: int, wheel_ticks: int, crank: int, crank_ticks: int) -> dict[str, Any]:
    return gatt.decode(
        "2A5B",
        gatt.encode_csc(
            wheel_revolutions=wheel,
            wheel_event_ticks=wheel_ticks,
            crank_revolutions=crank,
            crank_event_ticks=crank_ticks,
        ),
    )


def test_csc_speed_and_cadence_between_two_frames() -> None:
    derived = gatt.csc_derive(_csc(100, 1024, 10, 1024), _csc(102, 2048, 11, 1792))

    assert derived == pytest.approx({"speed": 4.21, "cadence": 80.0})


def test_csc_derivation_is_correct_across_32_and_16_bit_rollover() -> None:
    before = _csc(0xFFFFFFFF, 65000, 0xFFFF, 65280)
    after = _csc(1, 65000 + 1024 - 65536, 0, 232)

    derived = gatt.csc_derive(before, after)

    assert derived == pytest.approx({"speed": 4.21, "cadence": 60 * 1024 / 488})


def test_csc_without_a_new_event_means_stopped() -> None:
    assert gatt.csc_derive(_csc(5, 100, 7, 200), _csc(5, 100, 7, 200)) == {
        "speed": 0.0,
        "cadence": 0.0,
    }


def test_cycling_power_wheel_times_are_in_half_milliseconds() -> None:
    first = gatt.decode(
        "2A63", bytes.fromhex("1000C800") + (10).to_bytes(4, "little") + b"\x00\x00"
    )
    second = gatt.decode(
        "2A63",
        bytes.fromhex("1000C800") + (12).to_bytes(4, "little") + (2048).to_bytes(2, "little"),
    )

    derived = gatt.csc_derive(first, second, wheel_time_resolution=1 / 2048)

    assert derived == pytest.approx({"speed": 4.21})


# --- Profiles: notification -> sample -----------------------------------------------------------
def test_heart_rate_profile_makes_a_sample_with_rr() -> None:
    sample = profiles.HeartRate().feed(bytes.fromhex("16485401EC02"), 1700000000.5)

    assert sample == {"t": 1700000000.5, "hr": 72, "rr": [332.03125, 730.46875]}


def test_heart_rate_without_skin_contact_is_no_sample() -> None:
    assert profiles.HeartRate().feed(bytes.fromhex("0400"), 1.0) is None


def test_csc_profile_accumulates_distance_across_wheel_counter_rollover() -> None:
    profile = profiles.CyclingSpeedCadence(wheel_circumference_m=2.0)
    frames = [
        gatt.encode_csc(wheel_revolutions=0xFFFFFFFE, wheel_event_ticks=0),
        gatt.encode_csc(wheel_revolutions=0xFFFFFFFF, wheel_event_ticks=1024),
        gatt.encode_csc(wheel_revolutions=3, wheel_event_ticks=2048),
    ]

    samples = [profile.feed(f, float(i)) for i, f in enumerate(frames)]

    assert samples == [
        {"t": 0.0, "distance": 0.0},
        {"t": 1.0, "distance": 2.0, "speed": 2.0},
        {"t": 2.0, "distance": 10.0, "speed": 8.0},
    ]


def test_profiles_are_found_by_the_services_a_device_offers() -> None:
    found = profiles.profiles_for_services(
        ["0000180D-0000-1000-8000-00805F9B34FB", "00001814-0000-1000-8000-00805f9b34fb"]
    )

    assert found == [profiles.HeartRate, profiles.RunningSpeedCadence]


def test_every_profile_decodes_a_registered_characteristic() -> None:
    assert {p.characteristic_uuid for p in profiles.PROFILES} == set(gatt.DECODERS)


@pytest.mark.parametrize("profile_class", profiles.PROFILES, ids=lambda p: p.__name__)
@given(frames=st.lists(st.binary(max_size=24), max_size=6))
def test_a_profile_fed_random_frames_yields_samples_or_only_the_decode_error(
    profile_class: type[profiles.DeviceProfile], frames: list[bytes]
) -> None:
    profile = profile_class()
    for i, frame in enumerate(frames):
        try:
            sample = profile.feed(frame, float(i))
        except gatt.GattDecodeError:
            continue
        assert sample is None or sample["t"] == float(i)
