"""The Wellverse bridge: Bluetooth wearables in, live ingest samples out (``python -m devices.bridge``).

Runs on a laptop or a Raspberry Pi without Django: it imports only ``devices.gatt``,
``devices.profiles``, ``devices.simulator``, bleak and websockets.
"""
