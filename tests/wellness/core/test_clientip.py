"""The client address: X-Forwarded-For is believed only from the proxies the installation names."""

from __future__ import annotations

from wellness.core.clientip import client_address, trusted_networks


def test_without_proxies_the_forwarded_header_is_ignored() -> None:
    assert client_address("203.0.113.9", "198.51.100.1, 10.0.0.2") == "203.0.113.9"


def test_num_proxies_takes_the_address_the_nearest_proxies_saw() -> None:
    forwarded = "1.2.3.4, 198.51.100.7"  # the client wrote 1.2.3.4 itself

    assert client_address("10.0.0.2", forwarded, num_proxies=1) == "198.51.100.7"
    assert client_address("10.0.0.2", forwarded, num_proxies=2) == "1.2.3.4"
    assert client_address("10.0.0.2", None, num_proxies=1) == "10.0.0.2"


def test_more_proxies_than_hops_takes_the_farthest_hop() -> None:
    assert client_address("10.0.0.2", "198.51.100.7", num_proxies=5) == "198.51.100.7"


def test_trusted_proxies_skip_only_our_own_hops() -> None:
    trusted = trusted_networks(["10.0.0.0/8", "192.0.2.1"])

    assert client_address("10.0.0.2", "1.2.3.4, 198.51.100.7, 192.0.2.1", trusted=trusted) == (
        "198.51.100.7"
    )
    assert client_address("203.0.113.9", "1.2.3.4", trusted=trusted) == "203.0.113.9"


def test_a_garbage_hop_is_never_trusted() -> None:
    trusted = trusted_networks(["10.0.0.0/8"])

    assert (
        client_address("10.0.0.2", "1.2.3.4, not-an-address", trusted=trusted) == "not-an-address"
    )
