"""Consultation notes (issue 21, point 5): written by the clinician, seen by the patient and the
author, append-only (an amendment is a new version, the old one kept and shown as amended),
encrypted at rest with rotatable keys, exported with the patient's data and erased with it unless
an organisation must keep them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from pytest_django.fixtures import Settings

from tests.factories import UserFactory
from tests.helpers import ClientFor
from tests.wellness.care.factories import (
    appointment_create,
    care_create,
    make_clinician,
    make_organisation,
    make_relationship,
    tomorrow_at,
)
from wellness.care.models import (
    CareRelationship,
    ClinicianProfile,
    ConsultationNote,
    ConsultationNoteVersion,
)
from wellness.people.erasure import health_data_erase
from wellness.people.models import AccessLogEntry, User
from wellness.people.services import account_remove

pytestmark = pytest.mark.django_db

NOTE = {
    "reason": "Breathless on stairs since January",
    "findings": "Resting HR 58, HRV steady; no arrhythmia in the shared strap data",
    "plan": "Graded walking programme, three sessions a week",
    "follow_up": "Review in four weeks",
}
ENCRYPTED = ("reason", "findings", "plan", "follow_up")


def _write(
    client_for: ClientFor, clinician: ClinicianProfile, relationship: CareRelationship
) -> int:
    response = client_for(clinician.user).post(
        f"/api/v1/care/relationships/{relationship.pk}/notes/", NOTE
    )
    assert response.status_code == 201, response.content
    note_id: int = response.json()["id"]
    return note_id


def _raw_rows() -> list[tuple[str | None, ...]]:
    table = ConsultationNoteVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT reason, findings, plan, follow_up FROM {table}")
        return list(cursor.fetchall())


def _fields_rekeyed() -> None:
    """The encrypted fields cache their keys; a changed setting needs them dropped."""
    for name in ENCRYPTED:
        field = ConsultationNoteVersion._meta.get_field(name)
        for cached in ("keys", "f"):
            field.__dict__.pop(cached, None)


@pytest.fixture
def keys(settings: Settings) -> Iterator[Settings]:
    yield settings
    settings.SALT_KEY = settings.WELLVERSE_FIELD_ENCRYPTION_KEYS
    _fields_rekeyed()


def test_the_patient_and_the_author_see_the_note(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    note_id = _write(client_for, clinician, relationship)

    mine = client_for(patient).get("/api/v1/care/notes/").json()
    written = client_for(clinician.user).get(f"/api/v1/care/patients/{patient.pk}/notes/").json()

    assert [n["id"] for n in mine] == [n["id"] for n in written] == [note_id]
    version = mine[0]["versions"][0]
    assert {k: version[k] for k in NOTE} == NOTE
    assert (mine[0]["author"], version["number"], version["amended"]) == ("Dr. Okafor", 1, False)
    # The author's read is logged like every read of the patient's data; the patient's is not.
    assert list(AccessLogEntry.objects.values_list("what", flat=True)) == ["consultation notes"]


def test_no_one_else_sees_or_writes_notes(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    note_id = _write(client_for, clinician, relationship)
    colleague = make_clinician(name="Dr. Other")
    make_relationship(patient=UserFactory.create(), clinician=colleague)

    theirs = client_for(colleague.user).get(f"/api/v1/care/patients/{patient.pk}/notes/")
    stranger = client_for(UserFactory.create()).get("/api/v1/care/notes/")
    write = client_for(colleague.user).post(
        f"/api/v1/care/relationships/{relationship.pk}/notes/", NOTE
    )
    amend = client_for(colleague.user).post(f"/api/v1/care/notes/{note_id}/versions/", NOTE)
    by_patient = client_for(patient).post(
        f"/api/v1/care/relationships/{relationship.pk}/notes/", NOTE
    )

    assert theirs.json() == stranger.json() == []
    assert write.status_code == amend.status_code == by_patient.status_code == 404
    assert ConsultationNoteVersion.objects.count() == 1


def test_an_amendment_is_a_new_version_and_the_old_one_is_kept_as_amended(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    note_id = _write(client_for, clinician, relationship)

    response = client_for(clinician.user).post(
        f"/api/v1/care/notes/{note_id}/versions/", NOTE | {"plan": "Walking programme, five a week"}
    )

    assert response.status_code == 201
    versions = client_for(patient).get("/api/v1/care/notes/").json()[0]["versions"]
    assert [(v["number"], v["amended"], v["plan"]) for v in versions] == [
        (1, True, NOTE["plan"]),
        (2, False, "Walking programme, five a week"),
    ]


def test_an_empty_note_is_refused(
    client_for: ClientFor, clinician: ClinicianProfile, relationship: CareRelationship
) -> None:
    response = client_for(clinician.user).post(
        f"/api/v1/care/relationships/{relationship.pk}/notes/", {"reason": "  "}
    )

    assert response.status_code == 400
    assert not ConsultationNote.objects.exists()


def test_a_note_follows_one_of_the_clinicians_appointments_with_that_patient(
    client_for: ClientFor, clinician: ClinicianProfile, relationship: CareRelationship
) -> None:
    patient = relationship.patient
    mine = appointment_create(clinician=clinician, patient=patient, starts_at=tomorrow_at(9))
    with_another_patient = appointment_create(
        clinician=clinician, patient=care_create(clinician=clinician), starts_at=tomorrow_at(10)
    )
    colleague = make_clinician(name="Dr. Adeyemi")
    make_relationship(patient=patient, clinician=colleague)
    with_a_colleague = appointment_create(
        clinician=colleague, patient=patient, starts_at=tomorrow_at(11)
    )
    url = f"/api/v1/care/relationships/{relationship.pk}/notes/"
    for other in (with_another_patient, with_a_colleague):
        refused = client_for(clinician.user).post(url, {**NOTE, "appointment_id": other.pk})
        assert refused.status_code == 404, refused.content
    assert not ConsultationNote.objects.exists()

    written = client_for(clinician.user).post(url, {**NOTE, "appointment_id": mine.pk})

    assert written.status_code == 201, written.content
    assert written.json()["appointment_id"] == mine.pk
    seen = client_for(patient).get("/api/v1/care/notes/").json()
    assert [n["appointment_id"] for n in seen] == [mine.pk]


def test_the_raw_database_row_holds_no_plaintext(
    client_for: ClientFor, clinician: ClinicianProfile, relationship: CareRelationship
) -> None:
    _write(client_for, clinician, relationship)

    (row,) = _raw_rows()

    for stored, plain in zip(row, NOTE.values(), strict=True):
        assert stored is not None
        assert plain not in stored
        assert "Breathless" not in stored
        assert stored.startswith("gAAAAA")  # a Fernet token


def test_notes_written_under_an_old_key_read_after_rotation_and_re_encryption(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
    keys: Settings,
) -> None:
    keys.SALT_KEY = ["old-key-0123456789abcdef"]
    _fields_rekeyed()
    _write(client_for, clinician, relationship)
    written_under_old = _raw_rows()

    keys.SALT_KEY = ["new-key-fedcba9876543210", "old-key-0123456789abcdef"]
    _fields_rekeyed()
    assert ConsultationNoteVersion.objects.get().reason == NOTE["reason"]
    call_command("care_notes_reencrypt", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _raw_rows() != written_under_old

    keys.SALT_KEY = ["new-key-fedcba9876543210"]
    _fields_rekeyed()
    version = client_for(patient).get("/api/v1/care/notes/").json()[0]["versions"][0]
    assert {k: version[k] for k in NOTE} == NOTE


def test_without_the_key_a_note_does_not_read(
    client_for: ClientFor,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
    keys: Settings,
) -> None:
    _write(client_for, clinician, relationship)

    keys.SALT_KEY = ["an-unrelated-key-0000000000"]
    _fields_rekeyed()

    assert ConsultationNoteVersion.objects.get().reason != NOTE["reason"]


def test_the_export_includes_every_version_of_the_notes(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    note_id = _write(client_for, clinician, relationship)
    client_for(clinician.user).post(f"/api/v1/care/notes/{note_id}/versions/", {"plan": "Rest"})

    notes = client_for(patient).get("/api/v1/me/export/").json()["care"]["consultation_notes"]

    assert [n["author"] for n in notes] == ["Dr. Okafor"]
    assert [(v["number"], v["plan"]) for v in notes[0]["versions"]] == [
        (1, NOTE["plan"]),
        (2, "Rest"),
    ]


def test_notes_are_erased_with_the_patients_health_data(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    _write(client_for, clinician, relationship)

    health_data_erase(user_id=patient.pk)

    assert not ConsultationNote.objects.exists()
    assert not ConsultationNoteVersion.objects.exists()


def test_an_organisations_recent_notes_are_kept_for_the_retention_period(
    client_for: ClientFor, patient: User, settings: Settings
) -> None:
    settings.WELLVERSE_CARE_NOTES_RETENTION_DAYS = 30
    organisation_clinician = make_clinician(organisation=make_organisation())
    independent = make_clinician(name="Ms. Rivera")
    kept = _write(
        client_for,
        organisation_clinician,
        make_relationship(patient=patient, clinician=organisation_clinician),
    )
    old = _write(
        client_for,
        organisation_clinician,
        CareRelationship.objects.get(patient=patient, clinician=organisation_clinician),
    )
    ConsultationNote.objects.filter(pk=old).update(
        created_at=timezone.now() - dt.timedelta(days=31)
    )
    _write(client_for, independent, make_relationship(patient=patient, clinician=independent))

    health_data_erase(user_id=patient.pk)

    assert list(ConsultationNote.objects.values_list("pk", flat=True)) == [kept]


def _organisation_and_independent_notes(
    client_for: ClientFor, patient: User
) -> tuple[int, int, ClinicianProfile]:
    """A note an organisation's clinician wrote (kept 30 days) and one an independent wrote."""
    organisation_clinician = make_clinician(organisation=make_organisation())
    independent = make_clinician(name="Ms. Rivera")
    kept = _write(
        client_for,
        organisation_clinician,
        make_relationship(patient=patient, clinician=organisation_clinician),
    )
    other = _write(
        client_for, independent, make_relationship(patient=patient, clinician=independent)
    )
    return kept, other, organisation_clinician


def test_a_deleted_patients_kept_notes_outlive_the_account_for_the_organisation_alone(
    client_for: ClientFor, patient: User, settings: Settings
) -> None:
    settings.WELLVERSE_CARE_NOTES_RETENTION_DAYS = 30
    kept, _, organisation_clinician = _organisation_and_independent_notes(client_for, patient)
    email = patient.email

    account_remove(user=patient)

    note = ConsultationNote.objects.get()
    assert note.pk == kept
    assert note.relationship_id is None
    assert email in note.patient_name
    assert note.author_name == organisation_clinician.professional_name
    assert note.organisation_id == organisation_clinician.organisation_id
    assert note.retained_until == note.created_at + dt.timedelta(days=30)
    assert ConsultationNoteVersion.objects.get().plan == NOTE["plan"]
    # The app no longer shows or changes it: the author's amendment finds no such note.
    amended = client_for(organisation_clinician.user).post(
        f"/api/v1/care/notes/{kept}/versions/", NOTE
    )
    assert amended.status_code == 404
    assert ConsultationNoteVersion.objects.count() == 1


def test_a_deleted_authors_organisation_notes_are_kept_and_their_others_go(
    client_for: ClientFor, patient: User, settings: Settings
) -> None:
    settings.WELLVERSE_CARE_NOTES_RETENTION_DAYS = 30
    kept, other, organisation_clinician = _organisation_and_independent_notes(client_for, patient)
    independent = ConsultationNote.objects.get(pk=other).author
    assert independent is not None

    account_remove(user=organisation_clinician.user)
    account_remove(user=independent.user)

    note = ConsultationNote.objects.get()
    assert note.pk == kept
    assert note.author_id is None
    assert note.author_name == "Dr. Okafor"
    assert note.retained_until is not None


def test_kept_notes_are_deleted_when_their_retention_ends(
    client_for: ClientFor, patient: User, settings: Settings
) -> None:
    settings.WELLVERSE_CARE_NOTES_RETENTION_DAYS = 30
    kept, _, _ = _organisation_and_independent_notes(client_for, patient)
    health_data_erase(user_id=patient.pk)
    retained_until = ConsultationNote.objects.get(pk=kept).retained_until
    assert retained_until is not None

    call_command("care_notes_retention_end")  # not yet: nothing goes
    assert ConsultationNote.objects.filter(pk=kept).exists()
    ConsultationNote.objects.filter(pk=kept).update(
        retained_until=timezone.now() - dt.timedelta(seconds=1)
    )
    call_command("care_notes_retention_end")

    assert not ConsultationNote.objects.exists()
    assert not ConsultationNoteVersion.objects.exists()


def test_a_note_outside_care_must_be_kept_for_an_organisation(
    client_for: ClientFor,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    from django.db import IntegrityError

    note_id = _write(client_for, clinician, relationship)

    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationNote.objects.filter(pk=note_id).update(relationship=None)


@pytest.mark.integration
def test_postgresql_refuses_to_update_or_delete_a_version(
    client_for: ClientFor,
    patient: User,
    clinician: ClinicianProfile,
    relationship: CareRelationship,
) -> None:
    assert connection.vendor == "postgresql"
    _write(client_for, clinician, relationship)
    table = ConsultationNoteVersion._meta.db_table

    for statement in (f"UPDATE {table} SET plan = NULL", f"DELETE FROM {table}"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)

    assert ConsultationNoteVersion.objects.get().plan == NOTE["plan"]
    # Erasure and account deletion still remove them.
    account_remove(user=patient)
    assert not ConsultationNoteVersion.objects.exists()
    assert settings.WELLVERSE_CARE_NOTES_RETENTION_DAYS == 0


@pytest.mark.integration
def test_postgresql_lets_account_deletion_keep_and_the_retention_end_delete_notes(
    client_for: ClientFor, patient: User, settings: Settings
) -> None:
    assert connection.vendor == "postgresql"
    settings.WELLVERSE_CARE_NOTES_RETENTION_DAYS = 30
    kept, _, _ = _organisation_and_independent_notes(client_for, patient)

    account_remove(user=patient)
    assert list(ConsultationNote.objects.values_list("pk", flat=True)) == [kept]
    ConsultationNote.objects.update(retained_until=timezone.now() - dt.timedelta(seconds=1))
    call_command("care_notes_retention_end")

    assert not ConsultationNoteVersion.objects.exists()
