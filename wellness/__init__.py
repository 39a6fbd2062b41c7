"""The person app: its configuration (``config``), accounts, workouts, scoring and classes."""
