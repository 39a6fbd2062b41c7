"""The platform under every app: errors, REST glue, SQL, on-commit effects, channel groups, registries."""
