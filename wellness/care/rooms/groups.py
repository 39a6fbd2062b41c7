"""Channel-layer group names of a consultation room (pure)."""

from __future__ import annotations


def room_group(appointment_id: int) -> str:
    """Every socket in the room, admitted or waiting: told when the room closes."""
    return f"care-room-{appointment_id}"


def room_admitted_group(appointment_id: int) -> str:
    """The sockets admitted to the call: signalling and chat cross between them."""
    return f"care-room-{appointment_id}-in"


def room_host_group(appointment_id: int) -> str:
    """The clinician's sockets: told who is waiting."""
    return f"care-room-{appointment_id}-host"


def room_live_hr_group(clinician_user_id: int, patient_id: int) -> str:
    """The clinician's room sockets that relay this patient's live heart rate: told when the
    clinician's sight of the patient's data ends."""
    return f"care-live-hr-{clinician_user_id}-{patient_id}"
