// Decoders for the Bluetooth fitness characteristics, for the phone companion (Web Bluetooth).
// They mirror devices/gatt.py field for field; both are tested against devices/testdata/gatt_vectors.json.

export class GattDecodeError extends Error {}

export type Decoded = Record<string, number | boolean | null | number[]>;

export const CHARACTERISTICS = {
  heartRate: "00002a37-0000-1000-8000-00805f9b34fb",
  rsc: "00002a53-0000-1000-8000-00805f9b34fb",
  csc: "00002a5b-0000-1000-8000-00805f9b34fb",
  cyclingPower: "00002a63-0000-1000-8000-00805f9b34fb",
  treadmill: "00002acd-0000-1000-8000-00805f9b34fb",
  indoorBike: "00002ad2-0000-1000-8000-00805f9b34fb",
} as const;

const KMH = 1 / 3.6;

class Reader {
  private offset = 0;
  constructor(
    private view: DataView,
    private name: string,
  ) {}

  private take(size: number, field: string): number {
    if (this.offset + size > this.view.byteLength) {
      throw new GattDecodeError(
        `${this.name} frame is truncated: ${field} needs ${size} byte(s) at offset ${this.offset} but the frame has ${this.view.byteLength} byte(s).`,
      );
    }
    const at = this.offset;
    this.offset += size;
    return at;
  }
  u8(field: string): number {
    return this.view.getUint8(this.take(1, field));
  }
  u16(field: string): number {
    return this.view.getUint16(this.take(2, field), true);
  }
  s16(field: string): number {
    return this.view.getInt16(this.take(2, field), true);
  }
  u24(field: string): number {
    const at = this.take(3, field);
    return this.view.getUint16(at, true) + (this.view.getUint8(at + 2) << 16);
  }
  u32(field: string): number {
    return this.view.getUint32(this.take(4, field), true);
  }
  remaining(): number {
    return this.view.byteLength - this.offset;
  }
  done(): void {
    if (this.remaining()) {
      throw new GattDecodeError(
        `${this.name} frame has ${this.remaining()} unexpected trailing byte(s) after offset ${this.offset}; its flags do not announce them.`,
      );
    }
  }
}

export function decodeHeartRate(view: DataView): Decoded {
  const r = new Reader(view, "Heart Rate Measurement");
  const flags = r.u8("flags");
  const out: Decoded = {
    hr: flags & 0x01 ? r.u16("heart rate (16-bit)") : r.u8("heart rate"),
    sensor_contact: flags & 0x04 ? Boolean(flags & 0x02) : null,
  };
  if (flags & 0x08) out.energy_expended_kj = r.u16("energy expended");
  const rr: number[] = [];
  if (flags & 0x10) {
    if (r.remaining() % 2) {
      throw new GattDecodeError(
        `Heart Rate Measurement frame announces RR intervals but carries ${r.remaining()} byte(s) for them; each interval takes 2 bytes.`,
      );
    }
    while (r.remaining()) rr.push((r.u16("RR interval") * 1000) / 1024);
  }
  r.done();
  out.rr = rr;
  return out;
}

export function decodeRsc(view: DataView): Decoded {
  const r = new Reader(view, "RSC Measurement");
  const flags = r.u8("flags");
  const out: Decoded = {
    speed: r.u16("instantaneous speed") / 256,
    cadence: r.u8("instantaneous cadence"),
    running: Boolean(flags & 0x04),
  };
  if (flags & 0x01) out.stride_length = r.u16("stride length") / 100;
  if (flags & 0x02) out.distance = r.u32("total distance") / 10;
  r.done();
  return out;
}

export function decodeCsc(view: DataView): Decoded {
  const r = new Reader(view, "CSC Measurement");
  const flags = r.u8("flags");
  const out: Decoded = {};
  if (flags & 0x01) {
    out.wheel_revolutions = r.u32("cumulative wheel revolutions");
    out.wheel_event_time = r.u16("last wheel event time") / 1024;
  }
  if (flags & 0x02) {
    out.crank_revolutions = r.u16("cumulative crank revolutions");
    out.crank_event_time = r.u16("last crank event time") / 1024;
  }
  r.done();
  return out;
}

export function decodeCyclingPower(view: DataView): Decoded {
  const r = new Reader(view, "Cycling Power Measurement");
  const flags = r.u16("flags");
  const out: Decoded = { power: r.s16("instantaneous power") };
  if (flags & 0x0001) out.pedal_power_balance = r.u8("pedal power balance") / 2;
  if (flags & 0x0004) out.accumulated_torque = r.u16("accumulated torque") / 32;
  if (flags & 0x0010) {
    out.wheel_revolutions = r.u32("cumulative wheel revolutions");
    out.wheel_event_time = r.u16("last wheel event time") / 2048; // CPS: 1/2048 s
  }
  if (flags & 0x0020) {
    out.crank_revolutions = r.u16("cumulative crank revolutions");
    out.crank_event_time = r.u16("last crank event time") / 1024;
  }
  if (flags & 0x0040) {
    out.max_force = r.s16("maximum force magnitude");
    out.min_force = r.s16("minimum force magnitude");
  }
  if (flags & 0x0080) {
    out.max_torque = r.s16("maximum torque magnitude") / 32;
    out.min_torque = r.s16("minimum torque magnitude") / 32;
  }
  if (flags & 0x0100) {
    const packed = r.u24("extreme angles");
    out.max_angle = packed & 0x0fff;
    out.min_angle = packed >> 12;
  }
  if (flags & 0x0200) out.top_dead_spot_angle = r.u16("top dead spot angle");
  if (flags & 0x0400) out.bottom_dead_spot_angle = r.u16("bottom dead spot angle");
  if (flags & 0x0800) out.accumulated_energy_kj = r.u16("accumulated energy");
  r.done();
  return out;
}

function ftmsEnergy(r: Reader, out: Decoded): void {
  out.total_energy_kcal = r.u16("total energy");
  out.energy_per_hour_kcal = r.u16("energy per hour");
  out.energy_per_minute_kcal = r.u8("energy per minute");
}

export function decodeTreadmill(view: DataView): Decoded {
  const r = new Reader(view, "Treadmill Data");
  const flags = r.u16("flags");
  const out: Decoded = {};
  // FTMS flag bit 0 is inverted: 0 means the instantaneous speed IS present.
  if (!(flags & 0x0001)) out.speed = (r.u16("instantaneous speed") / 100) * KMH;
  if (flags & 0x0002) out.average_speed = (r.u16("average speed") / 100) * KMH;
  if (flags & 0x0004) out.distance = r.u24("total distance");
  if (flags & 0x0008) {
    out.inclination_percent = r.s16("inclination") / 10;
    out.ramp_angle_degrees = r.s16("ramp angle") / 10;
  }
  if (flags & 0x0010) {
    out.positive_elevation_gain = r.u16("positive elevation gain") / 10;
    out.negative_elevation_gain = r.u16("negative elevation gain") / 10;
  }
  if (flags & 0x0020) out.pace_km_per_min = r.u8("instantaneous pace") / 10;
  if (flags & 0x0040) out.average_pace_km_per_min = r.u8("average pace") / 10;
  if (flags & 0x0080) ftmsEnergy(r, out);
  if (flags & 0x0100) out.hr = r.u8("heart rate");
  if (flags & 0x0200) out.metabolic_equivalent = r.u8("metabolic equivalent") / 10;
  if (flags & 0x0400) out.elapsed_time = r.u16("elapsed time");
  if (flags & 0x0800) out.remaining_time = r.u16("remaining time");
  if (flags & 0x1000) {
    out.force_on_belt = r.s16("force on belt");
    out.power = r.s16("power output");
  }
  r.done();
  return out;
}

export function decodeIndoorBike(view: DataView): Decoded {
  const r = new Reader(view, "Indoor Bike Data");
  const flags = r.u16("flags");
  const out: Decoded = {};
  if (!(flags & 0x0001)) out.speed = (r.u16("instantaneous speed") / 100) * KMH;
  if (flags & 0x0002) out.average_speed = (r.u16("average speed") / 100) * KMH;
  if (flags & 0x0004) out.cadence = r.u16("instantaneous cadence") / 2;
  if (flags & 0x0008) out.average_cadence = r.u16("average cadence") / 2;
  if (flags & 0x0010) out.distance = r.u24("total distance");
  if (flags & 0x0020) out.resistance_level = r.s16("resistance level");
  if (flags & 0x0040) out.power = r.s16("instantaneous power");
  if (flags & 0x0080) out.average_power = r.s16("average power");
  if (flags & 0x0100) ftmsEnergy(r, out);
  if (flags & 0x0200) out.hr = r.u8("heart rate");
  if (flags & 0x0400) out.metabolic_equivalent = r.u8("metabolic equivalent") / 10;
  if (flags & 0x0800) out.elapsed_time = r.u16("elapsed time");
  if (flags & 0x1000) out.remaining_time = r.u16("remaining time");
  r.done();
  return out;
}

const DECODERS: Record<string, (view: DataView) => Decoded> = {
  [CHARACTERISTICS.heartRate]: decodeHeartRate,
  [CHARACTERISTICS.rsc]: decodeRsc,
  [CHARACTERISTICS.csc]: decodeCsc,
  [CHARACTERISTICS.cyclingPower]: decodeCyclingPower,
  [CHARACTERISTICS.treadmill]: decodeTreadmill,
  [CHARACTERISTICS.indoorBike]: decodeIndoorBike,
};

export function fullUuid(uuid: string): string {
  const text = uuid.trim().toLowerCase().replace(/^0x/, "");
  if (/^[0-9a-f]{4}$/.test(text)) return `0000${text}-0000-1000-8000-00805f9b34fb`;
  if (/^[0-9a-f-]{36}$/.test(text)) return text;
  throw new GattDecodeError(`${uuid} is not a Bluetooth UUID (expected e.g. 2A37 or a 128-bit UUID).`);
}

export function decode(characteristic: string, view: DataView): Decoded {
  const decoder = DECODERS[fullUuid(characteristic)];
  if (!decoder) throw new GattDecodeError(`Characteristic ${characteristic} is not a supported measurement.`);
  return decoder(view);
}

export function hexToView(hex: string): DataView {
  const clean = hex.replace(/[\s:]/g, "");
  if (clean.length % 2 || /[^0-9a-fA-F]/.test(clean)) throw new GattDecodeError(`${hex} is not hexadecimal bytes.`);
  const bytes = new Uint8Array(clean.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return new DataView(bytes.buffer);
}
