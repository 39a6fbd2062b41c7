// Web Bluetooth: pair a sensor, subscribe to its measurement characteristic, hand out decoded frames.
// Only the part of the Web Bluetooth API the companion uses is typed here (TypeScript's DOM
// library does not include it).

import { CHARACTERISTICS, decode, GattDecodeError, type Decoded } from "./gatt";

export interface BluetoothCharacteristic extends EventTarget {
  uuid: string;
  value?: DataView;
  startNotifications(): Promise<BluetoothCharacteristic>;
}
interface BluetoothService {
  getCharacteristic(uuid: string): Promise<BluetoothCharacteristic>;
}
interface BluetoothServer {
  connect(): Promise<BluetoothServer>;
  getPrimaryService(uuid: string): Promise<BluetoothService>;
}
export interface BluetoothDevice extends EventTarget {
  id: string;
  name?: string;
  gatt?: BluetoothServer;
}
export interface WebBluetooth {
  requestDevice(options: { filters: { services: string[] }[]; optionalServices?: string[] }): Promise<BluetoothDevice>;
}

export interface SensorKind {
  label: string;
  service: string;
  characteristics: string[];
}

export const SENSOR_KINDS: Record<string, SensorKind> = {
  heartRate: { label: "Heart-rate strap", service: "heart_rate", characteristics: [CHARACTERISTICS.heartRate] },
  footPod: {
    label: "Foot pod (running speed and cadence)",
    service: "running_speed_and_cadence",
    characteristics: [CHARACTERISTICS.rsc],
  },
  cadence: {
    label: "Bike speed and cadence sensor",
    service: "cycling_speed_and_cadence",
    characteristics: [CHARACTERISTICS.csc],
  },
  power: { label: "Power meter", service: "cycling_power", characteristics: [CHARACTERISTICS.cyclingPower] },
  machine: {
    label: "Treadmill or indoor bike (FTMS)",
    service: "fitness_machine",
    characteristics: [CHARACTERISTICS.treadmill, CHARACTERISTICS.indoorBike],
  },
};

export function bluetooth(): WebBluetooth | null {
  return (navigator as Navigator & { bluetooth?: WebBluetooth }).bluetooth ?? null;
}

export interface PairedSensor {
  id: string;
  name: string;
  kind: string;
}

/** Ask the person to pick a sensor, subscribe, and call onFrame for every decodable notification. */
export async function pairSensor(
  kindKey: string,
  onFrame: (sensor: PairedSensor, decoded: Decoded) => void,
  onBadFrame: (sensor: PairedSensor, error: GattDecodeError) => void,
): Promise<PairedSensor> {
  const api = bluetooth();
  if (!api) throw new Error("This browser has no Web Bluetooth; use Chrome on Android or a desktop, or the bridge.");
  const kind = SENSOR_KINDS[kindKey];
  const device = await api.requestDevice({ filters: [{ services: [kind.service] }] });
  const server = await device.gatt!.connect();
  const service = await server.getPrimaryService(kind.service);
  const sensor: PairedSensor = { id: `${kindKey}:${device.id}`, name: device.name ?? kind.label, kind: kindKey };
  let subscribed = 0;
  for (const uuid of kind.characteristics) {
    const characteristic = await service.getCharacteristic(uuid).catch(() => null);
    if (!characteristic) continue; // a treadmill has no indoor-bike characteristic, and vice versa
    characteristic.addEventListener("characteristicvaluechanged", () => {
      if (!characteristic.value) return;
      try {
        onFrame(sensor, decode(uuid, characteristic.value));
      } catch (error) {
        if (error instanceof GattDecodeError) onBadFrame(sensor, error);
        else throw error;
      }
    });
    await characteristic.startNotifications();
    subscribed++;
  }
  if (!subscribed) throw new Error(`${sensor.name} offers no measurement Wellverse understands.`);
  return sensor;
}
