"""Classes: live and on-demand yoga and fitness classes (catalogue, booking, live sessions)."""
