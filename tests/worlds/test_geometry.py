"""Route geometry: distances, elevation, gradient, position along, compact form."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks._routes import straight_north
from worlds.geometry import RouteGeometry, RouteTooShort, haversine_m, route_build
from worlds.gpx import GpxRejected, gpx_route_parse, gpx_write


def test_haversine_of_one_degree_of_latitude_is_about_111_km() -> None:
    assert haversine_m(46.0, 14.0, 47.0, 14.0) == pytest.approx(111_195, rel=1e-4)


def test_a_straight_route_has_its_generated_length() -> None:
    geometry = route_build(straight_north(5_000))

    assert geometry.length_m == pytest.approx(5_000, rel=1e-6)
    assert len(geometry.lat) == 51


def test_a_steady_climb_has_a_steady_gradient_and_its_gain() -> None:
    geometry = route_build(straight_north(2_000, climb_per_m=0.05))

    assert geometry.position_at(1_000).gradient == pytest.approx(0.05, abs=1e-6)
    assert geometry.elevation_gain_m == pytest.approx(100, abs=2)


def test_position_at_interpolates_between_points_and_clamps_at_the_ends() -> None:
    geometry = route_build(straight_north(1_000, climb_per_m=0.02))

    middle = geometry.position_at(550)
    end = geometry.position_at(5_000)

    assert middle.distance_m == 550
    assert middle.lat == pytest.approx((geometry.lat[5] + geometry.lat[6]) / 2)
    assert end.distance_m == pytest.approx(1_000)
    assert end.lat == geometry.lat[-1]


def test_noisy_elevation_is_smoothed_so_gradients_stay_sensible() -> None:
    points = [
        (la, lo, 100.0 + (5.0 if i % 2 else -5.0))
        for i, (la, lo, _) in enumerate(straight_north(1_000, step_m=10))
    ]

    geometry = route_build(points)

    assert max(abs(g) for g in geometry.gradient[10:-10]) < 0.05


def test_a_route_without_elevation_is_flat() -> None:
    geometry = route_build(straight_north(500, climb_per_m=None))

    assert geometry.has_elevation is False
    assert set(geometry.elevation_m) == {0.0}
    assert set(geometry.gradient) == {0.0}


def test_repeated_points_are_dropped() -> None:
    points = straight_north(300)
    points.insert(2, points[1])

    geometry = route_build(points)

    assert len(geometry.lat) == 4


def test_a_route_of_one_place_is_too_short() -> None:
    with pytest.raises(RouteTooShort):
        route_build([(46.0, 14.0, 10.0), (46.0, 14.0, 11.0)])


def test_compact_geometry_round_trips() -> None:
    geometry = route_build(straight_north(1_000, climb_per_m=0.03))

    again = RouteGeometry.from_compact(geometry.compact(), geometry.has_elevation)

    assert again.compact() == geometry.compact()
    assert geometry.compact()[1] == [
        round(geometry.lat[1], 6),
        14.0,
        100.0,
        round(geometry.elevation_m[1], 1),
        0.03,
    ]


def test_generated_gpx_route_points_are_read_like_a_track() -> None:
    parsed = gpx_route_parse(gpx_write(straight_north(800), name="Pier", as_route=True))

    assert parsed.name == "Pier"
    assert parsed.geometry.length_m == pytest.approx(800, rel=1e-6)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<gpx><trk>", "This is not a readable GPX file"),
        ("not xml at all", "This is not a readable GPX file"),
        ('<gpx version="1.1"></gpx>', "This GPX file has no track or route points"),
        (gpx_write([(46.0, 14.0, 5.0)]), "This GPX file has only one point"),
    ],
)
def test_unusable_gpx_is_rejected_with_a_reason(content: str, message: str) -> None:
    with pytest.raises(GpxRejected, match=message):
        gpx_route_parse(content)


def test_shared_lake_track_reads_with_elevation(shared_data: Path) -> None:
    parsed = gpx_route_parse((shared_data / "gpx" / "cerknicko-jezero.gpx").read_bytes())

    assert parsed.name == "ACTIVE LOG"
    assert parsed.geometry.has_elevation is True
    assert parsed.geometry.length_m == pytest.approx(13_665, abs=5)
    assert parsed.notes == ()


def test_shared_route_without_elevation_is_flat_with_a_note(shared_data: Path) -> None:
    parsed = gpx_route_parse((shared_data / "gpx" / "route.gpx").read_bytes())

    assert len(parsed.geometry.lat) == 55
    assert parsed.geometry.length_m == pytest.approx(6_683, abs=5)
    assert parsed.notes == ("The GPX file has no elevation, so the route is flat.",)


def test_shared_track_with_an_empty_segment_keeps_the_other_points(shared_data: Path) -> None:
    parsed = gpx_route_parse((shared_data / "gpx" / "track-with-empty-segment.gpx").read_bytes())

    assert len(parsed.geometry.lat) == 9
