#!/usr/bin/env bash
# coturn for the consultation rooms, in the foreground, as `make run` starts it when coturn is
# installed (README: "The consultation room: signalling and coturn"): the TURN REST API's shared
# secret (use-auth-secret), so the app hands each person credentials that expire. Development
# only: plain TURN/STUN on one address, loopback peers allowed so two local browsers can relay.
#   WELLVERSE_TURN_SECRET  the shared secret (required)
#   TURN_HOST, TURN_PORT   where it listens (127.0.0.1, 3478)
set -euo pipefail
: "${WELLVERSE_TURN_SECRET:?the shared secret coturn and the app use}"
exec turnserver -n \
  --listening-ip="${TURN_HOST:-127.0.0.1}" --listening-port="${TURN_PORT:-3478}" \
  --relay-ip="${TURN_HOST:-127.0.0.1}" --min-port="${TURN_MIN_PORT:-49160}" --max-port="${TURN_MAX_PORT:-49200}" \
  --use-auth-secret --static-auth-secret="$WELLVERSE_TURN_SECRET" --realm=wellverse \
  --fingerprint --no-tls --no-dtls --no-cli --allow-loopback-peers \
  --log-file=stdout --simple-log
