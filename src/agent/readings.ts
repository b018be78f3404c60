/**
 * Pure mappers from what the MIB reader returns to what the agent keeps and sends:
 * a compact {@link PolledReading} (committed to the outbox at every poll), and from it a
 * {@link BillingRead} for a `BillingRequest` or a {@link SuppliesReport}.
 * @module
 */
import type { DeviceReading } from "../snmp/mib/reading.js";
import { occurs, textLength } from "../soap/contract-limits.js";
import type { BillingRead, DeviceInfo, Meter, SuppliesReport, SupplyReport } from "../soap/models.js";

/** The part of a device reading the agent keeps: identity, meters, supplies. */
export interface PolledReading {
  /**
   * Serial number; with the `mac` fallback identity, `MAC-` and the device's MAC address in
   * upper-case hex without separators (e.g. `MAC-0000AA112233`).
   */
  serial: string;
  /** `mac` when {@link serial} is the fallback identity (the device reported no serial). */
  identitySource?: "mac";
  /** Where it answered (`host:port`). */
  address: string;
  /**
   * When the device was read: the reading's own time (the agent stamps it with its clock). A
   * `Date` like every instant of the public models; {@link toBillingRead} and
   * {@link toSuppliesReport} carry it on, the wire as ISO 8601 UTC.
   */
  readAt: Date;
  /**
   * {@link PolledReading.readAt} in epoch ms.
   * @deprecated Use `readAt`; still set, removed in 0.3.
   */
  readAtMs: number;
  /** Vendor name, when known. */
  vendor?: string;
  /** Model, when known. */
  model?: string;
  /** MAC address, when known. */
  mac?: string;
  /** Named meters. */
  meters: Meter[];
  /** Supplies as the server wants them. */
  supplies: SupplyReport[];
}

const clip = (s: string, n: number): string => (s.length > n ? s.slice(0, n) : s);
// The contract's bounds (generated from the XSD): what is clipped here is never refused there.
const TOKEN = textLength("Token").max;
const SERIAL = textLength("Serial").max;
const TEXT = textLength("Text").max;
const METERS_PER_READ = occurs("BillingRead.Meter").max;
const SUPPLIES_PER_REPORT = occurs("SuppliesReport.Supply").max;

/** How a device that reports no serial is identified (the `devices.fallbackIdentity` setting). */
export type FallbackIdentity = "none" | "mac";

/**
 * The `mac` fallback identity of a device: `MAC-` and the MAC in upper-case hex without
 * separators; undefined without a MAC (or with the all-zero one some agents report).
 */
export function macIdentity(mac: string | null | undefined): string | undefined {
  const hex = (mac ?? "").replace(/[^0-9a-f]/gi, "").toUpperCase();
  return hex.length === 12 && !/^0+$/.test(hex) ? `MAC-${hex}` : undefined;
}

/**
 * Compacts a {@link DeviceReading}; `undefined` when the device reported no serial (it
 * cannot be billed or registered, so the agent reports it instead) — unless `fallback` is
 * `mac`, then the device is identified by {@link macIdentity} and marked `identitySource: "mac"`.
 *
 * `readAt` stamps the polled reading; default the reading's own `readAt`, so the polled
 * reading, and the billing read made from it, carry the time the device was read. Epoch ms
 * (a `number`) is deprecated, accepted until 0.3.
 */
export function toPolledReading(
  reading: DeviceReading,
  readAt: Date | number = reading.readAt,
  fallback: FallbackIdentity = "none",
): PolledReading | undefined {
  const readAtMs = typeof readAt === "number" ? readAt : readAt.getTime();
  const id = reading.identity;
  const reported = id.serial?.trim();
  const byMac = !reported && fallback === "mac" ? macIdentity(id.mac) : undefined;
  const serial = reported || byMac;
  if (!serial) return undefined;
  const meters: Meter[] = [];
  const seen = new Set<string>();
  for (const m of reading.meters) {
    if (!Number.isFinite(m.value) || m.value < 0 || !m.name) continue;
    const name = clip(m.name, TOKEN);
    if (seen.has(name)) continue;
    seen.add(name);
    meters.push({ name, value: Math.floor(m.value), ...(m.unit ? { unit: clip(m.unit, TOKEN) } : {}) });
  }
  const supplies: SupplyReport[] = reading.supplies.slice(0, SUPPLIES_PER_REPORT).map((s) => {
    const out: SupplyReport = { index: clip(s.index, TOKEN) };
    if (s.description) out.description = clip(s.description, TEXT);
    if (s.colorant) out.colorant = clip(s.colorant, TOKEN);
    if (s.typeName) out.type = clip(s.typeName, TOKEN);
    if (s.unitName) out.unit = clip(s.unitName, TOKEN);
    if (s.max !== null && Number.isInteger(s.max)) out.max = s.max;
    if (s.level !== null && Number.isInteger(s.level)) out.level = s.level;
    if (s.percent !== null) out.percent = s.percent;
    if (s.state) out.state = clip(String(s.state), TOKEN);
    return out;
  });
  return {
    serial: clip(serial, SERIAL),
    ...(byMac ? { identitySource: "mac" as const } : {}),
    address: reading.target,
    readAt: new Date(readAtMs),
    readAtMs,
    ...(id.vendor ? { vendor: clip(id.vendor, TEXT) } : {}),
    ...(id.model ? { model: clip(id.model, TEXT) } : {}),
    ...(id.mac ? { mac: id.mac } : {}),
    meters: meters.slice(0, METERS_PER_READ),
    supplies,
  };
}

/** The registration record of a polled device. */
export function toDeviceInfo(r: {
  serial: string;
  address: string;
  vendor?: string | null | undefined;
  model?: string | null | undefined;
  mac?: string | null | undefined;
}): DeviceInfo {
  return {
    serial: r.serial,
    address: r.address,
    ...(r.vendor ? { vendor: r.vendor } : {}),
    ...(r.model ? { model: r.model } : {}),
    ...(r.mac ? { mac: r.mac } : {}),
  };
}

const norm = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, "");

/**
 * The meters a `BillingRequest` asked for. Names match ignoring case, spaces and
 * punctuation (`TotalImpressions` = `Total Impressions`). An empty request, or one
 * naming no meter the device has, yields every meter: a read without meters is
 * schema-invalid, and a dealer would rather see too many meters than none.
 */
export function selectMeters(meters: readonly Meter[], requested: readonly string[]): Meter[] {
  if (requested.length === 0) return [...meters];
  const want = new Set(requested.map(norm));
  const picked = meters.filter((m) => want.has(norm(m.name)));
  return picked.length > 0 ? picked : [...meters];
}

/**
 * The billing read (without its key; the outbox assigns it) answering a request from a reading:
 * spread it into a {@link BillingRead} with a `key` (`readAt` is the reading's own time, a
 * `Date` like every time of the public models; JSON and the wire carry it as ISO 8601 UTC).
 */
export function toBillingRead(
  r: PolledReading,
  cycle: string,
  requested: readonly string[],
): Omit<BillingRead, "key"> {
  return {
    serial: r.serial,
    readAt: new Date(r.readAt.getTime()),
    cycle,
    meters: selectMeters(r.meters, requested),
  };
}

/** The supplies report (without its key) of a reading; `readAt` as in {@link toBillingRead}. */
export function toSuppliesReport(r: PolledReading): Omit<SuppliesReport, "key"> {
  return { serial: r.serial, readAt: new Date(r.readAt.getTime()), supplies: r.supplies };
}

/**
 * The {@link PolledReading} of a reading the outbox stored (the SQLite edge): its JSON payload
 * with `readAt` (and the deprecated `readAtMs`) taken from the stored epoch ms, since the
 * payload's `readAt` comes back from JSON as a string (and payloads written before 0.2 have
 * none).
 */
export function polledReadingOf(stored: { readAtMs: number; reading: unknown }): PolledReading {
  return {
    ...(stored.reading as PolledReading),
    readAt: new Date(stored.readAtMs),
    readAtMs: stored.readAtMs,
  };
}
