"""The movement engine: where speed comes from, gradient, laps, landmarks, drafting, overtaking."""

from __future__ import annotations

import random

import pytest

from worlds import movement
from worlds.movement import Athlete, AvatarState, Course, Landmark, avatar_step, speed_for

FLAT = Athlete(resting_hr=60, max_hr=190)


def flat_course(
    length_m: float = 1_000, laps: int = 1, landmarks: tuple[Landmark, ...] = ()
) -> Course:
    return Course(lap_length_m=length_m, laps=laps, landmarks=landmarks, gradient_at=lambda d: 0.0)


def test_sensor_speed_wins_over_cadence_and_heart_rate() -> None:
    reading = speed_for(
        {"speed": 3.2, "cadence": 180, "hr": 150},
        sport="run",
        indoor=False,
        gradient=0,
        athlete=FLAT,
    )

    assert (reading.speed_mps, reading.source) == (3.2, "sensor")


def test_cadence_times_stride_without_a_speed_sensor() -> None:
    reading = speed_for(
        {"cadence": 171.4, "hr": 150}, sport="run", indoor=False, gradient=0, athlete=FLAT
    )

    assert reading.source == "cadence"
    assert reading.speed_mps == pytest.approx(171.4 / 60 * 1.05)


def test_a_strap_alone_moves_the_avatar_by_heart_rate_reserve() -> None:
    reading = speed_for({"hr": 125}, sport="run", indoor=False, gradient=0, athlete=FLAT)

    assert reading.source == "heart_rate"
    assert reading.speed_mps == pytest.approx(0.5 * 5.5)


def test_resting_heart_rate_does_not_move_the_avatar() -> None:
    reading = speed_for({"hr": 70}, sport="walk", indoor=False, gradient=0, athlete=FLAT)

    assert reading.speed_mps == 0.0


def test_uphill_slows_a_runner_and_downhill_speeds_them_up() -> None:
    up = speed_for({"speed": 3.0}, sport="run", indoor=False, gradient=0.1, athlete=FLAT)
    down = speed_for({"speed": 3.0}, sport="run", indoor=False, gradient=-0.05, athlete=FLAT)

    assert up.speed_mps == pytest.approx(3.0 * 3.6 / movement._minetti_run(0.1))
    assert 1.5 < up.speed_mps < 2.0
    assert 3.0 < down.speed_mps < 4.8


def test_a_treadmill_setting_its_own_speed_is_not_slowed_by_the_virtual_hill() -> None:
    reading = speed_for({"speed": 3.0}, sport="run", indoor=True, gradient=0.1, athlete=FLAT)

    assert (reading.speed_mps, reading.gradient_applied) == (3.0, False)


def test_rider_power_holds_a_physical_speed_on_flat_and_climb() -> None:
    flat = speed_for({"power": 200}, sport="ride", indoor=True, gradient=0.0, athlete=FLAT)
    climb = speed_for({"power": 200}, sport="ride", indoor=True, gradient=0.08, athlete=FLAT)

    assert movement.ride_power_w(flat.speed_mps, 0.0) == pytest.approx(200, abs=0.01)
    assert 9.0 < flat.speed_mps < 10.5
    assert 2.5 < climb.speed_mps < 3.5


def test_samples_move_the_avatar_by_speed_times_time() -> None:
    samples = [{"t": 1000.0 + i, "speed": 2.5} for i in range(11)]

    state, events = avatar_step(
        AvatarState(), samples, course=flat_course(), sport="run", indoor=False, athlete=FLAT
    )

    assert state.distance_m == pytest.approx(25.0)
    assert state.last_t == 1010.0
    assert events == []


def test_a_replayed_batch_moves_nothing() -> None:
    samples = [{"t": 1000.0 + i, "speed": 2.5} for i in range(11)]
    state, _ = avatar_step(
        AvatarState(), samples, course=flat_course(), sport="run", indoor=False, athlete=FLAT
    )

    again, events = avatar_step(
        state, samples, course=flat_course(), sport="run", indoor=False, athlete=FLAT
    )

    assert again == state
    assert events == []


def test_a_gap_in_the_stream_counts_as_at_most_five_seconds() -> None:
    samples = [{"t": 0.0, "speed": 2.0}, {"t": 60.0, "speed": 2.0}]

    state, _ = avatar_step(
        AvatarState(), samples, course=flat_course(), sport="run", indoor=False, athlete=FLAT
    )

    assert state.distance_m == pytest.approx(10.0)


def test_landmarks_laps_and_the_finish_are_events() -> None:
    course = flat_course(100, laps=2, landmarks=(Landmark(7, "Old mill", 50.0),))
    samples = [{"t": float(i), "speed": 5.0} for i in range(42)]

    state, events = avatar_step(
        AvatarState(), samples, course=course, sport="run", indoor=False, athlete=FLAT
    )

    assert [(e.kind, e.distance_m, e.data) for e in events] == [
        ("landmark", 50.0, {"landmark_id": 7, "name": "Old mill", "lap": 1}),
        ("lap", 100.0, {"lap": 1}),
        ("landmark", 150.0, {"landmark_id": 7, "name": "Old mill", "lap": 2}),
        ("finish", 200.0, {"time_s": 40.0}),
    ]
    assert (state.finished, state.distance_m, state.finish_time_s) == (True, 200.0, 40.0)


def test_passing_another_avatar_is_an_overtake_and_closing_in_is_drafting() -> None:
    events = movement.pack_events(before_m=100, after_m=110, others_m={1: 105, 2: 112, 3: 90}, t=5)

    assert [(e.kind, e.data) for e in events] == [
        ("overtake", {"other": 1}),
        ("drafting", {"other": 2}),
    ]


def test_staying_in_the_draft_is_reported_once() -> None:
    events = movement.pack_events(before_m=110, after_m=111, others_m={2: 112}, t=5)

    assert events == []


def test_the_pack_finds_the_same_overtakes_and_drafts_as_comparing_with_every_avatar() -> None:
    rng = random.Random(7)
    before = {i: round(rng.uniform(0, 200), 1) for i in range(1, 301)}
    before.update({301: 50.0, 302: 50.0, 303: 53.0})  # level with 301, one draft zone ahead
    after = {i: d + rng.choice([0.0, 0.0, 0.5, 3.0, 7.3, 20.0]) for i, d in before.items()}
    pack = movement.Pack(before, after)

    for mover in (*rng.sample(sorted(before), 60), 301, 302):
        others = [i for i in before if i != mover]
        passed = sorted(
            (before[i], i) for i in others if before[mover] < before[i] and after[i] < after[mover]
        )
        ahead = min(((after[i], i) for i in others if after[i] > after[mover]), default=None)
        drafting = (
            ahead is not None
            and ahead[0] - after[mover] <= movement.DRAFT_ZONE_M
            and not 0 < before[ahead[1]] - before[mover] <= movement.DRAFT_ZONE_M
        )

        events = pack.events(mover, before_m=before[mover], after_m=after[mover], t=1.0)

        assert [(e.kind, e.data["other"]) for e in events] == [
            ("overtake", i) for _, i in passed
        ] + ([("drafting", ahead[1])] if drafting and ahead else [])


def test_runners_who_both_moved_are_compared_where_they_ended() -> None:
    # 4 stands at 10.5 m; 1, 2 and 3 move in the same tick.
    pack = movement.Pack({1: 10.0, 2: 20.0, 3: 0.0, 4: 10.5}, {1: 25.0, 2: 30.0, 3: 8.0})

    chaser = pack.events(1, before_m=10.0, after_m=25.0, t=3.0)
    leader = pack.events(2, before_m=20.0, after_m=30.0, t=3.0)
    last = pack.events(3, before_m=0.0, after_m=8.0, t=3.0)

    # 1 passed where 2 was, but 2 moved on to 30 m: only the standing 4 was overtaken.
    assert [(e.kind, e.data) for e in chaser] == [("overtake", {"other": 4})]
    assert leader == []
    assert [(e.kind, e.data) for e in last] == [("drafting", {"other": 4})]


def test_leaving_the_start_line_ahead_of_the_others_is_not_overtaking_them() -> None:
    pack = movement.Pack({1: 0.0, 2: 0.0, 3: 0.0}, {1: 2.0, 2: 4.0, 3: 4.5})

    slow = pack.events(1, before_m=0.0, after_m=2.0, t=1.0)
    middle = pack.events(2, before_m=0.0, after_m=4.0, t=1.0)
    fast = pack.events(3, before_m=0.0, after_m=4.5, t=1.0)

    # Each is in the draft of the nearest runner ahead only; nobody overtook anybody.
    assert [[(e.kind, e.data) for e in es] for es in (slow, middle, fast)] == [
        [("drafting", {"other": 2})],
        [("drafting", {"other": 3})],
        [],
    ]
