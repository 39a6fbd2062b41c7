"""TURN credentials as coturn's use-auth-secret checks them."""

from __future__ import annotations

from wellness.care.rooms.ice import ice_servers, turn_credentials


def test_turn_credentials_are_the_expiry_and_user_signed_with_hmac_sha1() -> None:
    # printf '1700003600:42' | openssl dgst -sha1 -hmac coturn-shared-secret -binary | base64
    assert turn_credentials(
        secret="coturn-shared-secret", user="42", now=1_700_000_000, ttl_seconds=3600
    ) == ("1700003600:42", "6hSwijAagsWZicuPG1xplnQ8/Tc=")


def test_without_a_secret_no_turn_server_is_offered() -> None:
    servers = ice_servers(
        stun_urls=["stun:stun.example.org"],
        turn_urls=["turn:turn.example.org"],
        turn_secret="",
        user="42",
        now=0,
        ttl_seconds=60,
    )

    assert servers == [{"urls": ["stun:stun.example.org"]}]
