"""Test infrastructure: a BlueZ-shaped D-Bus service, so the unmodified bridge runs real bleak.

bleak talks to bluetoothd over the system bus; on a machine without a radio this service plays
bluetoothd's part on a private ``dbus-daemon``: it owns ``org.bluez``, serves the object tree through
``ObjectManager.GetManagedObjects`` with bluetoothd-style paths (``/org/bluez/hci0/dev_AA_.../
service000c/char000d``), and implements what bleak calls (learnt by reading
``bleak/backends/bluezdbus/``): ``Adapter1`` with ``Roles``/``Powered`` and discovery (an
advertisement is a ``PropertiesChanged`` of the device's ``RSSI``), ``Device1.Connect`` followed by
the GATT objects (``InterfacesAdded``) and ``ServicesResolved``, and ``GattCharacteristic1`` with
both ``StartNotify`` (values as ``PropertiesChanged`` of ``Value``) and ``AcquireNotify`` (a
SOCK_SEQPACKET socket passed as a Unix file descriptor). Devices play frames from a callable and
record exactly which frames they delivered, and can walk out of range and come back.

No ``from __future__ import annotations`` here: dbus-fast reads the D-Bus signatures from the
annotations at class creation.
"""

import asyncio
import contextlib
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from dbus_fast import BusType, DBusError
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import (
    DBusBool,
    DBusBytes,
    DBusDict,
    DBusInt16,
    DBusObjectPath,
    DBusSignature,
    DBusStr,
)
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property

DBusStrs = Annotated[list[str], DBusSignature("as")]
DBusFdMtu = Annotated[list[Any], DBusSignature("hq")]
READ = PropertyAccess.READ
ADAPTER = "/org/bluez/hci0"


@dataclass
class Characteristic:
    uuid: str
    frames: Callable[[], bytes] | None = None  # None: a read-only characteristic
    delivered: list[bytes] = field(default_factory=list)


@dataclass
class Service:
    uuid: str
    characteristics: list[Characteristic]


@dataclass
class DeviceSpec:
    address: str
    name: str
    services: list[Service]
    rssi: int = -60

    @property
    def path(self) -> str:
        return f"{ADAPTER}/dev_{self.address.upper().replace(':', '_')}"


class Adapter1(ServiceInterface):
    def __init__(self, standin: "BlueZStandIn") -> None:
        super().__init__("org.bluez.Adapter1")
        self.standin = standin
        self.discovering = False

    @dbus_property(access=READ)
    def Address(self) -> DBusStr:
        return "00:1A:7D:DA:71:13"

    @dbus_property(access=READ)
    def Name(self) -> DBusStr:
        return "wellverse-test"

    @dbus_property(access=READ)
    def Powered(self) -> DBusBool:
        return True

    @dbus_property(access=READ)
    def Discovering(self) -> DBusBool:
        return self.discovering

    @dbus_property(access=READ)
    def Roles(self) -> DBusStrs:
        return ["central", "peripheral"]

    @dbus_method()
    def SetDiscoveryFilter(self, properties: DBusDict) -> None:
        self.standin.calls.append("SetDiscoveryFilter")

    @dbus_method()
    def StartDiscovery(self) -> None:
        self.standin.calls.append("StartDiscovery")
        self.standin.discovery_sessions += 1
        self._set_discovering()

    @dbus_method()
    def StopDiscovery(self) -> None:
        self.standin.calls.append("StopDiscovery")
        self.standin.discovery_sessions = max(0, self.standin.discovery_sessions - 1)
        self._set_discovering()

    def _set_discovering(self) -> None:
        discovering = self.standin.discovery_sessions > 0
        if discovering != self.discovering:
            self.discovering = discovering
            self.emit_properties_changed({"Discovering": discovering})


class Device1(ServiceInterface):
    def __init__(self, standin: "BlueZStandIn", spec: DeviceSpec) -> None:
        super().__init__("org.bluez.Device1")
        self.standin = standin
        self.spec = spec
        self.connected = False
        self.services_resolved = False
        self.present = True
        self.connections = 0
        self.gatt: list[tuple[str, ServiceInterface]] = []

    @dbus_property(access=READ)
    def Address(self) -> DBusStr:
        return self.spec.address

    @dbus_property(access=READ)
    def AddressType(self) -> DBusStr:
        return "random"

    @dbus_property(access=READ)
    def Name(self) -> DBusStr:
        return self.spec.name

    @dbus_property(access=READ)
    def Alias(self) -> DBusStr:
        return self.spec.name

    @dbus_property(access=READ)
    def Adapter(self) -> DBusObjectPath:
        return ADAPTER

    @dbus_property(access=READ)
    def Paired(self) -> DBusBool:
        return False

    @dbus_property(access=READ)
    def Trusted(self) -> DBusBool:
        return False

    @dbus_property(access=READ)
    def Connected(self) -> DBusBool:
        return self.connected

    @dbus_property(access=READ)
    def ServicesResolved(self) -> DBusBool:
        return self.services_resolved

    @dbus_property(access=READ)
    def RSSI(self) -> DBusInt16:
        return self.spec.rssi

    @dbus_property(access=READ)
    def UUIDs(self) -> DBusStrs:
        return [s.uuid for s in self.spec.services]

    @dbus_method()
    async def Connect(self) -> None:
        self.standin.calls.append(f"Connect {self.spec.address}")
        if not self.present:
            await asyncio.sleep(0.5)
            raise DBusError("org.bluez.Error.Failed", "le-connection-abort-by-local")
        if self.connected:
            return
        self.connected = True
        self.connections += 1
        self.emit_properties_changed({"Connected": True})
        # bluetoothd answers Connect, then discovers the services, then sets ServicesResolved.
        asyncio.get_running_loop().call_later(0.05, self._resolve_services)

    def _resolve_services(self) -> None:
        if not self.connected:
            return
        handle = 0x000C
        for service in self.spec.services:
            service_path = f"{self.spec.path}/service{handle:04x}"
            service_interface = GattService1(service.uuid, self.spec.path)
            self.gatt.append((service_path, service_interface))
            handle += 1
            for characteristic in service.characteristics:
                char_path = f"{service_path}/char{handle:04x}"
                self.gatt.append(
                    (char_path, GattCharacteristic1(self.standin, characteristic, service_path))
                )
                handle += 2  # the value handle and its client configuration descriptor
        for path, interface in self.gatt:
            self.standin.bus.export(path, interface)
        self.services_resolved = True
        self.emit_properties_changed({"ServicesResolved": True})

    @dbus_method()
    async def Disconnect(self) -> None:
        self.standin.calls.append(f"Disconnect {self.spec.address}")
        await self.drop()

    async def drop(self) -> None:
        """The link ends: notifications stop, GATT objects go, Connected becomes false."""
        if not self.connected:
            return
        for _, interface in self.gatt:
            if isinstance(interface, GattCharacteristic1):
                interface.stop()
        await asyncio.sleep(0.1)  # frames already in flight reach the host before the link ends
        self.services_resolved = False
        self.emit_properties_changed({"ServicesResolved": False})
        self.connected = False
        self.emit_properties_changed({"Connected": False})
        for path, _ in reversed(self.gatt):
            self.standin.bus.unexport(path)
        self.gatt = []

    def advertise(self) -> None:
        if self.present and not self.connected:
            self.emit_properties_changed({"RSSI": self.spec.rssi})


class GattService1(ServiceInterface):
    def __init__(self, uuid: str, device_path: str) -> None:
        super().__init__("org.bluez.GattService1")
        self.uuid = uuid
        self.device_path = device_path

    @dbus_property(access=READ)
    def UUID(self) -> DBusStr:
        return self.uuid

    @dbus_property(access=READ)
    def Primary(self) -> DBusBool:
        return True

    @dbus_property(access=READ)
    def Device(self) -> DBusObjectPath:
        return self.device_path


class GattCharacteristic1(ServiceInterface):
    def __init__(
        self, standin: "BlueZStandIn", characteristic: Characteristic, service_path: str
    ) -> None:
        super().__init__("org.bluez.GattCharacteristic1")
        self.standin = standin
        self.characteristic = characteristic
        self.service_path = service_path
        self.value = b""
        self.notifying = False
        self.notify_acquired = False
        self.socket: socket.socket | None = None
        self.player: asyncio.Task[None] | None = None

    @dbus_property(access=READ)
    def UUID(self) -> DBusStr:
        return self.characteristic.uuid

    @dbus_property(access=READ)
    def Service(self) -> DBusObjectPath:
        return self.service_path

    @dbus_property(access=READ)
    def Value(self) -> DBusBytes:
        return self.value

    @dbus_property(access=READ)
    def Notifying(self) -> DBusBool:
        return self.notifying

    @dbus_property(access=READ)
    def NotifyAcquired(self) -> DBusBool:
        return self.notify_acquired

    @dbus_property(access=READ)
    def Flags(self) -> DBusStrs:
        return ["read"] if self.characteristic.frames is None else ["notify"]

    @dbus_method()
    def ReadValue(self, options: DBusDict) -> DBusBytes:
        return self.value or b"\x64"

    @dbus_method()
    def StartNotify(self) -> None:
        self.standin.calls.append(f"StartNotify {self.characteristic.uuid}")
        self._check_notifiable()
        if not self.notifying:
            self.notifying = True
            self.emit_properties_changed({"Notifying": True})
            self.player = asyncio.create_task(self._play())

    @dbus_method()
    def StopNotify(self) -> None:
        self.standin.calls.append(f"StopNotify {self.characteristic.uuid}")
        self.stop()

    @dbus_method()
    def AcquireNotify(self, options: DBusDict) -> DBusFdMtu:
        self.standin.calls.append(f"AcquireNotify {self.characteristic.uuid}")
        self._check_notifiable()
        if self.notifying:
            raise DBusError("org.bluez.Error.InProgress", "Notify already acquired")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.socket = ours
        self.notify_acquired = True
        self.notifying = True
        self.emit_properties_changed({"NotifyAcquired": True, "Notifying": True})
        self.player = asyncio.create_task(self._play())
        fd = theirs.detach()
        # dbus-fast sends the descriptor with the reply; close our copy once it is on its way.
        asyncio.get_running_loop().call_later(1.0, _close_quietly, fd)
        return [fd, 185]

    def _check_notifiable(self) -> None:
        if self.characteristic.frames is None:
            raise DBusError("org.bluez.Error.NotSupported", "Operation is not supported")

    async def _play(self) -> None:
        assert self.characteristic.frames is not None
        while self.notifying:
            if not self.standin.paused:
                frame = self.characteristic.frames()
                self.characteristic.delivered.append(frame)
                if self.socket is not None:
                    self.socket.send(frame)
                else:
                    self.value = frame
                    self.emit_properties_changed({"Value": frame})
            await asyncio.sleep(self.standin.frame_interval)

    def stop(self) -> None:
        if self.player is not None:
            self.player.cancel()
            self.player = None
        if self.notifying:
            self.notifying = False
            changed: dict[str, Any] = {"Notifying": False}
            if self.notify_acquired:
                self.notify_acquired = False
                changed["NotifyAcquired"] = False
            self.emit_properties_changed(changed)
        if self.socket is not None:
            self.socket.close()  # the reader sees the end of the stream, as with bluetoothd
            self.socket = None


def _close_quietly(fd: int) -> None:
    with contextlib.suppress(OSError):
        socket.close(fd)


class BlueZStandIn:
    """Owns ``org.bluez`` on the bus at ``address`` and serves ``devices``."""

    def __init__(self, address: str, devices: list[DeviceSpec], frame_interval: float = 0.05):
        self.address = address
        self.specs = devices
        self.frame_interval = frame_interval
        self.calls: list[str] = []
        self.discovery_sessions = 0
        self.paused = False
        self.devices: dict[str, Device1] = {}
        self.bus: MessageBus
        self._advertiser: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.bus = MessageBus(
            bus_address=self.address, bus_type=BusType.SYSTEM, negotiate_unix_fd=True
        )
        await self.bus.connect()
        self.bus.export(ADAPTER, Adapter1(self))
        for spec in self.specs:
            device = Device1(self, spec)
            self.devices[spec.address] = device
            self.bus.export(spec.path, device)
        await self.bus.request_name("org.bluez")
        self._advertiser = asyncio.create_task(self._advertise())

    async def stop(self) -> None:
        if self._advertiser is not None:
            self._advertiser.cancel()
        for device in self.devices.values():
            await device.drop()
        self.bus.disconnect()

    async def _advertise(self) -> None:
        """While someone scans, every present, unconnected device advertises a few times a second."""
        while True:
            if self.discovery_sessions:
                for device in self.devices.values():
                    device.advertise()
            await asyncio.sleep(0.2)

    async def walk_away(self, address: str, seconds: float) -> None:
        """The device goes out of range (the link drops, it stops advertising), then comes back."""
        device = self.devices[address]
        device.present = False
        await device.drop()
        await asyncio.sleep(seconds)
        device.present = True

    async def pause(self) -> None:
        self.paused = True

    def connections(self, address: str) -> int:
        return self.devices[address].connections
