"""The audit trail: every read of someone's health data by another person is logged, append-only,
shown to the person (API, export) and kept from the app's and the database's own edits."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from rest_framework.test import APIClient

from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import ClientFor, admin_browser
from wellness.people.models import AccessLogEntry, AccessorRole, User
from wellness.people.selectors import public_name
from wellness.people.services import account_remove, health_data_access_record

pytestmark = pytest.mark.django_db


def _read(accessor: User, subject: User, what: str = "workout 7") -> None:
    health_data_access_record(
        accessor=accessor,
        role=AccessorRole.ORGANIZER,
        why="reviewing flagged contributions",
        reads={subject.pk: what},
    )


def test_a_person_sees_who_read_their_health_data_and_no_one_else_does(
    client_for: ClientFor, user: User, other_user: User
) -> None:
    _read(user, other_user, "workout 7")
    _read(user, other_user, "workout 8")

    mine = client_for(other_user).get("/api/v1/me/access-log/").json()
    readers = client_for(user).get("/api/v1/me/access-log/").json()

    assert mine["count"] == 2
    assert [e["what"] for e in mine["results"]] == ["workout 8", "workout 7"]
    assert mine["results"][0]["accessor"] == user.profile.display_name
    assert mine["results"][0]["accessor_role"] == "organizer"
    assert mine["results"][0]["why"] == "reviewing flagged contributions"
    assert readers["count"] == 0


def test_the_access_log_is_paginated_and_needs_a_signed_in_person(
    client_for: ClientFor, api_client: APIClient, user: User, other_user: User
) -> None:
    for n in range(3):
        _read(user, other_user, f"workout {n}")

    page = client_for(other_user).get("/api/v1/me/access-log/?page_size=2").json()

    assert (page["count"], len(page["results"]), page["next"] is not None) == (3, 2, True)
    assert api_client.get("/api/v1/me/access-log/").status_code in (401, 403)


def test_reading_ones_own_data_is_not_logged(user: User) -> None:
    written = health_data_access_record(
        accessor=user, role=AccessorRole.ADMIN, why="curious", reads={user.pk: "profile"}
    )

    assert written == 0
    assert not AccessLogEntry.objects.exists()


def test_the_export_includes_the_access_log(
    client_for: ClientFor, user: User, other_user: User
) -> None:
    _read(user, other_user)

    body = client_for(other_user).get("/api/v1/me/export/").json()

    assert body["access_log"] == [
        {
            "accessor": user.profile.display_name,
            "accessor_role": "organizer",
            "what": "workout 7",
            "why": "reviewing flagged contributions",
            "at": AccessLogEntry.objects.get().at.isoformat(),
        }
    ]


def test_the_access_log_is_in_the_openapi_schema(client_for: ClientFor, user: User) -> None:
    schema = client_for(user).get("/api/v1/schema/?format=json").json()

    operation = schema["paths"]["/api/v1/me/access-log/"]["get"]
    assert operation["operationId"] == "me_access_log_list"
    envelope = schema["components"]["schemas"]["PaginatedAccessLogEntryOutputList"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PaginatedAccessLogEntryOutputList"
    }
    assert {"count", "next", "previous", "results"} <= set(envelope["properties"])


def test_an_admin_opening_a_profile_is_logged(user: User) -> None:
    staff, browser = admin_browser()

    response = browser.get(f"/admin/wellness/profile/{user.profile.pk}/change/")

    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.subject_id, entry.accessor_id) == (user.pk, staff.pk)
    assert (entry.accessor_role, entry.what) == ("admin", "profile physiology")


def test_deleting_the_reader_keeps_the_entry_and_deleting_the_person_removes_it(
    client_for: ClientFor, user: User, other_user: User
) -> None:
    _read(user, other_user)
    reader_name, subject_id = user.profile.display_name, other_user.pk

    account_remove(user=user)
    kept = list(AccessLogEntry.objects.values_list("subject_id", "accessor_name"))
    gone = client_for(other_user).delete("/api/v1/me/", {"password": TEST_PASSWORD}, format="json")

    assert kept == [(subject_id, reader_name)]
    assert gone.status_code == 204
    assert not AccessLogEntry.objects.exists()


def test_an_admin_deleting_an_account_goes_through_account_deletion(
    user: User, other_user: User
) -> None:
    _read(user, other_user)
    _, browser = admin_browser()

    response = browser.post(f"/admin/wellness/user/{other_user.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=other_user.pk).exists()
    assert not AccessLogEntry.objects.exists()


@pytest.mark.integration
def test_postgresql_refuses_to_update_or_delete_an_entry(user: User, other_user: User) -> None:
    assert connection.vendor == "postgresql"
    _read(user, other_user)
    entry = AccessLogEntry.objects.get()
    rows = AccessLogEntry.objects.filter(pk=entry.pk)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        rows.update(what="nothing")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        rows.delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE wellness_accesslogentry SET why = 'edited' WHERE id = %s", [entry.pk]
        )

    entry.refresh_from_db()
    assert entry.what == "workout 7"
    assert AccessLogEntry.objects.count() == 1


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_an_entry_written_on_its_own_commits_and_leaves_the_session_settings_alone() -> None:
    reader, person = UserFactory.create_batch(2)
    assert not connection.in_atomic_block

    _read(reader, person, "workout 9")

    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        mode = cursor.fetchone()
    assert mode == ("on",)
    assert list(AccessLogEntry.objects.values_list("subject_id", "what")) == [
        (person.pk, "workout 9")
    ]


@pytest.mark.postgresql
@pytest.mark.parametrize("pseudonym", ["Heron", ""])
def test_a_private_reader_is_logged_under_the_name_others_see(
    user: User, other_user: User, pseudonym: str
) -> None:
    profile = user.profile
    profile.visibility, profile.pseudonym = "private", pseudonym
    profile.save()

    _read(user, other_user)

    assert AccessLogEntry.objects.get().accessor_name == public_name(profile)
    assert profile.display_name != public_name(profile)
