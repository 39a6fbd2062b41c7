"""Workouts and their samples: storage, the saved-series codec, and the /api/v1/workouts/ resource."""
