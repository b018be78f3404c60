/**
 * What a synthetic device reports at one moment of simulated time ({@link deviceTruth}):
 * meters that advance, supplies that deplete and get replaced, occasional alerts, reboots and
 * serial swaps from its faults. Deterministic for a given profile; no I/O.
 * @module
 */
import type { DeviceFaults } from "./faults.js";
import { type SupplySpec, XEROX_BILLING } from "./models.js";
import { type DeviceProfile, hash32, unit } from "./profile.js";

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
  /** Serial number (prtGeneralSerialNumber and the vendor OID); `""` when the device reports none (fault `noSerial`). */
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
    serial: faults.noSerial ? "" : serial,
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
