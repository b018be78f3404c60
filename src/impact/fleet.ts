/**
 * A deterministic synthetic fleet for sizing: Xerox-like serials, MACs in Xerox's OUI,
 * 4–6 named billing meters and 6–12 supplies per device, as the MIB reader reports them
 * for real AltaLink / VersaLink devices (`test/fixtures/snmprec`). Pure: same seed, same fleet.
 * @module
 */
import { ConfigError } from "../errors.js";

/** Identity of a device, as `RegisterDevices` sends it. */
export interface SizingDeviceInfo {
  /** Serial number. */
  serial: string;
  /** Vendor name. */
  vendor: string;
  /** Model name. */
  model: string;
  /** MAC address. */
  mac: string;
  /** IPv4 address on the customer's network. */
  address: string;
}

/** One named meter and its value. */
export interface FleetMeter {
  /** Meter name, e.g. `Black Impressions`. */
  name: string;
  /** Counter value. */
  value: number;
}

/** One supply as the Printer-MIB describes it. */
export interface FleetSupply {
  /** prtMarkerSuppliesIndex (`hrDeviceIndex.supplyIndex`). */
  index: string;
  /** prtMarkerSuppliesDescription. */
  description: string;
  /** Colorant name, when the supply has one. */
  colorant?: string;
  /** Supply type, e.g. `toner`, `opc`, `fuser`. */
  type: string;
  /** Unit of max and level. */
  unit: string;
  /** Capacity. */
  max: number;
  /** Level. */
  level: number;
  /** Level in percent of capacity. */
  percent: number;
  /** `ok`, `low` or `empty`. */
  state: string;
}

/** A device of the synthetic fleet. */
export interface SizingDevice {
  /** What registration sends. */
  info: SizingDeviceInfo;
  /** Its billing meters. */
  meters: FleetMeter[];
  /** Its supplies. */
  supplies: FleetSupply[];
}

/** Options of {@link syntheticFleet}. */
export interface SyntheticFleetOptions {
  /** PRNG seed; default 1. */
  seed?: number;
  /** Offset added to device numbers, so that fleets of one server never share a serial. */
  firstIndex?: number;
}

interface ModelSpec {
  model: string;
  prefix: string;
  color: boolean;
  meters: string[];
}

const MODELS: readonly ModelSpec[] = [
  {
    model: "AltaLink C8045",
    prefix: "GRK",
    color: true,
    meters: [
      "Black Impressions",
      "Color Impressions",
      "Total Impressions",
      "Black Large Impressions",
      "Color Large Impressions",
      "Extra Long Impressions",
    ],
  },
  {
    model: "AltaLink B8055",
    prefix: "MX5",
    color: false,
    meters: ["Black Impressions", "Total Impressions", "Black Large Impressions", "Extra Long Impressions"],
  },
  {
    model: "VersaLink C7025",
    prefix: "3TB",
    color: true,
    meters: [
      "Black Impressions",
      "Color Impressions",
      "Total Impressions",
      "Color Large Impressions",
      "Black Large Impressions",
    ],
  },
  {
    model: "VersaLink B405",
    prefix: "LZ4",
    color: false,
    meters: ["Black Impressions", "Total Impressions", "Black Large Impressions", "Sheets Printed"],
  },
];

/** A small, fast, well-distributed 32-bit PRNG (mulberry32): sizing must be reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, "0");

/**
 * `count` devices, deterministic for a seed.
 *
 * @throws ConfigError `ARG_INVALID` when `count` is not an integer in 0..100000.
 * @example
 * ```ts
 * const [first] = syntheticFleet(1, { seed: 7 });
 * first.info.serial; // e.g. "GRK418230"
 * ```
 */
export function syntheticFleet(count: number, options: SyntheticFleetOptions = {}): SizingDevice[] {
  if (!Number.isInteger(count) || count < 0 || count > 100_000) {
    throw new ConfigError("ARG_INVALID", `device count must be an integer in 0..100000, got ${count}`);
  }
  const first = options.firstIndex ?? 0;
  const rnd = prng(options.seed ?? 1);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const devices: SizingDevice[] = [];
  for (let i = 0; i < count; i++) {
    const n = first + i;
    const spec = MODELS[int(0, MODELS.length - 1)]!;
    // Serials stay unique across the fleet: the device number is folded into the digits.
    const serial = `${spec.prefix}${String((n * 7919 + int(0, 7918)) % 1_000_000).padStart(6, "0")}`;
    const info: SizingDeviceInfo = {
      serial,
      vendor: "Xerox",
      model: spec.model,
      mac: `9C:93:4E:${hex2((n >> 16) & 0xff)}:${hex2((n >> 8) & 0xff)}:${hex2(n & 0xff)}`,
      address: `10.${20 + ((n >> 16) & 0x3f)}.${(n >> 8) & 0xff}.${n & 0xff}`,
    };
    const meterCount = int(4, spec.meters.length);
    const black = int(20_000, 2_500_000);
    const color = spec.color ? int(5_000, 1_500_000) : 0;
    const meters = spec.meters.slice(0, meterCount).map((name): FleetMeter => {
      if (name === "Black Impressions") return { name, value: black };
      if (name === "Color Impressions") return { name, value: color };
      if (name === "Total Impressions" || name === "Sheets Printed") return { name, value: black + color };
      return { name, value: int(0, Math.floor((black + color) / 20)) };
    });
    devices.push({ info, meters, supplies: suppliesFor(spec, int, serial) });
  }
  return devices;
}

function suppliesFor(
  spec: ModelSpec,
  int: (lo: number, hi: number) => number,
  serial: string,
): FleetSupply[] {
  const part = (): string => `${int(1, 9)}${String(int(0, 99999)).padStart(5, "0")}`;
  const cartridge = (): string =>
    `SN${serial.slice(-4)}${hex2(int(0, 255))}${hex2(int(0, 255))}80E00004${hex2(int(0, 255))}`;
  const list: Array<Omit<FleetSupply, "index" | "percent" | "state">> = [];
  const colorants = spec.color ? ["Black", "Cyan", "Magenta", "Yellow"] : ["Black"];
  for (const c of colorants) {
    const max = c === "Black" ? 5300 : 3000;
    list.push({
      description: `${c} Toner, PN 006R0${part()};${cartridge()}`,
      colorant: c.toLowerCase(),
      type: "toner",
      unit: "impressions",
      max,
      level: int(0, max),
    });
  }
  const drums = spec.color ? ["R1", "R2", "R3", "R4"] : ["R1"];
  for (const d of drums) {
    list.push({
      description: `Drum Cartridge (${d}), PN 013R0${part()};${cartridge()}`,
      type: "opc",
      unit: "percent",
      max: 100,
      level: int(1, 100),
    });
  }
  list.push({
    description: "Fuser, PN unknown;SNunknown",
    type: "fuser",
    unit: "percent",
    max: 100,
    level: int(1, 100),
  });
  list.push({
    description: `Waste Toner Container, PN 008R${part()};SNunknown`,
    type: "wasteToner",
    unit: "percent",
    max: 100,
    level: int(0, 100),
  });
  list.push({
    description: `Transfer Belt Cleaner, PN 001R${part()};SNunknown`,
    type: "cleanerUnit",
    unit: "percent",
    max: 100,
    level: int(1, 100),
  });
  if (!spec.color)
    list.push({
      description: "Staple Cartridge, PN 008R12941",
      type: "staples",
      unit: "items",
      max: 5000,
      level: int(0, 5000),
    });
  const keep = Math.min(list.length, Math.max(6, list.length - int(0, 1)));
  return list.slice(0, keep).map((s, i) => {
    const percent = Math.round((s.level * 100) / s.max);
    return {
      ...s,
      index: `1.${i + 1}`,
      percent,
      state: percent === 0 ? "empty" : percent < 10 ? "low" : "ok",
    };
  });
}
