"""The ICE servers a room's browsers use, with TURN credentials that expire (pure; no framework).

coturn's ``use-auth-secret`` (the "TURN REST API"): the username is ``<expiry unix time>:<user>``
and the password is base64(HMAC-SHA1(shared secret, username)). coturn recomputes the password from
the secret it shares with us and refuses a username whose expiry has passed, so a leaked credential
works only until then and no per-user state is kept anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from typing import TypedDict


class IceServer(TypedDict, total=False):
    urls: list[str]
    username: str
    credential: str


def turn_credentials(*, secret: str, user: str, now: float, ttl_seconds: int) -> tuple[str, str]:
    """``(username, password)`` valid until ``now + ttl_seconds``."""
    username = f"{int(now) + ttl_seconds}:{user}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode("ascii")


def ice_servers(
    *,
    stun_urls: Sequence[str],
    turn_urls: Sequence[str],
    turn_secret: str,
    user: str,
    now: float,
    ttl_seconds: int,
) -> list[IceServer]:
    """The ``iceServers`` of an ``RTCPeerConnection``: STUN as given, TURN only with a secret."""
    servers: list[IceServer] = []
    if stun_urls:
        servers.append({"urls": list(stun_urls)})
    if turn_urls and turn_secret:
        username, password = turn_credentials(
            secret=turn_secret, user=user, now=now, ttl_seconds=ttl_seconds
        )
        servers.append({"urls": list(turn_urls), "username": username, "credential": password})
    return servers
