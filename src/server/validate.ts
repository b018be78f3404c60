/**
 * Pure validators of the arguments node-soap parsed from a request body. node-soap's server
 * checks nothing against the schema (and turns `12abc` into 12), so the server asks it for
 * raw text and checks every value here, against the limits of `wsdl/communication.wsdl`.
 * Each validator returns typed input or throws a {@link CommunicationFaultError}
 * (`INVALID_VALUE`, `TOO_MANY_ITEMS`) naming the field.
 * @module
 */

import { type OccursBounds, occurs, SIMPLE_TYPES, textLength } from "../soap/contract-limits.js";
import type {
  BillingRead,
  SyncInput as ClientSyncInput,
  DeviceInfo,
  DeviceStatusReport,
  Meter,
  RegisterDevicesInput,
  RegisterProxyInput,
  ReportSyncStatusInput,
  ServiceStatus,
  SubmitBillingReadsInput,
  SubmitSuppliesReportInput,
  SuppliesReport,
  SupplyReport,
} from "../soap/models.js";
import { CommunicationFaultError, shorten } from "./faults.js";

// The server validates into the same public models the client sends: one definition of the
// contract's shapes on both sides of the wire.
export type {
  RegisterDevicesInput,
  RegisterProxyInput,
  ReportSyncStatusInput,
  SubmitBillingReadsInput,
  SubmitSuppliesReportInput,
};
/** A meter value as stored: a non-negative integer. */
export type MeterInput = Meter;
/** A device as registered. */
export type DeviceInput = DeviceInfo;
/** A device state a client reports in `Sync`. */
export type DeviceStatusInput = DeviceStatusReport;
/** `Sync` arguments, with the (possibly empty) status list always present. */
export type ReceivedSyncInput = ClientSyncInput & { statuses: DeviceStatusReport[] };
/** A service confirmation in `ReportSyncStatus`. */
export type ServiceStatusInput = ServiceStatus;
/** One billing read. */
export type BillingReadInput = BillingRead;
/** One supply of a supplies report. */
export type SupplyInput = SupplyReport;
/** One supplies report. */
export type SuppliesReportInput = SuppliesReport;

type Args = Record<string, unknown>;

const invalid = (field: string, reason: string): CommunicationFaultError =>
  new CommunicationFaultError("INVALID_VALUE", `${field} ${reason}`, { field });

function asRecord(value: unknown, field: string): Args {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw invalid(field, "must be an element");
  return value as Args;
}

/** node-soap gives one object for one occurrence and an array for several. */
function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function items(parent: Args, name: string, field: string, bounds: OccursBounds): unknown[] {
  const { min, max } = bounds;
  const found = list(parent[name]);
  if (found.length < min) throw invalid(field, `is required (at least ${min})`);
  if (found.length > max)
    throw new CommunicationFaultError(
      "TOO_MANY_ITEMS",
      `${field}: ${found.length} items, at most ${max} allowed`,
      {
        field,
      },
    );
  return found;
}

/** Raw text of a simple element; `<X/>` and `<X></X>` give "". Attributes-only objects count as empty. */
function rawText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object" && !Array.isArray(value)) {
    const rec = value as Args;
    const keys = Object.keys(rec).filter((k) => k !== "attributes");
    if (keys.length === 0) return "";
    if (keys.length === 1 && keys[0] === "$value") return String(rec.$value);
  }
  throw invalid(field, "must be a single text value");
}

interface TextRule {
  min?: number;
  max: number;
}

function requiredText(parent: Args, name: string, field: string, rule: TextRule): string {
  const text = rawText(parent[name], field);
  if (text === undefined) throw invalid(field, "is required");
  return checkLength(text, field, rule);
}

function optionalText(parent: Args, name: string, field: string, rule: TextRule): string | undefined {
  const text = rawText(parent[name], field);
  return text === undefined ? undefined : checkLength(text, field, rule);
}

function checkLength(text: string, field: string, rule: TextRule): string {
  const min = rule.min ?? 0;
  if (text.length < min)
    throw invalid(field, min === 1 ? "must not be empty" : `must have at least ${min} characters`);
  if (text.length > rule.max) throw invalid(field, `is longer than ${rule.max} characters`);
  return text;
}

// The contract's string types, as generated from the XSD's facets (src/soap/contract-limits.ts).
const TOKEN: TextRule = textLength("Token");
const KEY: TextRule = textLength("IdempotencyKey");
const SERIAL: TextRule = textLength("Serial");
const TEXT: TextRule = textLength("Text");

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))?$/;

/**
 * Parses an `xsd:dateTime` strictly: calendar-valid, hours 0–23, year 1970–9999. A value
 * without a zone is read as UTC.
 * @example
 * ```ts
 * parseDateTime("2026-11-25T10:00:00Z", "Read[0].ReadAt"); // Date
 * parseDateTime("2026-02-30T10:00:00Z", "Read[0].ReadAt"); // throws INVALID_VALUE
 * ```
 */
export function parseDateTime(text: string, field: string): Date {
  const m = DATE_TIME.exec(text);
  if (!m) throw invalid(field, `is not an xsd:dateTime (got "${shorten(text, 40)}")`);
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (
    year < 1970 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    throw invalid(field, `is not a valid date and time (got "${shorten(text, 40)}")`);
  if (m[9] !== undefined && (Number(m[9]) > 14 || Number(m[10]) > 59))
    throw invalid(field, "has an invalid time zone");
  const date = new Date(m[8] === undefined ? `${text}Z` : text);
  if (Number.isNaN(date.getTime())) throw invalid(field, "is not a valid date and time");
  return date;
}

function requiredDate(parent: Args, name: string, field: string): Date {
  return parseDateTime(requiredText(parent, name, field, { min: 1, max: 64 }), field);
}

function optionalDate(parent: Args, name: string, field: string): Date | undefined {
  const text = optionalText(parent, name, field, { max: 64 });
  return text === undefined ? undefined : parseDateTime(text, field);
}

/**
 * Parses a meter value: an `xsd:long` ≥ 0, limited to 2^53−1 so every stored value is exact
 * in JSON.
 * @example
 * ```ts
 * parseMeterValue("12345", "Meter[0].Value"); // 12345
 * parseMeterValue("-3", "Meter[0].Value");    // throws INVALID_VALUE
 * ```
 */
export function parseMeterValue(text: string, field: string): number {
  if (/^-\d+$/.test(text)) throw invalid(field, "must not be negative");
  if (!/^\+?\d+$/.test(text)) throw invalid(field, `is not a whole number (got "${shorten(text, 30)}")`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw invalid(field, `exceeds ${Number.MAX_SAFE_INTEGER}`);
  return value;
}

function optionalInt(parent: Args, name: string, field: string): number | undefined {
  const text = optionalText(parent, name, field, { max: 16 });
  if (text === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(text)) throw invalid(field, `is not an integer (got "${shorten(text, 30)}")`);
  const value = Number(text);
  if (value < -2147483648 || value > 2147483647) throw invalid(field, "is outside the xsd:int range");
  return value;
}

function requiredBoolean(parent: Args, name: string, field: string): boolean {
  const text = requiredText(parent, name, field, { min: 1, max: 5 });
  if (text === "true" || text === "1") return true;
  if (text === "false" || text === "0") return false;
  throw invalid(field, "must be true or false");
}

function oneOf<T extends string>(parent: Args, name: string, field: string, allowed: readonly T[]): T {
  const text = requiredText(parent, name, field, { min: 1, max: 32 });
  if (!(allowed as readonly string[]).includes(text))
    throw invalid(field, `must be one of ${allowed.join(", ")}`);
  return text as T;
}

/** Adds `value` under `name` only when defined (`exactOptionalPropertyTypes`). */
function withOptional<T extends object, K extends string, V>(target: T, name: K, value: V | undefined): T {
  if (value !== undefined) (target as Record<string, unknown>)[name] = value;
  return target;
}

function args(value: unknown, operation: string): Args {
  if (value === undefined || value === null || value === "") return {};
  return asRecord(value, operation);
}

/** Validates `RegisterProxy` arguments. */
export function validateRegisterProxy(value: unknown): RegisterProxyInput {
  const a = args(value, "RegisterProxy");
  const out: RegisterProxyInput = {
    key: requiredText(a, "Key", "Key", KEY),
    proxyId: requiredText(a, "ProxyId", "ProxyId", TOKEN),
  };
  withOptional(out, "site", optionalText(a, "Site", "Site", TEXT));
  withOptional(out, "software", optionalText(a, "Software", "Software", TEXT));
  withOptional(out, "host", optionalText(a, "Host", "Host", TEXT));
  return out;
}

/** Validates `RegisterDevices` arguments (1–5000 devices, no serial twice). */
export function validateRegisterDevices(value: unknown): RegisterDevicesInput {
  const a = args(value, "RegisterDevices");
  const key = requiredText(a, "Key", "Key", KEY);
  const proxyId = requiredText(a, "ProxyId", "ProxyId", TOKEN);
  const seen = new Set<string>();
  const devices = items(a, "Device", "Device", occurs("RegisterDevices.Device")).map((raw, i) => {
    const f = `Device[${i}]`;
    const d = asRecord(raw, f);
    const serial = requiredText(d, "Serial", `${f}.Serial`, SERIAL);
    if (seen.has(serial)) throw invalid(`${f}.Serial`, "repeats a serial of the same message");
    seen.add(serial);
    const device: DeviceInput = { serial };
    for (const [prop, el] of [
      ["vendor", "Vendor"],
      ["model", "Model"],
      ["mac", "Mac"],
      ["address", "Address"],
    ] as const) {
      withOptional(device, prop, optionalText(d, el, `${f}.${el}`, TEXT));
    }
    return device;
  });
  return { key, proxyId, devices };
}

const DEVICE_STATES = SIMPLE_TYPES.DeviceState.enumeration;
const SERVICES = SIMPLE_TYPES.Service.enumeration;

/** Validates `Sync` arguments (0–5000 statuses). */
export function validateSync(value: unknown): ReceivedSyncInput {
  const a = args(value, "Sync");
  const proxyId = requiredText(a, "ProxyId", "ProxyId", TOKEN);
  const clientTime = requiredDate(a, "ClientTime", "ClientTime");
  const statuses = items(a, "Status", "Status", occurs("Sync.Status")).map((raw, i) => {
    const f = `Status[${i}]`;
    const s = asRecord(raw, f);
    const status: DeviceStatusInput = {
      serial: requiredText(s, "Serial", `${f}.Serial`, SERIAL),
      state: oneOf(s, "State", `${f}.State`, DEVICE_STATES),
    };
    withOptional(status, "lastReadAt", optionalDate(s, "LastReadAt", `${f}.LastReadAt`));
    withOptional(status, "detail", optionalText(s, "Detail", `${f}.Detail`, TEXT));
    return status;
  });
  return { proxyId, clientTime, statuses };
}

/** Validates `ReportSyncStatus` arguments (1–10000 statuses). */
export function validateReportSyncStatus(value: unknown): ReportSyncStatusInput {
  const a = args(value, "ReportSyncStatus");
  const key = requiredText(a, "Key", "Key", KEY);
  const proxyId = requiredText(a, "ProxyId", "ProxyId", TOKEN);
  const statuses = items(a, "Status", "Status", occurs("ReportSyncStatus.Status")).map((raw, i) => {
    const f = `Status[${i}]`;
    const s = asRecord(raw, f);
    const status: ServiceStatusInput = {
      serial: requiredText(s, "Serial", `${f}.Serial`, SERIAL),
      service: oneOf(s, "Service", `${f}.Service`, SERVICES),
      enabled: requiredBoolean(s, "Enabled", `${f}.Enabled`),
    };
    withOptional(status, "detail", optionalText(s, "Detail", `${f}.Detail`, TEXT));
    return status;
  });
  return { key, proxyId, statuses };
}

/** Validates `SubmitBillingReads` arguments (1–5000 reads of 1–64 meters, no key twice). */
export function validateSubmitBillingReads(value: unknown): SubmitBillingReadsInput {
  const a = args(value, "SubmitBillingReads");
  const proxyId = requiredText(a, "ProxyId", "ProxyId", TOKEN);
  const reads = items(a, "Read", "Read", occurs("SubmitBillingReads.Read")).map((raw, i) => {
    const f = `Read[${i}]`;
    const r = asRecord(raw, f);
    const read: BillingReadInput = {
      key: requiredText(r, "Key", `${f}.Key`, KEY),
      serial: requiredText(r, "Serial", `${f}.Serial`, SERIAL),
      readAt: requiredDate(r, "ReadAt", `${f}.ReadAt`),
      meters: items(r, "Meter", `${f}.Meter`, occurs("BillingRead.Meter")).map((rawMeter, j) => {
        const mf = `${f}.Meter[${j}]`;
        const m = asRecord(rawMeter, mf);
        const meter: MeterInput = {
          name: requiredText(m, "Name", `${mf}.Name`, TOKEN),
          value: parseMeterValue(requiredText(m, "Value", `${mf}.Value`, { min: 1, max: 32 }), `${mf}.Value`),
        };
        return withOptional(meter, "unit", optionalText(m, "Unit", `${mf}.Unit`, TOKEN));
      }),
    };
    return withOptional(read, "cycle", optionalText(r, "Cycle", `${f}.Cycle`, TOKEN));
  });
  return { proxyId, reads };
}

/** Validates `SubmitSuppliesReport` arguments (1–5000 reports of 0–64 supplies). */
export function validateSubmitSuppliesReport(value: unknown): SubmitSuppliesReportInput {
  const a = args(value, "SubmitSuppliesReport");
  const proxyId = requiredText(a, "ProxyId", "ProxyId", TOKEN);
  const reports = items(a, "Report", "Report", occurs("SubmitSuppliesReport.Report")).map((raw, i) => {
    const f = `Report[${i}]`;
    const r = asRecord(raw, f);
    return {
      key: requiredText(r, "Key", `${f}.Key`, KEY),
      serial: requiredText(r, "Serial", `${f}.Serial`, SERIAL),
      readAt: requiredDate(r, "ReadAt", `${f}.ReadAt`),
      supplies: items(r, "Supply", `${f}.Supply`, occurs("SuppliesReport.Supply")).map((rawSupply, j) => {
        const sf = `${f}.Supply[${j}]`;
        const s = asRecord(rawSupply, sf);
        const supply: SupplyInput = { index: requiredText(s, "Index", `${sf}.Index`, TOKEN) };
        withOptional(supply, "description", optionalText(s, "Description", `${sf}.Description`, TEXT));
        withOptional(supply, "colorant", optionalText(s, "Colorant", `${sf}.Colorant`, TOKEN));
        withOptional(supply, "type", optionalText(s, "Type", `${sf}.Type`, TOKEN));
        withOptional(supply, "unit", optionalText(s, "Unit", `${sf}.Unit`, TOKEN));
        withOptional(supply, "max", optionalInt(s, "Max", `${sf}.Max`));
        withOptional(supply, "level", optionalInt(s, "Level", `${sf}.Level`));
        withOptional(supply, "percent", optionalInt(s, "Percent", `${sf}.Percent`));
        withOptional(supply, "state", optionalText(s, "State", `${sf}.State`, TOKEN));
        return supply;
      }),
    };
  });
  return { proxyId, reports };
}

/**
 * The clock skew a read's `ReadAt` may be ahead of the server's time: the WS-Security
 * verifier's default Timestamp skew (60 s), so the two time checks agree.
 */
export const READ_AT_SKEW_MS = 60_000;

/**
 * Refuses reads stamped in the future: a `ReadAt` later than `receivedAt` + `maxSkewMs` cannot be
 * a reading of the past, and would land in a billing cycle that has not started (issue 19 item 8:
 * an agent on a scaled clock running ahead of real time). Throws `INVALID_VALUE` naming the first
 * such field (`Read[i].ReadAt` or `Report[i].ReadAt`, after `field`). Pure; the server calls it
 * with its own clock after the validators above.
 *
 * @example
 * ```ts
 * const input = validateSubmitBillingReads(args);
 * refuseFutureReads(input.reads, "Read", new Date()); // throws for a read 2 h ahead
 * ```
 */
export function refuseFutureReads(
  reads: ReadonlyArray<{
    /** When the device was read. */
    readAt: Date;
  }>,
  field: "Read" | "Report",
  receivedAt: Date,
  maxSkewMs: number = READ_AT_SKEW_MS,
): void {
  const limit = receivedAt.getTime() + maxSkewMs;
  reads.forEach((r, i) => {
    if (r.readAt.getTime() > limit)
      throw invalid(
        `${field}[${i}].ReadAt`,
        `${r.readAt.toISOString()} is later than the server's time ${receivedAt.toISOString()} by more than the allowed clock skew (${maxSkewMs / 1000} s): the client's clock runs ahead (set its clock; a scaled agent clock must not run ahead of real time)`,
      );
  });
}
