"""Writes for care: organisations and their administrators, clinician profiles and their
verification, care relationships and the patient's sharing grants. Keyword-only and typed.

Whenever a clinician's sight of a patient's data ends (a grant revoked or expired, the relationship
ended, consent withdrawn, the clinician un-verified), :func:`_sight_ended` tells the registered
grant-end listeners (a consultation room closes) and closes the clinician's cookie sockets
(``person_sockets_close``), so nothing they watched keeps streaming.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from wellness.care import selectors
from wellness.care.models import (
    NOTES_PURGE_SETTING,
    Appointment,
    CareOrganisation,
    CareRelationship,
    ClinicianProfile,
    ConsultationNote,
    ConsultationNoteVersion,
    GrantCategory,
    OrganisationAdministrator,
    OrganisationKind,
    Profession,
    RelationshipStatus,
    SharingGrant,
)
from wellness.core.errors import Conflict, ConsentRequired, NotFound, ValidationFailed
from wellness.core.jobs import job_enqueue_on_commit
from wellness.people.models import AccessorRole, User
from wellness.people.selectors import health_consent_active
from wellness.people.services import health_data_access_record, person_sockets_close

GRANT_DEFAULT_DAYS = 90
GRANT_MAX_DAYS = 365
GRANT_EXPIRE_JOB = "care.grant_expire"
# No 0/O, 1/I/L: read aloud or typed from a card without mistakes.
INVITE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
INVITE_LENGTH = 10

# listener(clinician_user_id, patient_id): that clinician no longer sees (some of) that patient's data.
GrantEndListener = Callable[[int, int], None]
_grant_end_listeners: dict[str, GrantEndListener] = {}


def register_grant_end_listener(name: str, listener: GrantEndListener) -> None:
    """Call ``listener(clinician_user_id, patient_id)`` inside the transaction that ends a grant
    (revoked, expired, relationship ended, consent withdrawn, clinician un-verified)."""
    _grant_end_listeners[name] = listener


def _sight_ended(
    pairs: Iterable[tuple[int, int]],
    *,
    clinician_user_id: int | None = None,
    close_sockets: bool = True,
) -> None:
    """Tell the listeners of each (clinician user, patient) pair, then close the clinicians'
    cookie sockets (``clinician_user_id``'s even without a pair) unless ``close_sockets`` is off:
    one grant ending leaves the care and a call going, its listeners stop what that grant showed."""
    clinicians = {clinician_user_id} if clinician_user_id is not None else set()
    for clinician_user_id, patient_id in sorted(set(pairs)):
        for listener in _grant_end_listeners.values():
            listener(clinician_user_id, patient_id)
        clinicians.add(clinician_user_id)
    if not close_sockets:
        return
    for clinician_user_id in sorted(clinicians):
        person_sockets_close(user_id=clinician_user_id, reason="role_lost")


# --- Organisations -------------------------------------------------------------------------------
def organisation_create(
    *, user: User, name: str, kind: str = OrganisationKind.CLINIC
) -> CareOrganisation:
    """Create an organisation; the person who creates it becomes its first administrator."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Name the organisation.", fields={"name": ["Required."]})
    if kind not in OrganisationKind.values:
        raise ValidationFailed(
            "Unknown kind of organisation.",
            fields={"kind": [f"One of {', '.join(OrganisationKind.values)}."]},
        )
    with transaction.atomic():
        organisation = CareOrganisation.objects.create(name=name[:120], kind=kind, created_by=user)
        OrganisationAdministrator.objects.create(
            organisation=organisation, user=user, added_by=user
        )
    return organisation


def organisation_administrator_add(
    *, by: User, organisation_id: int, email: str
) -> OrganisationAdministrator:
    """An administrator makes another person (by their account's email) an administrator too."""
    organisation = selectors.organisation_administered(user=by, organisation_id=organisation_id)
    person = User.objects.filter(email=(email or "").strip().lower(), is_active=True).first()
    if person is None:
        raise ValidationFailed(
            "No account has this email address; ask them to sign up first.",
            fields={"email": ["No account has this email address."]},
        )
    administrator, _ = OrganisationAdministrator.objects.get_or_create(
        organisation=organisation, user=person, defaults={"added_by": by}
    )
    return administrator


def organisation_administrator_remove(*, by: User, organisation_id: int, user_id: int) -> None:
    """Remove an administrator (oneself included), never the last one."""
    with transaction.atomic():
        organisation = selectors.organisation_administered(user=by, organisation_id=organisation_id)
        administrators = list(
            OrganisationAdministrator.objects.select_for_update().filter(organisation=organisation)
        )
        target = next((a for a in administrators if a.user_id == user_id), None)
        if target is None:
            raise NotFound("No such administrator.")
        if len(administrators) == 1:
            raise Conflict(
                "An organisation keeps at least one administrator; add another one first.",
                code="last_administrator",
            )
        target.delete()


# --- Clinicians ----------------------------------------------------------------------------------
def _invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))


def clinician_apply(
    *,
    user: User,
    profession: str,
    registration_number: str,
    professional_name: str,
    organisation_id: int | None = None,
) -> ClinicianProfile:
    """Apply for a clinician profile. It acts only once verified; from now on the person must use
    two-factor authentication (the ``clinician`` role, ``apps.py``)."""
    errors: dict[str, list[str]] = {}
    if profession not in Profession.values:
        errors["profession"] = [f"One of {', '.join(Profession.values)}."]
    registration_number = (registration_number or "").strip()
    if not registration_number:
        errors["registration_number"] = ["Your professional registration number is required."]
    professional_name = (professional_name or "").strip()
    if not professional_name:
        errors["professional_name"] = ["How patients will see you, such as “Dr. Okafor”."]
    organisation = None
    if organisation_id is not None:
        organisation = CareOrganisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            errors["organisation"] = ["No such organisation."]
    if errors:
        raise ValidationFailed("The application is not complete.", fields=errors)
    if ClinicianProfile.objects.filter(user=user).exists():
        raise Conflict("You already have a clinician profile.", code="clinician_profile_exists")
    for _ in range(5):
        try:
            with transaction.atomic():
                return ClinicianProfile.objects.create(
                    user=user,
                    profession=profession,
                    registration_number=registration_number[:64],
                    professional_name=professional_name[:80],
                    organisation=organisation,
                    invite_code=_invite_code(),
                )
        except IntegrityError:
            if ClinicianProfile.objects.filter(user=user).exists():
                raise Conflict(
                    "You already have a clinician profile.", code="clinician_profile_exists"
                ) from None
    raise Conflict("Could not issue an invite code; try again.")  # pragma: no cover


def _verifiable(*, by: User, clinician_id: int) -> ClinicianProfile:
    """A profile ``by`` may verify: staff, or an administrator of its organisation; never their own."""
    profile = ClinicianProfile.objects.select_for_update().filter(pk=clinician_id).first()
    if profile is None or not (
        by.is_staff
        or selectors.is_organisation_administrator(user=by, organisation_id=profile.organisation_id)
    ):
        raise NotFound("No such clinician.")
    if profile.user_id == by.pk:
        raise ValidationFailed(
            "Someone else verifies your own clinician profile.", code="own_profile"
        )
    return profile


def clinician_verify(*, by: User, clinician_id: int) -> ClinicianProfile:
    with transaction.atomic():
        profile = _verifiable(by=by, clinician_id=clinician_id)
        if profile.verified_at is None:
            profile.verified_at = timezone.now()
            profile.verified_by = by
            profile.save(update_fields=["verified_at", "verified_by"])
    return profile


def clinician_unverify(*, by: User, clinician_id: int) -> ClinicianProfile:
    """Take verification away: the clinician's sight of every patient ends at once."""
    with transaction.atomic():
        profile = _verifiable(by=by, clinician_id=clinician_id)
        profile.verified_at = None
        profile.verified_by = None
        profile.save(update_fields=["verified_at", "verified_by"])
        patients = CareRelationship.objects.filter(
            clinician=profile, status=RelationshipStatus.ACTIVE
        ).values_list("patient_id", flat=True)
        _sight_ended(
            ((profile.user_id, patient_id) for patient_id in patients),
            clinician_user_id=profile.user_id,
        )
    return profile


# --- Care relationships --------------------------------------------------------------------------
def _relationship_open(
    *, patient: User, clinician: ClinicianProfile, status: str
) -> CareRelationship:
    if clinician.user_id == patient.pk:
        raise ValidationFailed("You cannot be your own clinician.", code="own_profile")
    now = timezone.now()
    try:
        with transaction.atomic():
            return CareRelationship.objects.create(
                patient=patient,
                clinician=clinician,
                status=status,
                started_at=now if status == RelationshipStatus.ACTIVE else None,
            )
    except IntegrityError:
        raise Conflict(
            "This clinician is already in your care team, or an invitation is waiting.",
            code="relationship_exists",
        ) from None


def care_relationship_add_by_code(*, patient: User, invite_code: str) -> CareRelationship:
    """The patient adds a verified clinician by the code the clinician gave them: active at once."""
    code = (invite_code or "").strip().upper().replace(" ", "").replace("-", "")
    clinician = ClinicianProfile.objects.filter(invite_code=code, verified_at__isnull=False).first()
    if clinician is None:
        raise NotFound("No clinician has this code.")
    return _relationship_open(
        patient=patient, clinician=clinician, status=RelationshipStatus.ACTIVE
    )


def care_relationship_request_by_email(*, patient: User, email: str) -> None:
    """The patient asks the clinician with this email to join their care team. Whether or not the
    address belongs to a verified clinician, the answer is the same (no account enumeration); if it
    does, the clinician sees the request and may accept it."""
    email = (email or "").strip().lower()
    clinician = ClinicianProfile.objects.filter(
        user__email=email, user__is_active=True, verified_at__isnull=False
    ).first()
    if clinician is None or clinician.user_id == patient.pk:
        return
    try:
        with transaction.atomic():
            CareRelationship.objects.create(
                patient=patient, clinician=clinician, status=RelationshipStatus.AWAITING_CLINICIAN
            )
    except IntegrityError:
        return  # already in the team or asked: the same answer


def care_relationship_invite_patient(*, clinician_user: User, email: str) -> None:
    """A verified clinician of an organisation invites a person; the person accepts or not. The
    answer is the same whether the address has an account."""
    clinician = selectors.acting_clinician(user=clinician_user)
    if clinician.organisation_id is None:
        raise ValidationFailed(
            "Only a clinician of an organisation invites patients; patients add you by your code.",
            code="no_organisation",
        )
    patient = User.objects.filter(email=(email or "").strip().lower(), is_active=True).first()
    if patient is None or patient.pk == clinician.user_id:
        return
    try:
        with transaction.atomic():
            CareRelationship.objects.create(
                patient=patient, clinician=clinician, status=RelationshipStatus.AWAITING_PATIENT
            )
    except IntegrityError:
        return


def care_relationship_accept(*, user: User, relationship_id: int) -> CareRelationship:
    """The side that was asked accepts: the clinician (acting as one) a patient's request, or the
    patient a clinician's invitation."""
    with transaction.atomic():
        relationship = (
            CareRelationship.objects.select_for_update()
            .select_related("clinician")
            .filter(pk=relationship_id)
            .first()
        )
        if relationship is None:
            raise NotFound("No such invitation.")
        if relationship.status == RelationshipStatus.AWAITING_CLINICIAN:
            if relationship.clinician.user_id != user.pk:
                raise NotFound("No such invitation.")
            selectors.acting_clinician(user=user)
        elif relationship.status == RelationshipStatus.AWAITING_PATIENT:
            if relationship.patient_id != user.pk:
                raise NotFound("No such invitation.")
        else:
            raise NotFound("No such invitation.")
        relationship.status = RelationshipStatus.ACTIVE
        relationship.started_at = timezone.now()
        relationship.save(update_fields=["status", "started_at"])
    return relationship


def care_relationship_end(*, user: User, relationship_id: int) -> CareRelationship:
    """Either side ends the relationship (or declines the invitation); every grant ends with it."""
    with transaction.atomic():
        relationship = (
            CareRelationship.objects.select_for_update()
            .select_related("clinician")
            .filter(pk=relationship_id)
            .exclude(status=RelationshipStatus.ENDED)
            .first()
        )
        if relationship is None or user.pk not in (
            relationship.patient_id,
            relationship.clinician.user_id,
        ):
            raise NotFound("No such care relationship.")
        now = timezone.now()
        relationship.grants.filter(revoked_at__isnull=True, expires_at__gt=now).update(
            revoked_at=now
        )
        relationship.status = RelationshipStatus.ENDED
        relationship.ended_at = now
        relationship.save(update_fields=["status", "ended_at"])
        _sight_ended([(relationship.clinician.user_id, relationship.patient_id)])
    return relationship


# --- Sharing grants ------------------------------------------------------------------------------
def _expiry_checked(*, starts_at: dt.datetime, expires_at: dt.datetime | None) -> dt.datetime:
    if expires_at is None:
        return starts_at + dt.timedelta(days=GRANT_DEFAULT_DAYS)
    if expires_at <= starts_at:
        raise ValidationFailed(
            "A grant must end after it starts.",
            fields={"expires_at": ["Choose an expiry after the start."]},
        )
    if expires_at - starts_at > dt.timedelta(days=GRANT_MAX_DAYS):
        raise ValidationFailed(
            f"A grant lasts at most {GRANT_MAX_DAYS} days; renew it when it ends.",
            fields={"expires_at": [f"At most {GRANT_MAX_DAYS} days after the start."]},
        )
    return expires_at


def _grant_expiry_schedule(grant: SharingGrant) -> None:
    job_enqueue_on_commit(GRANT_EXPIRE_JOB, grant.pk, eta=grant.expires_at)


def sharing_grant_create(
    *,
    patient: User,
    relationship_id: int,
    category: str,
    starts_at: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
) -> SharingGrant:
    """The patient lets their clinician see one category, from ``starts_at`` (now) until
    ``expires_at`` (90 days later; at most a year)."""
    if category not in GrantCategory.values:
        raise ValidationFailed(
            "Unknown category.", fields={"category": [f"One of {', '.join(GrantCategory.values)}."]}
        )
    if not health_consent_active(user=patient):
        raise ConsentRequired(
            "Sharing health data needs your consent to its processing: "
            'POST /api/v1/consent/health-data/ with {"granted": true}.'
        )
    now = timezone.now()
    starts_at = starts_at or now
    expires_at = _expiry_checked(starts_at=starts_at, expires_at=expires_at)
    with transaction.atomic():
        relationship = (
            CareRelationship.objects.select_for_update()
            .filter(pk=relationship_id, patient=patient, status=RelationshipStatus.ACTIVE)
            .first()
        )
        if relationship is None:
            raise NotFound("No such care relationship.")
        if relationship.grants.filter(
            category=category, revoked_at__isnull=True, expires_at__gt=now
        ).exists():
            raise Conflict(
                "This category is already shared with this clinician; renew or revoke that grant.",
                code="grant_exists",
            )
        grant = SharingGrant.objects.create(
            relationship=relationship, category=category, starts_at=starts_at, expires_at=expires_at
        )
        _grant_expiry_schedule(grant)
    return grant


def _patients_grant(*, patient: User, grant_id: int) -> SharingGrant:
    grant = (
        SharingGrant.objects.select_for_update()
        .select_related("relationship__clinician")
        .filter(pk=grant_id, relationship__patient=patient)
        .first()
    )
    if grant is None:
        raise NotFound("No such grant.")
    return grant


def sharing_grant_renew(
    *, patient: User, grant_id: int, expires_at: dt.datetime | None = None
) -> SharingGrant:
    """Extend a grant (an expired one too) to ``expires_at``: 90 days from now by default, at most
    a year from now. A revoked grant stays revoked: grant anew."""
    now = timezone.now()
    with transaction.atomic():
        grant = _patients_grant(patient=patient, grant_id=grant_id)
        if grant.revoked_at is not None or grant.relationship.status != RelationshipStatus.ACTIVE:
            raise Conflict(
                "A revoked grant cannot be renewed; share the category again.", code="grant_revoked"
            )
        grant.expires_at = _expiry_checked(
            starts_at=max(now, grant.starts_at), expires_at=expires_at
        )
        grant.save(update_fields=["expires_at"])
        _grant_expiry_schedule(grant)
    return grant


def sharing_grant_revoke(*, patient: User, grant_id: int) -> SharingGrant:
    """End the grant now: the clinician's next read is a 404, and what an open socket showed of it
    stops (the grant-end listeners); the care and a call in progress go on."""
    with transaction.atomic():
        grant = _patients_grant(patient=patient, grant_id=grant_id)
        if grant.revoked_at is None:
            grant.revoked_at = timezone.now()
            grant.save(update_fields=["revoked_at"])
            _sight_ended([(grant.relationship.clinician.user_id, patient.pk)], close_sockets=False)
    return grant


def sharing_grant_expire(*, grant_id: int) -> bool:
    """The job at a grant's expiry: if it has indeed expired (not renewed meanwhile, not revoked),
    close what the clinician watches. Reads check the time themselves. Idempotent."""
    with transaction.atomic():
        grant = (
            SharingGrant.objects.select_related("relationship__clinician")
            .filter(pk=grant_id, revoked_at__isnull=True, expires_at__lte=timezone.now())
            .first()
        )
        if grant is None:
            return False
        _sight_ended(
            [(grant.relationship.clinician.user_id, grant.relationship.patient_id)],
            close_sockets=False,
        )
    return True


def care_grants_end_for_patient(patient_id: int) -> None:
    """Health-data consent withdrawn: every grant the person gave ends now (the privacy registry's
    consent-withdrawal handler, inside that transaction)."""
    now = timezone.now()
    live = SharingGrant.objects.filter(
        relationship__patient_id=patient_id, revoked_at__isnull=True, expires_at__gt=now
    )
    clinicians = set(live.values_list("relationship__clinician__user_id", flat=True))
    live.update(revoked_at=now)
    _sight_ended((clinician_user_id, patient_id) for clinician_user_id in clinicians)


def clinician_read_record(
    *, reader: User, clinician: ClinicianProfile, patient_id: int, what: str
) -> None:
    """One entry in the patient's access log for one request of a clinician (``reader``, the
    profile's person), under their professional name ("Dr. Okafor viewed your workouts of …")."""
    clinician_reads_record(reader=reader, clinician=clinician, reads={patient_id: what})


def clinician_reads_record(
    *, reader: User, clinician: ClinicianProfile, reads: Mapping[int, str]
) -> None:
    """:func:`clinician_read_record` for a request that read several patients (a dashboard): one
    entry per patient, written together."""
    assert reader.pk == clinician.user_id
    health_data_access_record(
        accessor=reader,
        role=AccessorRole.CLINICIAN,
        why="care",
        reads=reads,
        accessor_name=clinician.professional_name,
    )


# --- Consultation notes --------------------------------------------------------------------------
NOTE_PARTS = ("reason", "findings", "plan", "follow_up")


def _note_parts_checked(parts: Mapping[str, str | None]) -> dict[str, str | None]:
    cleaned = {name: (parts.get(name) or "").strip() or None for name in NOTE_PARTS}
    if not any(cleaned.values()):
        raise ValidationFailed(
            "Write at least one of reason, findings, plan or follow-up.",
            fields={"reason": ["The note is empty."]},
        )
    return cleaned


def consultation_note_write(
    *,
    clinician_user: User,
    relationship_id: int,
    parts: Mapping[str, str | None],
    appointment_id: int | None = None,
) -> ConsultationNote:
    """A clinician (acting as one) writes a note on a patient of an active relationship, after
    one of their appointments with that patient when ``appointment_id`` is given."""
    clinician = selectors.acting_clinician(user=clinician_user)
    cleaned = _note_parts_checked(parts)
    with transaction.atomic():
        relationship = CareRelationship.objects.filter(
            pk=relationship_id, clinician=clinician, status=RelationshipStatus.ACTIVE
        ).first()
        if relationship is None:
            raise NotFound("No such care relationship.")
        appointment = None
        if appointment_id is not None:
            appointment = Appointment.objects.filter(
                pk=appointment_id, clinician=clinician, patient_id=relationship.patient_id
            ).first()
            if appointment is None:
                raise NotFound("No such appointment with this patient.")
        note = ConsultationNote.objects.create(
            relationship=relationship,
            author=clinician,
            author_name=clinician.professional_name,
            organisation_id=clinician.organisation_id,
            appointment=appointment,
        )
        ConsultationNoteVersion.objects.create(note=note, number=1, **cleaned)
    return note


def consultation_note_amend(
    *, clinician_user: User, note_id: int, parts: Mapping[str, str | None]
) -> ConsultationNote:
    """The author amends their note: a new version; the earlier ones stay as they were."""
    clinician = selectors.acting_clinician(user=clinician_user)
    cleaned = _note_parts_checked(parts)
    with transaction.atomic():
        note = (
            ConsultationNote.objects.select_for_update()
            .filter(pk=note_id, author=clinician, relationship__isnull=False)
            .first()
        )
        if note is None:
            raise NotFound("No such note.")
        latest = note.versions.order_by("-number").values_list("number", flat=True).first() or 0
        ConsultationNoteVersion.objects.create(note=note, number=latest + 1, **cleaned)
    return note


def notes_purge_allow() -> None:
    """Let this transaction delete or rewrite note versions, which the PostgreSQL trigger
    otherwise refuses: erasure, account deletion and re-encryption only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [NOTES_PURGE_SETTING])


def _notes_kept_for_organisations(notes: QuerySet[ConsultationNote]) -> QuerySet[ConsultationNote]:
    """Of ``notes``, those an organisation must keep: written for one within
    WELLVERSE_CARE_NOTES_RETENTION_DAYS (none when it is 0)."""
    days = settings.WELLVERSE_CARE_NOTES_RETENTION_DAYS
    if days <= 0:
        return notes.none()
    return notes.filter(
        organisation__isnull=False, created_at__gt=timezone.now() - dt.timedelta(days=days)
    )


def _notes_retain(notes: QuerySet[ConsultationNote], **detach: Any) -> None:
    """Mark ``notes`` as kept until their retention ends (the first mark stands), and detach them
    from what is about to be deleted."""
    days = settings.WELLVERSE_CARE_NOTES_RETENTION_DAYS
    notes.filter(retained_until__isnull=True).update(
        retained_until=F("created_at") + dt.timedelta(days=days)
    )
    if detach:
        notes.update(**detach)


def consultation_notes_erase(patient_id: int) -> None:
    """The patient's health data is erased: their notes go too, except those an organisation's
    clinician wrote within WELLVERSE_CARE_NOTES_RETENTION_DAYS, which the organisation must keep
    until that period ends (``consultation_notes_retention_end``)."""
    notes = ConsultationNote.objects.filter(relationship__patient_id=patient_id)
    kept = _notes_kept_for_organisations(notes)
    with transaction.atomic():
        notes_purge_allow()
        _notes_retain(kept)
        notes.exclude(pk__in=kept.values("pk")).delete()


def consultation_notes_release(user_id: int) -> None:
    """Account deletion (after the health-data erasure): the notes an organisation must keep
    outlive the patient's or the author's account, detached from it, with the names they had;
    the author's other notes are deleted with their account."""
    as_patient = ConsultationNote.objects.filter(relationship__patient_id=user_id)
    as_author = ConsultationNote.objects.filter(author__user_id=user_id)
    patient_notes, author_notes = as_patient.exists(), as_author.exists()
    if not (patient_notes or author_notes):
        return
    notes_purge_allow()
    if patient_notes:
        patient = User.objects.select_related("profile").get(pk=user_id)
        name = getattr(getattr(patient, "profile", None), "display_name", "") or ""
        label = f"{name} <{patient.email}>" if name else patient.email
        _notes_retain(as_patient, relationship=None, patient_name=label[:200])
    if author_notes:
        kept = _notes_kept_for_organisations(as_author)
        as_author.exclude(pk__in=kept.values("pk")).delete()
        _notes_retain(kept, author=None)


def consultation_notes_retention_end(*, now: dt.datetime | None = None) -> int:
    """Delete the kept notes whose retention period has ended; returns how many. Run daily
    (``manage.py care_notes_retention_end``)."""
    with transaction.atomic():
        notes_purge_allow()
        ended = ConsultationNote.objects.filter(retained_until__lte=now or timezone.now())
        count = ended.count()
        ended.delete()
    return count


def consultation_notes_reencrypt(*, batch: int = 500) -> int:
    """Write every note version again under the first key of WELLVERSE_FIELD_ENCRYPTION_KEYS (after
    a new key was put first); returns how many versions were rewritten. Older keys may be removed
    once it has run."""
    done = 0
    with transaction.atomic():
        notes_purge_allow()
        versions = ConsultationNoteVersion.objects.order_by("pk")
        last = 0
        while True:
            chunk = list(versions.filter(pk__gt=last)[:batch])
            if not chunk:
                break
            ConsultationNoteVersion.objects.bulk_update(chunk, list(NOTE_PARTS))
            done += len(chunk)
            last = chunk[-1].pk
    return done
