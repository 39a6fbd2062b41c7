"""Bearer token format: ``wv_<prefix>_<secret>``; only a SHA-256 digest of the whole token is stored.

A fast unsalted digest is right here (unlike passwords): the secret has 256 bits of entropy, so it
cannot be guessed from the digest, and a lookup by digest costs one indexed query per request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

TOKEN_PREFIX = "wv"  # noqa: S105 the visible prefix of every token, not a secret


@dataclass(frozen=True)
class NewToken:
    raw: str
    prefix: str
    digest: str


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_generate() -> NewToken:
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    return NewToken(raw=raw, prefix=f"{TOKEN_PREFIX}_{prefix}", digest=token_digest(raw))


def token_looks_valid(raw: str) -> bool:
    parts = raw.split("_", 2)
    return len(parts) == 3 and parts[0] == TOKEN_PREFIX and len(raw) < 128
