/**
 * What a site of x devices costs its network per day, month and year under a schedule,
 * built from measured exchanges (pure arithmetic, no I/O).
 * @module
 */
import { ValidationError } from "../errors.js";
import { fitLinear } from "./fit.js";
import type { ImpactPoint, ImpactReport, ImpactTransaction, SnmpPollMeasurement } from "./model.js";

/** How often each transaction happens. */
export interface TrafficSchedule {
  /** SNMP poll interval per device. */
  pollIntervalMs: number;
  /** Sync exchanges per day. */
  syncsPerDay: number;
  /** Billing cycles per year (12 monthly, 4 quarterly, 2 semi-annual). */
  billingCyclesPerYear: number;
  /** Supplies reports per day (0 when the supplies service is off). */
  suppliesReportsPerDay: number;
  /**
   * How often a device gets a full discovery reading instead of a steady poll (default
   * 86,400,000: daily, the agent's default). Used when the steady poll was measured.
   */
  fullReadingEveryMs?: number;
}

/**
 * The default schedule: the FAQ's 2-hourly SNMP polls and one sync a day, a monthly
 * billing cycle, and one supplies report a day sent in the same daily window.
 */
export const DEFAULT_SCHEDULE: Readonly<TrafficSchedule> = {
  pollIntervalMs: 2 * 3_600_000,
  syncsPerDay: 1,
  billingCyclesPerYear: 12,
  suppliesReportsPerDay: 1,
  fullReadingEveryMs: 86_400_000,
};

/** SNMP polls of one device per day, and their bytes. */
export interface SnmpDailyBytes {
  /** Polls per day (every `pollIntervalMs`). */
  pollsPerDay: number;
  /** Of those, full readings: one per `fullReadingEveryMs`, or every poll when no steady poll was measured. */
  fullReadingsPerDay: number;
  /** UDP payload bytes per device per day, both directions. */
  bytesPerDevicePerDay: number;
}

/**
 * What SNMP costs one device a day: `pollsPerDay` polls, of which one per
 * `fullReadingEveryMs` is a full reading and the others steady polls (when the steady poll
 * was measured; otherwise every poll counts as a full reading).
 *
 * @example
 * ```ts
 * snmpPerDevicePerDay({ requestBytes: 600, responseBytes: 4600, datagrams: 10, device: "xerox",
 *   steady: { requestBytes: 300, responseBytes: 400, datagrams: 2 } }, DEFAULT_SCHEDULE);
 * // { pollsPerDay: 12, fullReadingsPerDay: 1, bytesPerDevicePerDay: 5200 + 11 * 700 }
 * ```
 */
export function snmpPerDevicePerDay(
  snmp: SnmpPollMeasurement,
  schedule: TrafficSchedule = DEFAULT_SCHEDULE,
): SnmpDailyBytes {
  const pollsPerDay = DAY_MS / schedule.pollIntervalMs;
  const full = snmp.requestBytes + snmp.responseBytes;
  if (!snmp.steady)
    return { pollsPerDay, fullReadingsPerDay: pollsPerDay, bytesPerDevicePerDay: pollsPerDay * full };
  const everyMs = schedule.fullReadingEveryMs ?? DEFAULT_SCHEDULE.fullReadingEveryMs ?? DAY_MS;
  const fullReadingsPerDay = Math.min(pollsPerDay, DAY_MS / everyMs);
  const steady = snmp.steady.requestBytes + snmp.steady.responseBytes;
  return {
    pollsPerDay,
    fullReadingsPerDay,
    bytesPerDevicePerDay: Math.round(fullReadingsPerDay * full + (pollsPerDay - fullReadingsPerDay) * steady),
  };
}

/** Which bytes to add up: HTTP (headers + body) or what the TLS socket carried. */
export type TrafficLayer = "http" | "tls";

/** Average traffic of one site. */
export interface SiteTraffic {
  /** Devices on the site. */
  devices: number;
  /** SOAP bytes per day (daily sync, supplies, billing averaged over the year). */
  soapPerDay: number;
  /** SNMP bytes per day (UDP payloads), or null when not measured. */
  snmpPerDay: number | null;
  /** Total per day (SOAP only when SNMP was not measured). */
  perDay: number;
  /** Total per average month (365/12 days). */
  perMonth: number;
  /** Total per year (365 days). */
  perYear: number;
  /** Bytes once per lifetime: registrations, enabling services and confirming them. */
  oneTime: number;
}

const DAY_MS = 86_400_000;

/**
 * Average daily / monthly / yearly traffic of a site of `devices` devices.
 *
 * Billing replaces one daily sync per cycle by a sync whose response carries
 * `BillingRequest`s, then sends the reads; that is spread over the year's days.
 *
 * @throws ValidationError `INVALID_REPORT` when a needed vendor row was not measured.
 * @example
 * ```ts
 * const t = siteTraffic(report, 100);
 * console.log(t.perMonth);
 * ```
 */
export function siteTraffic(
  report: Pick<ImpactReport, "transactions" | "snmp">,
  devices: number,
  schedule: TrafficSchedule = DEFAULT_SCHEDULE,
  layer: TrafficLayer = "http",
): SiteTraffic {
  const row = (name: string): ImpactTransaction => {
    const t = report.transactions.find((tx) => tx.vendorRow === name);
    if (!t) throw new ValidationError("INVALID_REPORT", `the report has no "${name}" row`);
    return t;
  };
  const ex = (name: string): number => exchangeBytes(row(name), devices, layer);
  const dailySync = ex("Sync Request");
  const supplies = report.transactions.some((t) => t.vendorRow === "Supplies usage for replenishment")
    ? ex("Supplies usage for replenishment")
    : 0;
  const billingPerCycle = ex("Billing Transaction Request") - dailySync + ex("Billing Transaction Response");
  const soapPerDay =
    dailySync * schedule.syncsPerDay +
    supplies * schedule.suppliesReportsPerDay +
    (billingPerCycle * schedule.billingCyclesPerYear) / 365;
  const snmpPerDay =
    report.snmp === null ? null : devices * snmpPerDevicePerDay(report.snmp, schedule).bytesPerDevicePerDay;
  const perDay = soapPerDay + (snmpPerDay ?? 0);
  const oneTime =
    ex("Registration of the client (proxy)") +
    ex("Registration of devices") +
    ex("Sync Request Response") +
    ex("Sync Status");
  return {
    devices,
    soapPerDay: Math.round(soapPerDay),
    snmpPerDay: snmpPerDay === null ? null : Math.round(snmpPerDay),
    perDay: Math.round(perDay),
    perMonth: Math.round((perDay * 365) / 12),
    perYear: Math.round(perDay * 365),
    oneTime: Math.round(oneTime),
  };
}

/**
 * Request + response bytes of a transaction's exchange for `devices` devices: the
 * measured point when there is one, else the least-squares line through the points.
 */
export function exchangeBytes(
  transaction: ImpactTransaction,
  devices: number,
  layer: TrafficLayer = "http",
): number {
  const pick = (p: ImpactPoint): number | undefined =>
    layer === "http" ? p.requestBytes + p.responseBytes : p.tls && p.tls.requestBytes + p.tls.responseBytes;
  const exact = transaction.points.find((p) => p.devices === devices);
  const exactBytes = exact && pick(exact);
  if (exactBytes !== undefined) return exactBytes;
  const samples = transaction.points.flatMap((p) => {
    const bytes = pick(p);
    return bytes === undefined ? [] : [{ devices: p.devices, bytes }];
  });
  if (samples.length === 0) {
    throw new ValidationError("INVALID_REPORT", `"${transaction.vendorRow}" has no ${layer} measurement`);
  }
  const line = fitLinear(samples);
  return line.perDevice * devices + line.fixed;
}

/**
 * Formats a byte count for people: `812 B`, `15.2 kB`, `3.41 MB`, `1.20 GB` (powers of 1000,
 * as network volumes are billed).
 */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  if (i === 0) return `${Math.round(v)} B`;
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[i]}`;
}
