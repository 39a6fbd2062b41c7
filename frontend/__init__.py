"""The web UI and the phone companion page."""
