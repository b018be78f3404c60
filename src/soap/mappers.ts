/**
 * Pure mappers between the public models (`models.ts`) and the generated wire shapes
 * (`generated/`). Requests are validated against the contract's bounds here, so a bad
 * value fails with a `ValidationError` naming the field before any byte is sent.
 * Object literals list members in the schema's xsd:sequence order: the serializer
 * writes them in key order.
 * @module
 */
import type {
  RegisterProxyResponse,
  SyncResponse,
  Ack as WireAck,
  BillingReadInput as WireBillingRead,
  BillingRequest as WireBillingRequest,
  DeviceInput as WireDevice,
  DeviceStatusInput as WireDeviceStatus,
  MeterInput as WireMeter,
  RegisterDevicesInput as WireRegisterDevices,
  RegisterProxyInput as WireRegisterProxy,
  ReportSyncStatusInput as WireReportSyncStatus,
  ServiceStatusInput as WireServiceStatus,
  SubmitBillingReadsInput as WireSubmitBillingReads,
  SubmitSuppliesReportInput as WireSubmitSuppliesReport,
  SuppliesReportInput as WireSuppliesReport,
  SupplyInput as WireSupply,
  SyncInput as WireSync,
} from "../../generated/communication/index.js";
import { TransportError, ValidationError } from "../errors.js";
import {
  type BoundedTextType,
  type OccursBounds,
  occurs,
  SIMPLE_TYPES,
  textLength,
} from "./contract-limits.js";
import type {
  Ack,
  BillingRead,
  ClientConfiguration,
  DeviceInfo,
  DeviceStatusReport,
  Directive,
  Meter,
  RegisterDevicesInput,
  RegisterProxyInput,
  RegisterProxyResult,
  ReportSyncStatusInput,
  ServiceName,
  ServiceStatus,
  SubmitBillingReadsInput,
  SubmitSuppliesReportInput,
  SuppliesReport,
  SupplyReport,
  SyncInput,
  SyncResult,
} from "./models.js";

// ---------- request side: public → wire ----------

function invalid(field: string, reason: string): ValidationError {
  return new ValidationError("INVALID_VALUE", `${field} ${reason}`);
}

function text(value: unknown, field: string, type: BoundedTextType): string {
  const { min, max } = textLength(type);
  if (typeof value !== "string") throw invalid(field, `must be a string, got ${typeof value}`);
  if (value.length < min)
    throw invalid(field, min === 1 ? "must not be empty" : `must have at least ${min} characters`);
  if (value.length > max) throw invalid(field, `must have at most ${max} characters (has ${value.length})`);
  return value;
}

function optionalText(value: string | undefined, field: string, type: BoundedTextType): string | undefined {
  return value === undefined ? undefined : text(value, field, type);
}

const key = (v: unknown, f: string) => text(v, f, "IdempotencyKey");
const token = (v: unknown, f: string) => text(v, f, "Token");
const serial = (v: unknown, f: string) => text(v, f, "Serial");
const optToken = (v: string | undefined, f: string) => optionalText(v, f, "Token");
const optText = (v: string | undefined, f: string) => optionalText(v, f, "Text");

function list<T>(value: readonly T[] | undefined, field: string, bounds: OccursBounds): readonly T[] {
  const { min, max } = bounds;
  if (value === undefined) {
    if (min > 0) throw invalid(field, "is required");
    return [];
  }
  if (!Array.isArray(value)) throw invalid(field, "must be an array");
  if (value.length < min) throw invalid(field, `must have at least ${min} item${min === 1 ? "" : "s"}`);
  if (value.length > max) throw invalid(field, `must have at most ${max} items (has ${value.length})`);
  return value;
}

function int32(value: number | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < -2_147_483_648 || value > 2_147_483_647) {
    throw invalid(field, `must be a 32-bit integer, got ${value}`);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T))
    throw invalid(field, `must be one of ${allowed.join(", ")}, got ${String(value)}`);
  return value as T;
}

/**
 * An xsd:dateTime in UTC with `Z`; whole seconds drop the `.000` (4 bytes per date on
 * every read of every device).
 * @example
 * ```ts
 * toWireDateTime(new Date(Date.UTC(2026, 10, 25, 18, 0)), "readAt"); // "2026-11-25T18:00:00Z"
 * ```
 */
export function toWireDateTime(value: Date, field: string): string {
  if (!(value instanceof Date)) throw invalid(field, "must be a Date");
  if (Number.isNaN(value.getTime())) throw invalid(field, "is an invalid Date");
  const iso = value.toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}

function meterToWire(m: Meter, f: string): WireMeter {
  if (!Number.isSafeInteger(m.value) || m.value < SIMPLE_TYPES.MeterValue.minInclusive) {
    throw invalid(`${f}.value`, `must be a non-negative integer, got ${m.value}`);
  }
  const out: WireMeter = { Name: token(m.name, `${f}.name`), Value: String(m.value) };
  const unit = optToken(m.unit, `${f}.unit`);
  if (unit !== undefined) out.Unit = unit;
  return out;
}

function billingReadToWire(r: BillingRead, f: string): WireBillingRead {
  const head = {
    Key: key(r.key, `${f}.key`),
    Serial: serial(r.serial, `${f}.serial`),
    ReadAt: toWireDateTime(r.readAt, `${f}.readAt`),
  };
  const cycle = optToken(r.cycle, `${f}.cycle`);
  const meters = list(r.meters, `${f}.meters`, occurs("BillingRead.Meter")).map((m, i) =>
    meterToWire(m, `${f}.meters[${i}]`),
  );
  return cycle === undefined ? { ...head, Meter: meters } : { ...head, Cycle: cycle, Meter: meters };
}

function supplyToWire(s: SupplyReport, f: string): WireSupply {
  const out: WireSupply = { Index: token(s.index, `${f}.index`) };
  const set = <K extends keyof WireSupply>(k: K, v: WireSupply[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set("Description", optText(s.description, `${f}.description`));
  set("Colorant", optToken(s.colorant, `${f}.colorant`));
  set("Type", optToken(s.type, `${f}.type`));
  set("Unit", optToken(s.unit, `${f}.unit`));
  set("Max", int32(s.max, `${f}.max`));
  set("Level", int32(s.level, `${f}.level`));
  set("Percent", int32(s.percent, `${f}.percent`));
  set("State", optToken(s.state, `${f}.state`));
  return out;
}

function suppliesReportToWire(r: SuppliesReport, f: string): WireSuppliesReport {
  return {
    Key: key(r.key, `${f}.key`),
    Serial: serial(r.serial, `${f}.serial`),
    ReadAt: toWireDateTime(r.readAt, `${f}.readAt`),
    Supply: list(r.supplies, `${f}.supplies`, occurs("SuppliesReport.Supply")).map((s, i) =>
      supplyToWire(s, `${f}.supplies[${i}]`),
    ),
  };
}

function deviceToWire(d: DeviceInfo, f: string): WireDevice {
  const out: WireDevice = { Serial: serial(d.serial, `${f}.serial`) };
  const vendor = optText(d.vendor, `${f}.vendor`);
  const model = optText(d.model, `${f}.model`);
  const mac = optText(d.mac, `${f}.mac`);
  const address = optText(d.address, `${f}.address`);
  if (vendor !== undefined) out.Vendor = vendor;
  if (model !== undefined) out.Model = model;
  if (mac !== undefined) out.Mac = mac;
  if (address !== undefined) out.Address = address;
  return out;
}

const DEVICE_STATES = SIMPLE_TYPES.DeviceState.enumeration;
const SERVICES = SIMPLE_TYPES.Service.enumeration;

function deviceStatusToWire(s: DeviceStatusReport, f: string): WireDeviceStatus {
  const out: WireDeviceStatus = {
    Serial: serial(s.serial, `${f}.serial`),
    State: oneOf(s.state, `${f}.state`, DEVICE_STATES),
  };
  if (s.lastReadAt !== undefined) out.LastReadAt = toWireDateTime(s.lastReadAt, `${f}.lastReadAt`);
  const detail = optText(s.detail, `${f}.detail`);
  if (detail !== undefined) out.Detail = detail;
  return out;
}

function serviceStatusToWire(s: ServiceStatus, f: string): WireServiceStatus {
  if (typeof s.enabled !== "boolean") throw invalid(`${f}.enabled`, "must be a boolean");
  const out: WireServiceStatus = {
    Serial: serial(s.serial, `${f}.serial`),
    Service: oneOf(s.service, `${f}.service`, SERVICES),
    Enabled: s.enabled,
  };
  const detail = optText(s.detail, `${f}.detail`);
  if (detail !== undefined) out.Detail = detail;
  return out;
}

/** `RegisterProxy` request body. */
export function registerProxyToWire(input: RegisterProxyInput): WireRegisterProxy {
  const out: WireRegisterProxy = { Key: key(input.key, "key"), ProxyId: token(input.proxyId, "proxyId") };
  const site = optText(input.site, "site");
  const software = optText(input.software, "software");
  const host = optText(input.host, "host");
  if (site !== undefined) out.Site = site;
  if (software !== undefined) out.Software = software;
  if (host !== undefined) out.Host = host;
  return out;
}

/** `RegisterDevices` request body. */
export function registerDevicesToWire(input: RegisterDevicesInput): WireRegisterDevices {
  return {
    Key: key(input.key, "key"),
    ProxyId: token(input.proxyId, "proxyId"),
    Device: list(input.devices, "devices", occurs("RegisterDevices.Device")).map((d, i) =>
      deviceToWire(d, `devices[${i}]`),
    ),
  };
}

/** `Sync` request body. */
export function syncToWire(input: SyncInput): WireSync {
  const out: WireSync = {
    ProxyId: token(input.proxyId, "proxyId"),
    ClientTime: toWireDateTime(input.clientTime, "clientTime"),
  };
  const statuses = list(input.statuses, "statuses", occurs("Sync.Status"));
  if (statuses.length > 0) out.Status = statuses.map((s, i) => deviceStatusToWire(s, `statuses[${i}]`));
  return out;
}

/** `ReportSyncStatus` request body. */
export function reportSyncStatusToWire(input: ReportSyncStatusInput): WireReportSyncStatus {
  return {
    Key: key(input.key, "key"),
    ProxyId: token(input.proxyId, "proxyId"),
    Status: list(input.statuses, "statuses", occurs("ReportSyncStatus.Status")).map((s, i) =>
      serviceStatusToWire(s, `statuses[${i}]`),
    ),
  };
}

/** `SubmitBillingReads` request body. */
export function submitBillingReadsToWire(input: SubmitBillingReadsInput): WireSubmitBillingReads {
  return {
    ProxyId: token(input.proxyId, "proxyId"),
    Read: list(input.reads, "reads", occurs("SubmitBillingReads.Read")).map((r, i) =>
      billingReadToWire(r, `reads[${i}]`),
    ),
  };
}

/** `SubmitSuppliesReport` request body. */
export function submitSuppliesReportToWire(input: SubmitSuppliesReportInput): WireSubmitSuppliesReport {
  return {
    ProxyId: token(input.proxyId, "proxyId"),
    Report: list(input.reports, "reports", occurs("SubmitSuppliesReport.Report")).map((r, i) =>
      suppliesReportToWire(r, `reports[${i}]`),
    ),
  };
}

// ---------- response side: wire → public ----------
// The codec hands over leaves typed by the schema (numbers for xsd:int, booleans, the
// lexical string of an xsd:dateTime); these readers also accept the lexical strings and refuse
// anything else, and a missing required element, as a bad response.

function badResponse(field: string, reason: string): TransportError {
  return new TransportError("BAD_RESPONSE", `the server's response ${field} ${reason}`, { retryable: false });
}

function readString(value: unknown, field: string): string {
  if (typeof value === "string") return value;
  if (value === undefined) throw badResponse(field, "is missing");
  throw badResponse(field, "is not text");
}

function readInt(value: unknown, field: string): number {
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^[+-]?\d+$/.test(value.trim())
        ? Number(value)
        : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw badResponse(field, value === undefined ? "is missing" : "is not an integer");
  return n;
}

function readBoolean(value: unknown, field: string): boolean {
  if (typeof value === "boolean") return value;
  const s = typeof value === "string" ? value.trim() : undefined;
  if (s === "true" || s === "1") return true;
  if (s === "false" || s === "0") return false;
  throw badResponse(field, value === undefined ? "is missing" : "is not a boolean");
}

/**
 * Parses an xsd:dateTime. A value without a zone is read as UTC (our server always sends `Z`).
 * @example
 * ```ts
 * fromWireDateTime("2026-11-25T18:00:00Z", "serverTime").toISOString(); // "2026-11-25T18:00:00.000Z"
 * ```
 */
export function fromWireDateTime(value: unknown, field: string): Date {
  const s = readString(value, field).trim();
  const m = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(s);
  const date = m ? new Date(m[2] === undefined ? `${s}Z` : s) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw badResponse(field, `is not an xsd:dateTime (${s.slice(0, 40)})`);
  return date;
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** `RegisterProxyResponse` → {@link RegisterProxyResult}. */
export function registerProxyResultFromWire(wire: RegisterProxyResponse): RegisterProxyResult {
  return {
    proxyId: readString(wire.ProxyId, "ProxyId"),
    serverTime: fromWireDateTime(wire.ServerTime, "ServerTime"),
    duplicate: readBoolean(wire.Duplicate, "Duplicate"),
  };
}

/** The `Ack` of `RegisterDevices`, `ReportSyncStatus`, `SubmitBillingReads`, `SubmitSuppliesReport`. */
export function ackFromWire(wire: { Ack?: WireAck }): Ack {
  const ack = wire.Ack;
  if (ack === undefined || typeof ack !== "object") throw badResponse("Ack", "is missing");
  return {
    accepted: readInt(ack.Accepted, "Ack.Accepted"),
    duplicates: readInt(ack.Duplicates, "Ack.Duplicates"),
  };
}

function serviceFromWire(value: unknown, field: string): ServiceName {
  const s = readString(value, field);
  if (s !== "billing" && s !== "supplies")
    throw badResponse(field, `is not a known service (${s.slice(0, 40)})`);
  return s;
}

function billingRequestFromWire(b: WireBillingRequest, f: string): Directive {
  return {
    kind: "BillingRequest",
    serial: readString(b.Serial, `${f}.Serial`),
    cycle: readString(b.Cycle, `${f}.Cycle`),
    meters: asArray(b.Meter).map((m, i) => readString(m, `${f}.Meter[${i}]`)),
    due: fromWireDateTime(b.Due, `${f}.Due`),
  };
}

/** `SyncResponse` → {@link SyncResult}; directives in wire order. */
export function syncResultFromWire(wire: SyncResponse): SyncResult {
  const result: SyncResult = { serverTime: fromWireDateTime(wire.ServerTime, "ServerTime"), directives: [] };
  const c = wire.Configure;
  if (c !== undefined && typeof c === "object") {
    const configure: ClientConfiguration = {};
    if (c.PollIntervalSeconds !== undefined) {
      configure.pollIntervalMs = readInt(c.PollIntervalSeconds, "Configure.PollIntervalSeconds") * 1000;
    }
    if (c.WindowStart !== undefined)
      configure.windowStart = readString(c.WindowStart, "Configure.WindowStart");
    if (c.WindowEnd !== undefined) configure.windowEnd = readString(c.WindowEnd, "Configure.WindowEnd");
    result.configure = configure;
  }
  asArray(wire.EnableService).forEach((e, i) => {
    const f = `EnableService[${i}]`;
    result.directives.push({
      kind: "EnableService",
      serial: readString(e.Serial, `${f}.Serial`),
      service: serviceFromWire(e.Service, `${f}.Service`),
    });
  });
  asArray(wire.BillingRequest).forEach((b, i) => {
    result.directives.push(billingRequestFromWire(b, `BillingRequest[${i}]`));
  });
  asArray(wire.SuppliesRequest).forEach((s, i) => {
    const f = `SuppliesRequest[${i}]`;
    result.directives.push({
      kind: "SuppliesRequest",
      serial: readString(s.Serial, `${f}.Serial`),
      intervalMs: readInt(s.IntervalSeconds, `${f}.IntervalSeconds`) * 1000,
    });
  });
  asArray(wire.Disable).forEach((d, i) => {
    const f = `Disable[${i}]`;
    const directive: Directive = { kind: "Disable", serial: readString(d.Serial, `${f}.Serial`) };
    if (d.Reason !== undefined) directive.reason = readString(d.Reason, `${f}.Reason`);
    result.directives.push(directive);
  });
  return result;
}
