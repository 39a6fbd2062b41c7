"""Classes in a real browser: browse, book by keyboard, follow a live session, take an on-demand
class in the player, see it in the history; axe finds nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from tests.factories import TEST_PASSWORD
from tests.frontend.helpers import DESKTOP, axe_violations
from tests.servers import AsgiServer
from tests.wellness.classes.factories import FitnessClassFactory
from wellness.classes import services
from wellness.classes.models import Attendance, Booking, Instructor
from wellness.people.models import User
from wellness.scoring.models import StoredScore
from wellness.workouts.models import WorkoutStatus

pytestmark = pytest.mark.integration


def sign_in(page: Any, server: AsgiServer, user: User) -> None:
    page.goto(f"{server.http_url}/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Hello").wait_for()


def test_a_participant_books_by_keyboard_and_follows_the_live_session(
    asgi_server: AsgiServer, chromium: Any, instructor: Instructor, consenting_user: User
) -> None:
    occurrence = FitnessClassFactory.create(instructor=instructor, capacity=5).occurrences.get()
    page = chromium.new_page(viewport=DESKTOP)
    sign_in(page, asgi_server, consenting_user)

    page.goto(f"{asgi_server.http_url}/classes")
    page.get_by_role("link", name="Morning flow").click()
    page.get_by_role("heading", name="Sequence").wait_for()
    book = page.get_by_role("button", name="Book for")
    book.focus()
    page.keyboard.press("Enter")
    page.get_by_text("Booked for").wait_for()
    assert Booking.objects.get(user=consenting_user).status == "booked"

    page.goto(f"{asgi_server.http_url}/classes/live/{occurrence.pk}")
    page.get_by_text("Connected.").wait_for()

    def instructor_moves_on() -> None:
        services.session_control(user=instructor.user, occurrence_id=occurrence.pk, action="start")
        services.session_control(user=instructor.user, occurrence_id=occurrence.pk, action="next")

    # Off Playwright's thread, whose running event loop forbids the broadcast's async_to_sync.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(instructor_moves_on).result()

    page.get_by_text("Breathe in for four, hold for four").wait_for()
    page.get_by_role("heading", name="2 of 3: Box breathing").wait_for()
    assert page.get_by_role("timer").inner_text().endswith("left")


@pytest.mark.parametrize("path", ["/classes", "/classes/{class_id}", "/classes/live/{occ}"])
def test_class_pages_have_no_serious_accessibility_violations(
    asgi_server: AsgiServer, chromium: Any, instructor: Instructor, consenting_user: User, path: str
) -> None:
    fitness_class = FitnessClassFactory.create(instructor=instructor, capacity=5)
    occurrence = fitness_class.occurrences.get()
    services.booking_create(user=consenting_user, occurrence_id=occurrence.pk)
    page = chromium.new_page(viewport=DESKTOP)
    sign_in(page, asgi_server, consenting_user)

    page.goto(asgi_server.http_url + path.format(class_id=fitness_class.pk, occ=occurrence.pk))
    page.locator("main h1").wait_for()

    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]


def eventually(check: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "did not happen in time"
        time.sleep(0.2)


def test_an_on_demand_class_is_played_by_keyboard_scored_and_shown_in_the_history(
    asgi_server: AsgiServer,
    celery_worker: Any,
    chromium: Any,
    instructor: Instructor,
    consenting_user: User,
) -> None:
    fitness_class = services.class_create(
        user=instructor.user,
        title="Two-minute reset",
        kind="breathing",
        delivery="on_demand",
        segments=[
            {"name": "Settle", "duration_s": 2, "cue": "Sit tall, shoulders soft."},
            {
                "name": "Breathe",
                "duration_s": 3,
                "cue": "In for four, out for six.",
                "breathing": {"inhale_s": 4, "exhale_s": 6},
            },
        ],
    )
    page = chromium.new_page(viewport=DESKTOP)
    sign_in(page, asgi_server, consenting_user)

    page.goto(f"{asgi_server.http_url}/classes/{fitness_class.pk}")
    page.get_by_role("link", name="Take this class now").click()
    start = page.get_by_role("button", name="Start the class")
    start.focus()
    page.keyboard.press("Enter")

    page.get_by_text("Sit tall, shoulders soft.").wait_for()
    assert violations_of(page) == []
    page.get_by_text("In for four, out for six.").wait_for()
    page.get_by_text("Breathe in").wait_for()
    page.get_by_text("Class complete").first.wait_for()
    # The player shows the end at once and the link to the history once the server has completed
    # the attendance.
    history_link = page.get_by_role("link", name="See it in your class history")
    history_link.wait_for()

    attendance = Attendance.objects.get(user=consenting_user)
    assert attendance.status == "completed"
    assert attendance.workout is not None
    assert attendance.workout.status == WorkoutStatus.FINISHED
    eventually(lambda: StoredScore.objects.filter(workout=attendance.workout).exists())

    history_link.click()
    page.get_by_role("heading", name="Class history").wait_for()
    page.get_by_role("heading", name="Two-minute reset").wait_for()
    assert "points" in page.locator("main").inner_text()
    assert violations_of(page) == []


def test_a_participant_takes_part_in_a_live_class_until_the_instructor_ends_it(
    asgi_server: AsgiServer,
    celery_worker: Any,
    chromium: Any,
    instructor: Instructor,
    consenting_user: User,
) -> None:
    occurrence = FitnessClassFactory.create(instructor=instructor, capacity=5).occurrences.get()
    services.booking_create(user=consenting_user, occurrence_id=occurrence.pk)
    page = chromium.new_page(viewport=DESKTOP)
    sign_in(page, asgi_server, consenting_user)
    page.goto(f"{asgi_server.http_url}/classes/live/{occurrence.pk}")
    page.get_by_text("Connected.").wait_for()

    def instructor_does(action: str) -> None:
        try:
            services.session_control(
                user=instructor.user, occurrence_id=occurrence.pk, action=action
            )
        finally:
            connection.close()  # this thread's own connection, or the test database stays in use

    # Off Playwright's thread, whose running event loop forbids the broadcast's async_to_sync.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(instructor_does, "start").result()
        page.get_by_text("You are taking part.").wait_for()
        assert Attendance.objects.get(user=consenting_user).status == "started"
        pool.submit(instructor_does, "end").result()

    page.get_by_text("The class has ended. It is recorded as a workout").wait_for()
    eventually(lambda: Attendance.objects.get(user=consenting_user).status == "completed")


def violations_of(page: Any) -> list[tuple[str, str]]:
    return [(v["id"], v["help"]) for v in axe_violations(page)]
