"""Care's part of a person's data export, and what withdrawing health-data consent ends."""

from __future__ import annotations

from typing import Any

from wellness.care.models import CareRelationship, ClinicianProfile
from wellness.care.selectors import notes_for_patient
from wellness.people.models import User


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def care_export(user: User) -> dict[str, Any]:
    profile = ClinicianProfile.objects.select_related("organisation").filter(user=user).first()
    relationships = (
        CareRelationship.objects.filter(patient=user)
        .select_related("clinician")
        .prefetch_related("grants")
        .order_by("created_at", "id")
    )
    return {
        "clinician_profile": None
        if profile is None
        else {
            "profession": profile.profession,
            "registration_number": profile.registration_number,
            "professional_name": profile.professional_name,
            "organisation": profile.organisation.name if profile.organisation else None,
            "verified_at": _iso(profile.verified_at),
        },
        "care_team": [
            {
                "clinician": r.clinician.professional_name,
                "status": r.status,
                "created_at": _iso(r.created_at),
                "started_at": _iso(r.started_at),
                "ended_at": _iso(r.ended_at),
                "grants": [
                    {
                        "category": g.category,
                        "starts_at": _iso(g.starts_at),
                        "expires_at": _iso(g.expires_at),
                        "revoked_at": _iso(g.revoked_at),
                    }
                    for g in r.grants.all()
                ],
            }
            for r in relationships
        ],
        "consultation_notes": [
            {
                "author": n.author_name,
                "created_at": _iso(n.created_at),
                "versions": [
                    {
                        "number": v.number,
                        "reason": v.reason or "",
                        "findings": v.findings or "",
                        "plan": v.plan or "",
                        "follow_up": v.follow_up or "",
                        "created_at": _iso(v.created_at),
                    }
                    for v in n.versions.all()
                ],
            }
            for n in notes_for_patient(patient=user)
        ],
    }
