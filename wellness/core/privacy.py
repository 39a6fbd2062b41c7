"""Export and erasure of a person's data, contributed by each app that stores some.

Each app registers, in its ``AppConfig.ready``, a function that returns its part of the export and
one that erases its health data. The account export and the consent-withdrawal erasure call them all,
so a new kind of personal data cannot be forgotten by the privacy tools without a failing test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Exporter = Callable[[Any], Any]
Eraser = Callable[[int], None]
Releaser = Callable[[int], None]
ConsentWithdrawalHandler = Callable[[int], None]

_exporters: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}
_releasers: dict[str, Releaser] = {}
_consent_withdrawal_handlers: dict[str, ConsentWithdrawalHandler] = {}


def register_exporter(section: str, exporter: Exporter) -> None:
    """``exporter(user)`` returns JSON-serialisable data for the export's ``section``."""
    _exporters[section] = exporter


def register_health_data_eraser(name: str, eraser: Eraser) -> None:
    """``eraser(user_id)`` deletes that user's health data; it must be idempotent."""
    _erasers[name] = eraser


def exporters() -> dict[str, Exporter]:
    return dict(_exporters)


def health_data_erasers() -> dict[str, Eraser]:
    return dict(_erasers)


def register_account_releaser(name: str, releaser: Releaser) -> None:
    """``releaser(user_id)`` runs in account deletion before the account's rows cascade away.

    It gives back what the person holds in things other people share (a class place, a world
    that is a journey's stage), so their deletion neither fails nor takes others' data with it.
    """
    _releasers[name] = releaser


def account_releasers() -> dict[str, Releaser]:
    return dict(_releasers)


def register_consent_withdrawal_handler(name: str, handler: ConsentWithdrawalHandler) -> None:
    """``handler(user_id)`` runs inside the transaction that records the withdrawal of health-data
    consent: what the person shared with others on the strength of it (a clinician's grants) ends."""
    _consent_withdrawal_handlers[name] = handler


def consent_withdrawal_handlers() -> dict[str, ConsentWithdrawalHandler]:
    return dict(_consent_withdrawal_handlers)
