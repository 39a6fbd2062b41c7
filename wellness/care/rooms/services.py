"""Writes for the consultation room: the clinician starting to watch the patient's live heart rate
(an audited read), and the grant-end listener that stops it."""

from __future__ import annotations

from typing import Any

from wellness.care import selectors as care_selectors
from wellness.care.models import GrantCategory
from wellness.care.rooms.groups import room_live_hr_group
from wellness.care.services import clinician_read_record
from wellness.core.transactions import broadcast_on_commit

LIVE_HR_READ = "live heart rate during a consultation"


def live_hr_watch_start(*, user: Any, patient_id: int) -> None:
    """The clinician starts receiving the patient's live heart rate: allowed only with a live
    ``samples`` grant (NotFound otherwise), and written once to the patient's access log."""
    clinician = care_selectors.clinician_for_patient_data(
        user=user, patient_id=patient_id, category=GrantCategory.SAMPLES
    )
    clinician_read_record(
        reader=user, clinician=clinician, patient_id=patient_id, what=LIVE_HR_READ
    )


def live_hr_on_sight_ended(clinician_user_id: int, patient_id: int) -> None:
    """Care's grant-end listener: the clinician's rooms stop relaying this patient's heart rate
    and clear it from their view, once the ending commits."""
    broadcast_on_commit(
        room_live_hr_group(clinician_user_id, patient_id), {"type": "room.live_hr_end"}
    )
