"""The session, sharing and history endpoints: scoped to the class's people, bad input refused."""

from __future__ import annotations

from typing import Any

from wellness.classes import services
from wellness.classes.models import ClassOccurrence, Instructor, LiveShare
from wellness.people.models import User


def session_url(occurrence: ClassOccurrence) -> str:
    return f"/api/v1/classes/occurrences/{occurrence.pk}/session/"


def share_url(occurrence: ClassOccurrence) -> str:
    return f"/api/v1/classes/occurrences/{occurrence.pk}/share/"


def test_the_instructor_drives_the_session_over_http(
    client_for: Any, occurrence: ClassOccurrence, instructor: Instructor
) -> None:
    client = client_for(instructor.user)

    client.post(session_url(occurrence), {"action": "start"}, format="json")
    response = client.post(session_url(occurrence), {"action": "goto", "index": 2}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["segment_index"], body["revision"]) == ("running", 2, 2)
    assert body["segment"]["name"] == "Sun salutations"


def test_a_stranger_gets_404_for_the_session_and_nothing_changes(
    client_for: Any, occurrence: ClassOccurrence, other_user: User
) -> None:
    client = client_for(other_user)

    read = client.get(session_url(occurrence))
    drive = client.post(session_url(occurrence), {"action": "start"}, format="json")

    assert (read.status_code, drive.status_code) == (404, 404)
    occurrence.refresh_from_db()
    assert (occurrence.status, occurrence.revision) == ("scheduled", 0)


def test_an_unknown_action_is_400_and_changes_nothing(
    client_for: Any, occurrence: ClassOccurrence, instructor: Instructor
) -> None:
    response = client_for(instructor.user).post(
        session_url(occurrence), {"action": "rewind"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["action"]
    occurrence.refresh_from_db()
    assert occurrence.revision == 0


def test_moving_on_before_the_start_is_a_conflict(
    client_for: Any, occurrence: ClassOccurrence, instructor: Instructor
) -> None:
    response = client_for(instructor.user).post(
        session_url(occurrence), {"action": "next"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "session_not_started"
    occurrence.refresh_from_db()
    assert (occurrence.segment_index, occurrence.revision) == (0, 0)


def test_a_booked_participant_opts_in_to_sharing(
    client_for: Any, occurrence: ClassOccurrence, consenting_user: User
) -> None:
    services.booking_create(user=consenting_user, occurrence_id=occurrence.pk)

    response = client_for(consenting_user).put(
        share_url(occurrence), {"sharing": True, "use_pseudonym": True}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"sharing": True, "show_numbers": False, "use_pseudonym": True}


def test_sharing_needs_health_data_consent_and_stores_nothing_without_it(
    client_for: Any, occurrence: ClassOccurrence, user: User
) -> None:
    services.booking_create(user=user, occurrence_id=occurrence.pk)

    response = client_for(user).put(share_url(occurrence), {"sharing": True}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "consent_required"
    assert not LiveShare.objects.exists()


def test_a_stranger_gets_404_for_sharing_and_nothing_is_stored(
    client_for: Any, occurrence: ClassOccurrence, other_user: User
) -> None:
    client = client_for(other_user)

    read = client.get(share_url(occurrence))
    write = client.put(share_url(occurrence), {"sharing": True}, format="json")

    assert (read.status_code, write.status_code) == (404, 404)
    assert not LiveShare.objects.exists()


def test_history_lists_only_my_past_classes(
    client_for: Any,
    occurrence: ClassOccurrence,
    instructor: Instructor,
    user: User,
    other_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    services.booking_create(user=user, occurrence_id=occurrence.pk)
    services.booking_create(user=other_user, occurrence_id=occurrence.pk)
    # The history lists classes taken (attendances); a booking alone is not one.
    services.session_control(user=instructor.user, occurrence_id=occurrence.pk, action="start")
    for person in (user, other_user):
        services.attendance_start_live(user=person, occurrence_id=occurrence.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_control(user=instructor.user, occurrence_id=occurrence.pk, action="end")

    mine = client_for(user).get("/api/v1/classes/history/").json()

    assert mine["count"] == 1
    assert mine["results"][0]["class_title"] == "Morning flow"


def test_a_booked_class_not_attended_is_not_in_the_history(
    client_for: Any, occurrence: ClassOccurrence, user: User
) -> None:
    services.booking_create(user=user, occurrence_id=occurrence.pk)
    ClassOccurrence.objects.filter(pk=occurrence.pk).update(
        starts_at=occurrence.starts_at.replace(year=2020)
    )

    mine = client_for(user).get("/api/v1/classes/history/").json()

    assert mine["count"] == 0


def test_the_export_contains_my_bookings(occurrence: ClassOccurrence, user: User) -> None:
    from wellness.core import privacy

    services.booking_create(user=user, occurrence_id=occurrence.pk)

    exported = privacy.exporters()["classes"](user)

    assert [b["class"] for b in exported["bookings"]] == ["Morning flow"]
    assert exported["bookings"][0]["status"] == "booked"
