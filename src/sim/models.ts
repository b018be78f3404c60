/**
 * Built-in printer models and the pure functions that turn a device profile and a moment in
 * simulated time into what the device reports: meters that advance, supplies that deplete and
 * get replaced, occasional alerts. Deterministic for a given seed; no I/O.
 * @module
 */
import { ConfigError } from "../errors.js";
import type { Varbind } from "../snmp/varbind.js";
import type { DeviceFaults } from "./faults.js";

/** Names of the built-in models. */
export type PrinterModelId = "mono" | "colour" | "xerox" | "xerox-versalink" | "large-format";

/** What a consumable is (drives its Printer-MIB class/type and which meter consumes it). */
export interface SupplySpec {
  /** prtMarkerSuppliesDescription. */
  description: string;
  /** prtMarkerSuppliesClass: 3 supplyThatIsConsumed, 4 receptacleThatIsFilled. */
  supplyClass: 3 | 4;
  /** prtMarkerSuppliesType: 3 toner, 4 wasteToner, 5 ink, 9 opc, 15 fuser. */
  supplyType: number;
  /** prtMarkerSuppliesSupplyUnit: 7 impressions, 15 tenthsOfMilliliters, 19 percent. */
  unit: number;
  /** prtMarkerSuppliesMaxCapacity in `unit`. */
  capacity: number;
  /** Pages of the consuming kind one full supply lasts. */
  pagesPerSupply: number;
  /** Which pages consume it. */
  consumedBy: "all" | "black" | "colour";
  /** prtMarkerSuppliesColorantIndex (0 = none). */
  colorant: number;
  /** Answers max -2 (unknown) and level -3 (some remaining) instead of numbers, as many receptacles do. */
  hidesLevel?: boolean;
}

/** Field quirks a model shows (see PRINTER-MIBS.md), so readers are tested against them. */
export interface ModelQuirks {
  /** prtMarkerSuppliesDescription ends with a NUL byte (HP). */
  nulTerminatedDescriptions?: boolean;
  /** hrPrinterDetectedErrorState length: 1 or 2 bytes (default 2). */
  errorStateBytes?: 1 | 2;
}

/** A billing meter of a Xerox-like device, at `.6.1.20.N` (value) and `.9.1.20.N` (label). */
export interface BillingMeterSpec {
  /** N in the meter's OIDs. */
  index: number;
  /** The label the device answers at `.9.1.20.N`. */
  label: string;
  /** Which page count it carries. */
  of: "total" | "black" | "colour" | "blackLarge" | "colourLarge";
}

/** A built-in model: identity, consumables, and how much it prints. */
export interface PrinterModel {
  /** Model id used by `--models` and {@link FleetDevice.model}. */
  id: PrinterModelId;
  /** sysDescr. */
  sysDescr: string;
  /** sysObjectID (its enterprise number names the vendor). */
  sysObjectId: string;
  /** IEEE-1284 device id (`MFG:…;MDL:…;`). */
  deviceId: string;
  /** Vendor OID that also carries the serial number. */
  vendorSerialOid: string;
  /** Serial number prefix. */
  serialPrefix: string;
  /** MAC OUI (first three bytes). */
  oui: readonly [number, number, number];
  /** Mean pages a day, black and colour. */
  pagesPerDay: {
    /** Black pages a day. */
    black: number;
    /** Colour pages a day (0 on a mono model). */
    colour: number;
  };
  /** Share of pages that are large (A3 / wide). */
  largeShare: number;
  /** Colorant names by prtMarkerColorantIndex. */
  colorants: readonly string[];
  /** Consumables, prtMarkerSuppliesIndex = position + 1. */
  supplies: readonly SupplySpec[];
  /** Xerox-style billing meters (empty for other vendors). */
  billingMeters: readonly BillingMeterSpec[];
  /** Field quirks. */
  quirks?: ModelQuirks;
}

const toner = (
  colour: string,
  colorant: number,
  consumedBy: "black" | "colour",
  pages: number,
): SupplySpec => ({
  description: `${colour} Toner Cartridge`,
  supplyClass: 3,
  supplyType: 3,
  unit: 19,
  capacity: 100,
  pagesPerSupply: pages,
  consumedBy,
  colorant,
});

const XEROX_BILLING = "1.3.6.1.4.1.253.8.53.13.2.1";

/** The built-in models, by id. */
export const BUILTIN_MODELS: Readonly<Record<PrinterModelId, PrinterModel>> = {
  mono: {
    id: "mono",
    sysDescr: "HP LaserJet M406dn (simulated)",
    sysObjectId: "1.3.6.1.4.1.11.2.3.9.1",
    deviceId: "MFG:HP;MDL:LaserJet M406dn;CMD:PJL,PCL,POSTSCRIPT;CLS:PRINTER;",
    vendorSerialOid: "1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.3.0",
    serialPrefix: "VNB3",
    oui: [0x3c, 0x2a, 0xf4],
    pagesPerDay: { black: 120, colour: 0 },
    largeShare: 0,
    colorants: ["black"],
    supplies: [
      toner("Black", 1, "black", 9000),
      {
        description: "Imaging Drum",
        supplyClass: 3,
        supplyType: 9,
        unit: 7,
        capacity: 30000,
        pagesPerSupply: 30000,
        consumedBy: "all",
        colorant: 0,
      },
    ],
    billingMeters: [],
    quirks: { nulTerminatedDescriptions: true },
  },
  colour: {
    id: "colour",
    sysDescr: "Brother HL-L8360CDW series (simulated)",
    sysObjectId: "1.3.6.1.4.1.2435.2.3.9.1",
    deviceId: "MFG:Brother;MDL:HL-L8360CDW series;CMD:PJL,PCL,PCLXL,POSTSCRIPT;CLS:PRINTER;",
    vendorSerialOid: "1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.1.0",
    serialPrefix: "E7",
    oui: [0xc0, 0xb5, 0xd7],
    pagesPerDay: { black: 90, colour: 40 },
    largeShare: 0,
    colorants: ["black", "cyan", "magenta", "yellow"],
    supplies: [
      toner("Black", 1, "black", 6500),
      toner("Cyan", 2, "colour", 6500),
      toner("Magenta", 3, "colour", 6500),
      toner("Yellow", 4, "colour", 6500),
      {
        description: "Waste Toner Box",
        supplyClass: 4,
        supplyType: 4,
        unit: 19,
        capacity: 100,
        pagesPerSupply: 50000,
        consumedBy: "all",
        colorant: 0,
        hidesLevel: true,
      },
    ],
    billingMeters: [],
    quirks: { errorStateBytes: 1 },
  },
  xerox: {
    id: "xerox",
    sysDescr: "Xerox AltaLink C8055 Multifunction Printer (simulated)",
    sysObjectId: "1.3.6.1.4.1.253.8.62.1.35.2.3.1.1",
    deviceId: "MFG:Xerox;MDL:AltaLink C8055;CMD:PCL,PJL,PostScript,XPS;CLS:Printer;",
    vendorSerialOid: "1.3.6.1.4.1.253.8.53.3.2.1.3.1",
    serialPrefix: "3TB",
    oui: [0x9c, 0x93, 0x4e],
    pagesPerDay: { black: 600, colour: 250 },
    largeShare: 0.1,
    colorants: ["black", "cyan", "magenta", "yellow"],
    supplies: [
      {
        ...toner("Black", 1, "black", 26000),
        description: "Black Toner, PN 006R01697",
        unit: 7,
        capacity: 26000,
      },
      {
        ...toner("Cyan", 2, "colour", 15000),
        description: "Cyan Toner, PN 006R01698",
        unit: 7,
        capacity: 15000,
      },
      {
        ...toner("Magenta", 3, "colour", 15000),
        description: "Magenta Toner, PN 006R01699",
        unit: 7,
        capacity: 15000,
      },
      {
        ...toner("Yellow", 4, "colour", 15000),
        description: "Yellow Toner, PN 006R01700",
        unit: 7,
        capacity: 15000,
      },
      {
        description: "Drum Cartridge (R1), PN 013R00662",
        supplyClass: 3,
        supplyType: 9,
        unit: 19,
        capacity: 100,
        pagesPerSupply: 125000,
        consumedBy: "all",
        colorant: 0,
      },
      {
        description: "Waste Toner Container, PN 008R13061",
        supplyClass: 4,
        supplyType: 4,
        unit: 19,
        capacity: 100,
        pagesPerSupply: 45000,
        consumedBy: "all",
        colorant: 0,
      },
      {
        description: "Fuser, PN 115R00089",
        supplyClass: 3,
        supplyType: 15,
        unit: 19,
        capacity: 100,
        pagesPerSupply: 200000,
        consumedBy: "all",
        colorant: 0,
      },
    ],
    billingMeters: [
      { index: 1, label: "Total Impressions", of: "total" },
      { index: 33, label: "Color Printed Impressions", of: "colour" },
      { index: 34, label: "Black Printed Impressions", of: "black" },
      { index: 43, label: "Color Large Impressions", of: "colourLarge" },
      { index: 44, label: "Black Large Impressions", of: "blackLarge" },
    ],
  },
  "xerox-versalink": {
    id: "xerox-versalink",
    sysDescr: "Xerox VersaLink C405 (simulated)",
    sysObjectId: "1.3.6.1.4.1.253.8.62.1.33.1.1.1",
    deviceId: "MFG:Xerox;MDL:VersaLink C405;CMD:PCL,PJL,PostScript;CLS:Printer;",
    vendorSerialOid: "1.3.6.1.4.1.253.8.53.3.2.1.3.1",
    serialPrefix: "3CV",
    oui: [0x9c, 0x93, 0x4e],
    pagesPerDay: { black: 200, colour: 80 },
    largeShare: 0,
    colorants: ["black", "cyan", "magenta", "yellow"],
    supplies: [
      toner("Black", 1, "black", 10500),
      toner("Cyan", 2, "colour", 8000),
      toner("Magenta", 3, "colour", 8000),
      toner("Yellow", 4, "colour", 8000),
    ],
    billingMeters: [
      { index: 200, label: "Total Impressions", of: "total" },
      { index: 201, label: "Black Impressions", of: "black" },
      { index: 202, label: "Color Impressions", of: "colour" },
    ],
  },
  "large-format": {
    id: "large-format",
    sysDescr: "Canon imagePROGRAF TM-300 (simulated)",
    sysObjectId: "1.3.6.1.4.1.1602.4.7",
    deviceId: "MFG:Canon;MDL:imagePROGRAF TM-300;CMD:GARO,HP-GL/2;CLS:PRINTER;",
    vendorSerialOid: "1.3.6.1.4.1.1602.1.2.1.4.0",
    serialPrefix: "AAVQ",
    oui: [0x00, 0x1e, 0x8f],
    pagesPerDay: { black: 25, colour: 35 },
    largeShare: 1,
    colorants: ["matte black", "photo black", "cyan", "magenta", "yellow"],
    supplies: ["Matte Black", "Photo Black", "Cyan", "Magenta", "Yellow"].map(
      (name, i): SupplySpec => ({
        description: `${name} Ink Tank PFI-120`,
        supplyClass: 3,
        supplyType: 5,
        unit: 15,
        capacity: 1300,
        pagesPerSupply: i < 2 ? 1400 : 900,
        consumedBy: i < 2 ? "black" : "colour",
        colorant: i + 1,
      }),
    ),
    billingMeters: [],
  },
};

/** Every built-in model id, in a stable order (fleets cycle through it). */
export const MODEL_IDS = Object.keys(BUILTIN_MODELS) as PrinterModelId[];

/** Looks up a model by id, refusing an unknown one with the list of known ids. */
export function modelById(id: string): PrinterModel {
  const model = (BUILTIN_MODELS as Record<string, PrinterModel | undefined>)[id];
  if (!model)
    throw new ConfigError(
      "SIM_UNKNOWN_MODEL",
      `unknown printer model "${id}" (known: ${MODEL_IDS.join(", ")})`,
    );
  return model;
}

/** 32-bit integer hash (murmur3 finaliser) of a few integers; the root of every "random" choice. */
export function hash32(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    h ^= Math.imul(((v | 0) ^ (v / 4294967296)) | 0, 0x85ebca6b);
    h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform number in [0, 1) from {@link hash32}. */
function unit(...values: number[]): number {
  return hash32(...values) / 4294967296;
}

/** Everything fixed about one synthetic device (per-device memory is this object only). */
export interface DeviceProfile {
  /** Position in the fleet. */
  index: number;
  /** Fleet seed. */
  seed: number;
  /** Model. */
  model: PrinterModel;
  /** Pages per simulated millisecond. */
  blackPerMs: number;
  /** Colour pages per simulated millisecond. */
  colourPerMs: number;
  /** Black pages already printed at fleet start. */
  baseBlack: number;
  /** Colour pages already printed at fleet start. */
  baseColour: number;
  /** Supply consumption at fleet start, in pages, per supply. */
  supplyOffsetPages: readonly number[];
  /** Simulated milliseconds the device had been up at fleet start. */
  upAtStartMs: number;
  /** SNMPv3 engine id (unique per device). */
  engineId: Buffer;
}

const DAY_MS = 86_400_000;

/** Builds device `index` of a fleet with `seed`, of `model`. Same inputs, same device. */
export function createProfile(model: PrinterModel, seed: number, index: number): DeviceProfile {
  const r = (salt: number): number => unit(seed, index, salt);
  const scale = 0.5 + r(1);
  const engineId = Buffer.alloc(17);
  engineId.write("8000b98380", 0, "hex");
  for (let i = 0; i < 3; i++) engineId.writeUInt32BE(hash32(seed, index, 100 + i), 5 + i * 4);
  return {
    index,
    seed,
    model,
    blackPerMs: (model.pagesPerDay.black * scale) / DAY_MS,
    colourPerMs: (model.pagesPerDay.colour * scale) / DAY_MS,
    baseBlack: Math.floor(model.pagesPerDay.black * scale * (30 + r(2) * 1500)),
    baseColour: Math.floor(model.pagesPerDay.colour * scale * (30 + r(3) * 1500)),
    supplyOffsetPages: model.supplies.map((s, i) => Math.floor(r(10 + i) * s.pagesPerSupply)),
    upAtStartMs: Math.floor(r(4) * 20 * DAY_MS),
    engineId,
  };
}

/** A meter as the device reports it. */
export interface MeterTruth {
  /** Meter name (`total`, `black`, `colour`, or a billing label). */
  name: string;
  /** Value the device answers. */
  value: number;
  /** OID carrying it. */
  oid: string;
}

/** A supply as the device reports it. */
export interface SupplyTruth {
  /** prtMarkerSuppliesIndex (hrDeviceIndex is 1). */
  index: number;
  /** prtMarkerSuppliesDescription. */
  description: string;
  /** prtMarkerSuppliesSupplyUnit. */
  unit: number;
  /** prtMarkerSuppliesMaxCapacity as answered (-2 when the device hides it). */
  max: number;
  /** prtMarkerSuppliesLevel as answered (remaining; remaining space for a receptacle; -3 when hidden). */
  level: number;
  /** The real remaining share, 0..100, even when the device hides its level. */
  remainingPercent: number;
  /** How many times it has been replaced since fleet start. */
  replacements: number;
}

/** An active prtAlertTable row. */
export interface AlertTruth {
  /** prtAlertIndex. */
  index: number;
  /** prtAlertSeverityLevel: 3 critical, 4 warning. */
  severity: number;
  /** prtAlertGroup: 11 markerSupplies, 13 mediaPath. */
  group: number;
  /** prtAlertGroupIndex. */
  groupIndex: number;
  /** prtAlertCode (8 jam, 1104 tonerAlmostEmpty, 1105 inkAlmostEmpty, 1 other). */
  code: number;
  /** prtAlertDescription. */
  description: string;
}

/** What a device reports at one simulated moment: compare a reader's result with this. */
export interface DeviceTruth {
  /** Serial number (prtGeneralSerialNumber and the vendor OID). */
  serial: string;
  /** MAC address, lower-case `aa:bb:cc:dd:ee:ff`. */
  mac: string;
  /** sysUpTime in hundredths of a second (wrapped at 2^32). */
  uptimeTicks: number;
  /** SNMPv3 engineBoots. */
  engineBoots: number;
  /** Black pages printed (unwrapped). */
  blackPages: number;
  /** Colour pages printed (unwrapped). */
  colourPages: number;
  /** prtMarkerLifeCount as answered (Counter32, wrapped). */
  lifeCount: number;
  /** Meters, including prtMarkerLifeCount and any billing meters. */
  meters: MeterTruth[];
  /** Supplies. */
  supplies: SupplyTruth[];
  /** Active alerts. */
  alerts: AlertTruth[];
  /** hrPrinterDetectedErrorState as answered (1 or 2 bytes, see {@link ModelQuirks}). */
  errorState: Buffer;
  /** hrPrinterStatus: 3 idle, 4 printing, 1 other (jammed). */
  printerStatus: number;
}

/** Mutable, per-run state that is not a function of time (manual reboots). */
export interface DeviceRuntime {
  /** Simulated elapsed ms of the last manual reboot, or undefined. */
  manualBootAtMs?: number;
  /** Manual reboots so far. */
  manualReboots: number;
}

/** Pages of a swapped-in device are counted from the swap; its identity comes from another salt. */
function identity(profile: DeviceProfile, generation: number): { serial: string; mac: string } {
  const model = profile.model;
  const h = hash32(profile.seed, profile.index, 7, generation);
  // The index keeps serials and MACs distinct inside a fleet; the hash varies them between seeds.
  const serial = `${model.serialPrefix}${(h % 46656).toString(36).toUpperCase().padStart(3, "0")}${generation === 0 ? "" : "R"}${profile.index.toString().padStart(5, "0")}`;
  const macBytes = Buffer.from([
    model.oui[0],
    model.oui[1],
    model.oui[2],
    ((h >>> 8) & 0x7f) | (generation << 7),
    (profile.index >>> 8) & 0xff,
    profile.index & 0xff,
  ]);
  return { serial, mac: [...macBytes].map((b) => b.toString(16).padStart(2, "0")).join(":") };
}

/**
 * When the device last booted (simulated ms since fleet start, negative = before it) and its
 * SNMPv3 engineBoots: the later of a periodic reboot (fault) and a manual one.
 */
export function bootState(
  elapsedMs: number,
  upAtStartMs: number,
  faults: DeviceFaults,
  runtime: DeviceRuntime,
): {
  /** Simulated ms since fleet start of the last boot (negative = before the start). */
  bootAtMs: number;
  /** SNMPv3 engineBoots. */
  engineBoots: number;
} {
  let bootAtMs = -upAtStartMs;
  let engineBoots = 1 + runtime.manualReboots;
  if (faults.rebootEveryMs !== undefined) {
    const periodic = Math.floor(elapsedMs / faults.rebootEveryMs);
    engineBoots += periodic;
    if (periodic > 0) bootAtMs = periodic * faults.rebootEveryMs;
  }
  if (runtime.manualBootAtMs !== undefined && runtime.manualBootAtMs > bootAtMs)
    bootAtMs = runtime.manualBootAtMs;
  return { bootAtMs, engineBoots };
}

const ALERT_JAM = 1;
const HOUR_MS = 3_600_000;
const U32 = 4294967296;
/** Where a Counter32-wrap device starts: a few hundred pages before 2^32. */
const WRAP_START = U32 - 500;

/**
 * Computes what device `profile` reports `elapsedMs` simulated milliseconds after fleet start
 * (`startMs` is the simulated epoch of the start, for alert timing).
 */
export function deviceTruth(
  profile: DeviceProfile,
  elapsedMs: number,
  faults: DeviceFaults = {},
  runtime: DeviceRuntime = { manualReboots: 0 },
): DeviceTruth {
  const model = profile.model;
  const swapped = faults.serialChangeAfterMs !== undefined && elapsedMs >= faults.serialChangeAfterMs;
  const generation = swapped ? 1 : 0;
  const sinceMs = swapped ? elapsedMs - (faults.serialChangeAfterMs ?? 0) : elapsedMs;
  const { serial, mac } = identity(profile, generation);
  const baseScale = swapped ? 0.37 : 1;
  const blackPages = Math.floor(profile.baseBlack * baseScale + profile.blackPerMs * sinceMs);
  const colourPages = Math.floor(profile.baseColour * baseScale + profile.colourPerMs * sinceMs);
  const total = blackPages + colourPages;

  const { bootAtMs, engineBoots } = bootState(elapsedMs, profile.upAtStartMs, faults, runtime);
  const uptimeTicks = Math.floor((elapsedMs - bootAtMs) / 10) % U32;

  const lifeRaw = faults.counterWrap ? WRAP_START + (total - profile.baseBlack - profile.baseColour) : total;
  const lifeCount = ((lifeRaw % U32) + U32) % U32;

  const supplies: SupplyTruth[] = model.supplies.map((s, i) => {
    const pages = s.consumedBy === "all" ? total : s.consumedBy === "black" ? blackPages : colourPages;
    // Colour toners wear differently; the index spreads them so they are not replaced together.
    const consumed =
      pages * (s.consumedBy === "colour" ? 0.8 + 0.1 * i : 1) + (profile.supplyOffsetPages[i] ?? 0);
    const replacements = Math.floor(consumed / s.pagesPerSupply);
    const remainingShare = 1 - (consumed % s.pagesPerSupply) / s.pagesPerSupply;
    return {
      index: i + 1,
      description: s.description,
      unit: s.unit,
      max: s.hidesLevel ? -2 : s.capacity,
      level: s.hidesLevel ? -3 : Math.max(0, Math.floor(remainingShare * s.capacity)),
      remainingPercent: Math.floor(remainingShare * 100),
      replacements: swapped ? 0 : replacements,
    };
  });

  const alerts: AlertTruth[] = [];
  let lowMarker = false;
  supplies.forEach((s, i) => {
    const spec = model.supplies[i] as SupplySpec;
    if (s.remainingPercent < 10) {
      const markerSupply = spec.supplyType === 3 || spec.supplyType === 5;
      if (markerSupply) lowMarker = true;
      alerts.push({
        index: 100 + s.index,
        severity: 4,
        group: 11,
        groupIndex: s.index,
        code: spec.supplyType === 3 ? 1104 : spec.supplyType === 5 ? 1105 : 1,
        description: `${spec.description} low`,
      });
    }
  });
  // About one simulated hour in 50 has a paper jam.
  const hour = Math.floor(elapsedMs / HOUR_MS);
  const jammed = unit(profile.seed, profile.index, 9, hour) < 0.02;
  if (jammed)
    alerts.unshift({
      index: ALERT_JAM,
      severity: 3,
      group: 13,
      groupIndex: 1,
      code: 8,
      description: "Paper jam in tray 1",
    });
  const errorState = Buffer.alloc(model.quirks?.errorStateBytes ?? 2);
  if (lowMarker) errorState[0] = (errorState[0] as number) | 0x20; // bit 2 lowToner
  if (jammed) errorState[0] = (errorState[0] as number) | 0x04; // bit 5 jammed
  const printing = unit(profile.seed, profile.index, 11, hour) < 0.3;

  const meters: MeterTruth[] = [{ name: "lifeCount", value: lifeCount, oid: "1.3.6.1.2.1.43.10.2.1.4.1.1" }];
  const large = (n: number): number => Math.floor(n * model.largeShare);
  for (const b of model.billingMeters) {
    const raw =
      b.of === "total"
        ? total
        : b.of === "black"
          ? blackPages
          : b.of === "colour"
            ? colourPages
            : b.of === "blackLarge"
              ? large(blackPages)
              : large(colourPages);
    meters.push({ name: b.label, value: raw % 2147483648, oid: `${XEROX_BILLING}.6.1.20.${b.index}` });
  }

  return {
    serial,
    mac,
    uptimeTicks,
    engineBoots,
    blackPages,
    colourPages,
    lifeCount,
    meters,
    supplies,
    alerts,
    errorState,
    printerStatus: jammed ? 1 : printing ? 4 : 3,
  };
}

const str = (oid: string, text: string): Varbind => ({
  oid,
  type: "OctetString",
  value: Buffer.from(text, "latin1"),
});
const int = (oid: string, value: number): Varbind => ({ oid, type: "Integer", value });

/** Every varbind device `profile` answers, given its {@link deviceTruth} at that moment (unsorted). */
export function deviceVarbinds(profile: DeviceProfile, truth: DeviceTruth): Varbind[] {
  const m = profile.model;
  const macBytes = Buffer.from(truth.mac.replaceAll(":", ""), "hex");
  const counter = (oid: string, value: number): Varbind => ({ oid, type: "Counter32", value: value % U32 });
  const out: Varbind[] = [
    str("1.3.6.1.2.1.1.1.0", m.sysDescr),
    { oid: "1.3.6.1.2.1.1.2.0", type: "ObjectIdentifier", value: m.sysObjectId },
    { oid: "1.3.6.1.2.1.1.3.0", type: "TimeTicks", value: truth.uptimeTicks },
    str("1.3.6.1.2.1.1.4.0", "it@example.com"),
    str("1.3.6.1.2.1.1.5.0", `sim-${m.id}-${profile.index}`),
    str("1.3.6.1.2.1.1.6.0", `Floor ${1 + (profile.index % 9)}`),
    int("1.3.6.1.2.1.1.7.0", 72),
    int("1.3.6.1.2.1.2.1.0", 1),
    int("1.3.6.1.2.1.2.2.1.1.1", 1),
    str("1.3.6.1.2.1.2.2.1.2.1", "eth0"),
    int("1.3.6.1.2.1.2.2.1.3.1", 6),
    { oid: "1.3.6.1.2.1.2.2.1.6.1", type: "OctetString", value: macBytes },
    int("1.3.6.1.2.1.2.2.1.7.1", 1),
    int("1.3.6.1.2.1.2.2.1.8.1", 1),
    { oid: "1.3.6.1.2.1.25.1.1.0", type: "TimeTicks", value: truth.uptimeTicks },
    int("1.3.6.1.2.1.25.3.2.1.1.1", 1),
    { oid: "1.3.6.1.2.1.25.3.2.1.2.1", type: "ObjectIdentifier", value: "1.3.6.1.2.1.25.3.1.5" },
    str("1.3.6.1.2.1.25.3.2.1.3.1", m.sysDescr.replace(" (simulated)", "")),
    { oid: "1.3.6.1.2.1.25.3.2.1.4.1", type: "ObjectIdentifier", value: "0.0" },
    int("1.3.6.1.2.1.25.3.2.1.5.1", truth.printerStatus === 1 ? 5 : truth.alerts.length > 0 ? 3 : 2),
    counter("1.3.6.1.2.1.25.3.2.1.6.1", 0),
    int("1.3.6.1.2.1.25.3.5.1.1.1", truth.printerStatus),
    { oid: "1.3.6.1.2.1.25.3.5.1.2.1", type: "OctetString", value: truth.errorState },
    str("1.3.6.1.2.1.43.5.1.1.16.1", `sim-${m.id}-${profile.index}`),
    str("1.3.6.1.2.1.43.5.1.1.17.1", truth.serial),
    counter("1.3.6.1.2.1.43.5.1.1.18.1", truth.alerts.filter((a) => a.severity === 3).length),
    counter(
      "1.3.6.1.2.1.43.5.1.1.19.1",
      truth.alerts.length + truth.supplies.reduce((n, s) => n + s.replacements, 0),
    ),
    int("1.3.6.1.2.1.43.8.2.1.9.1.1", 550),
    int("1.3.6.1.2.1.43.8.2.1.9.1.2", 100),
    int("1.3.6.1.2.1.43.8.2.1.10.1.1", -3),
    int("1.3.6.1.2.1.43.8.2.1.10.1.2", 0),
    str("1.3.6.1.2.1.43.8.2.1.13.1.1", "Tray 1"),
    str("1.3.6.1.2.1.43.8.2.1.13.1.2", "Bypass Tray"),
    int("1.3.6.1.2.1.43.10.2.1.2.1.1", m.id === "large-format" ? 10 : 4),
    int("1.3.6.1.2.1.43.10.2.1.3.1.1", 7),
    counter("1.3.6.1.2.1.43.10.2.1.4.1.1", truth.lifeCount),
    counter("1.3.6.1.2.1.43.10.2.1.5.1.1", Math.floor((truth.uptimeTicks / 8_640_000) * 50)),
    str("1.3.6.1.4.1.2699.1.2.1.2.1.1.3.1", m.deviceId),
    str(m.vendorSerialOid, truth.serial),
  ];
  truth.supplies.forEach((s, i) => {
    const spec = m.supplies[i] as SupplySpec;
    const col = (c: number): string => `1.3.6.1.2.1.43.11.1.1.${c}.1.${s.index}`;
    out.push(
      int(col(3), spec.colorant),
      int(col(4), spec.supplyClass),
      int(col(5), spec.supplyType),
      str(col(6), m.quirks?.nulTerminatedDescriptions ? `${s.description}\0` : s.description),
      int(col(7), s.unit),
      int(col(8), s.max),
      int(col(9), s.level),
    );
  });
  m.colorants.forEach((name, i) => {
    out.push(int(`1.3.6.1.2.1.43.12.1.1.3.1.${i + 1}`, 3), str(`1.3.6.1.2.1.43.12.1.1.4.1.${i + 1}`, name));
  });
  for (const a of truth.alerts) {
    const col = (c: number): string => `1.3.6.1.2.1.43.18.1.1.${c}.1.${a.index}`;
    out.push(
      int(col(2), a.severity),
      int(col(3), 4),
      int(col(4), a.group),
      int(col(5), a.groupIndex),
      int(col(6), -1),
      int(col(7), a.code),
      str(col(8), a.description),
      { oid: col(9), type: "TimeTicks", value: Math.max(0, truth.uptimeTicks - 6000) },
    );
  }
  for (const meter of truth.meters.slice(1)) out.push(int(meter.oid, meter.value));
  for (const b of m.billingMeters) out.push(str(`${XEROX_BILLING}.9.1.20.${b.index}`, b.label));
  return out;
}
