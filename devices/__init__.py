"""Wearables: GATT parsing, the bleak bridge, the simulator, live ingest, companion sync, file import."""
