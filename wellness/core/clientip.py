"""The address of the client a request came from, trusting ``X-Forwarded-For`` only from our proxies.

A client chooses its own ``X-Forwarded-For``; only the entries our own proxies appended can be
believed. With no proxy configured (the default) the header is ignored and the peer address is the
client. Throttles, the sign-in lockout and logs all take the address from here.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(entries: Sequence[str]) -> tuple[Network, ...]:
    """``TRUSTED_PROXIES`` entries (addresses or CIDR networks) as networks."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def _is_trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def client_address(
    remote_addr: str,
    forwarded_for: str | None,
    *,
    trusted: Sequence[Network] = (),
    num_proxies: int = 0,
) -> str:
    """The client's address: walk the proxy chain from our side, believing only our own proxies.

    ``trusted``: the peer and every hop from the right that lies in these networks is one of ours.
    ``num_proxies``: otherwise, exactly this many proxies stand in front of the server."""
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    chain = [*hops, remote_addr]
    if trusted:
        for address in reversed(chain):
            if not _is_trusted(address, trusted):
                return address
        return chain[0]
    if num_proxies > 0 and hops:
        return chain[max(len(chain) - 1 - num_proxies, 0)]
    return remote_addr


def request_client_address(request: HttpRequest) -> str:
    """The client address of a Django request under this installation's proxy settings."""
    return client_address(
        str(request.META.get("REMOTE_ADDR") or ""),
        request.META.get("HTTP_X_FORWARDED_FOR"),
        trusted=settings.WELLVERSE_TRUSTED_PROXY_NETWORKS,
        num_proxies=settings.NUM_PROXIES,
    )
