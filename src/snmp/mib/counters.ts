/**
 * Comparing two readings of the same device: how much each meter advanced, telling a
 * Counter32 wrap (the value passed 2^32 - 1 and started again) from a device reboot
 * (sysUpTime went down, so counters that reset at power-on start again from 0).
 * @module
 */
import type { MeterReading } from "./meters.js";

/** 2^32: the modulus of Counter32. */
export const COUNTER32_MODULUS = 4294967296;

/**
 * How a meter moved between two readings:
 * - `increase` / `unchanged` — the normal cases;
 * - `wrapped` — a Counter32 went down without a reboot: it passed 2^32; `delta` accounts for it;
 * - `reset` — the value went down and the device rebooted: `delta` is the value counted since;
 * - `decreased` — went down with no reboot and no wrap possible (not a Counter32): `delta` is null;
 * - `new` / `missing` — only in the current / previous reading.
 */
export type MeterChangeKind =
  | "increase"
  | "unchanged"
  | "wrapped"
  | "reset"
  | "decreased"
  | "new"
  | "missing";

/** One meter's change between two readings. */
export interface MeterChange {
  /** The meter name. */
  name: string;
  /** Value in the earlier reading, null when it was not there. */
  previous: number | null;
  /** Value in the later reading, null when it is not there any more. */
  current: number | null;
  /** How much the meter advanced, null when it cannot be known. */
  delta: number | null;
  /** See {@link MeterChangeKind}. */
  kind: MeterChangeKind;
}

/** The parts of a reading that {@link compareReadings} needs. */
export interface ComparableReading {
  /** sysUpTime in TimeTicks, null when unknown. */
  uptime: number | null;
  /** The meters of the reading. */
  meters: readonly Pick<MeterReading, "name" | "value" | "type">[];
}

/** The result of {@link compareReadings}. */
export interface ReadingComparison {
  /** True when sysUpTime went down between the readings. */
  rebooted: boolean;
  /** One entry per meter name seen in either reading. */
  changes: MeterChange[];
}

/**
 * Compares two readings of one device.
 *
 * @example
 * ```ts
 * const { rebooted, changes } = compareReadings(yesterday, today);
 * const printed = changes.find((c) => c.name === "Total Impressions")?.delta;
 * ```
 */
export function compareReadings(previous: ComparableReading, current: ComparableReading): ReadingComparison {
  const rebooted = previous.uptime !== null && current.uptime !== null && current.uptime < previous.uptime;
  const before = new Map(previous.meters.map((m) => [m.name, m]));
  const changes: MeterChange[] = [];
  for (const cur of current.meters) {
    const prev = before.get(cur.name);
    before.delete(cur.name);
    if (!prev) {
      changes.push({ name: cur.name, previous: null, current: cur.value, delta: null, kind: "new" });
      continue;
    }
    const base = { name: cur.name, previous: prev.value, current: cur.value };
    if (cur.value >= prev.value) {
      const delta = cur.value - prev.value;
      changes.push({ ...base, delta, kind: delta === 0 ? "unchanged" : "increase" });
    } else if (rebooted) {
      changes.push({ ...base, delta: cur.value, kind: "reset" });
    } else if (cur.type === "Counter32" && prev.type === "Counter32") {
      changes.push({ ...base, delta: cur.value + COUNTER32_MODULUS - prev.value, kind: "wrapped" });
    } else {
      changes.push({ ...base, delta: null, kind: "decreased" });
    }
  }
  for (const prev of before.values())
    changes.push({ name: prev.name, previous: prev.value, current: null, delta: null, kind: "missing" });
  return { rebooted, changes };
}
