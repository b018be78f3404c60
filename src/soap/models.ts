/**
 * Public models of the Communication Service. These are what callers of
 * {@link CommunicationClient} build and receive; the SOAP wire shapes in `generated/`
 * stay private and are mapped to and from these by pure functions (`mappers.ts`).
 * @module
 */

/** A device as registered with the server (`RegisterDevices`). */
export interface DeviceInfo {
  /** Device serial number, 1–64 characters. */
  serial: string;
  /** Manufacturer, e.g. `Xerox`. */
  vendor?: string;
  /** Model name, e.g. `AltaLink C8045`. */
  model?: string;
  /** MAC address as the client read it, e.g. `00:11:22:33:44:55`. */
  mac?: string;
  /** Network address the client polls the device at. */
  address?: string;
}

/** A named meter value (meters are not a fixed set: Black, Color, Total, Large variants, model-specific). */
export interface Meter {
  /** Meter name, e.g. `TotalImpressions`. */
  name: string;
  /** Non-negative integer count. */
  value: number;
  /** Unit, e.g. `impressions`, `sheets`. */
  unit?: string;
}

/** One reading of a device's billing meters, stored once per `key` at the server. */
export interface BillingRead {
  /** Idempotency key, 8–128 characters, repeated unchanged on every resend. */
  key: string;
  /** Serial number of the device read. */
  serial: string;
  /** When the device was read. */
  readAt: Date;
  /** The billing cycle this read answers, e.g. `2026-11`, `2026-Q4`. */
  cycle?: string;
  /** 1–64 meters. */
  meters: Meter[];
}

/** One supply (toner, drum, waste box…) of a supplies report. */
export interface SupplyReport {
  /** Printer-MIB prtMarkerSuppliesIndex (or another stable index). */
  index: string;
  /** prtMarkerSuppliesDescription, e.g. `Black Toner Cartridge`. */
  description?: string;
  /** Colorant, e.g. `black`, `cyan`. */
  colorant?: string;
  /** Supply type, e.g. `toner`, `drum`, `wasteToner`. */
  type?: string;
  /** Unit of `max` and `level`, e.g. `percent`, `impressions`. */
  unit?: string;
  /** Capacity in `unit`; Printer-MIB -1 (other) / -2 (unknown) pass through. */
  max?: number;
  /** Current level in `unit`; Printer-MIB -1 / -2 / -3 (some remaining) pass through. */
  level?: number;
  /** Level as 0–100 when it can be computed. */
  percent?: number;
  /** Supply state, e.g. `ok`, `low`, `empty`. */
  state?: string;
}

/** The supplies of one device at one time, stored once per `key`. */
export interface SuppliesReport {
  /** Idempotency key, 8–128 characters. */
  key: string;
  /** Serial number of the device read. */
  serial: string;
  /** When the device was read. */
  readAt: Date;
  /** 0–64 supplies. */
  supplies: SupplyReport[];
}

/** What the client knows of a device's health since the last sync. */
export type DeviceState = "ok" | "silent" | "replaced" | "disabled";

/** A device status sent with `Sync`. */
export interface DeviceStatusReport {
  /** Device serial number. */
  serial: string;
  /** Its state: `silent` after several failed polls (the "missing meters" dealers chase). */
  state: DeviceState;
  /** Time of the last successful read. */
  lastReadAt?: Date;
  /** Free text, at most 255 characters. */
  detail?: string;
}

/** The services a server can switch on per device. */
export type ServiceName = "billing" | "supplies";

/** The client's confirmation of a service state for a device (`ReportSyncStatus`). */
export interface ServiceStatus {
  /** Device serial number. */
  serial: string;
  /** The service confirmed. */
  service: ServiceName;
  /** Whether the client now runs the service for the device. */
  enabled: boolean;
  /** Free text, at most 255 characters (e.g. why it could not be enabled). */
  detail?: string;
}

/** Switch a service on for a device; the client confirms with `reportSyncStatus`. */
export interface EnableServiceDirective {
  /** Discriminant. */
  kind: "EnableService";
  /** Device serial number. */
  serial: string;
  /** The service to run. */
  service: ServiceName;
}

/** Send a billing read for a device and cycle before `due`. */
export interface BillingRequestDirective {
  /** Discriminant. */
  kind: "BillingRequest";
  /** Device serial number. */
  serial: string;
  /** Cycle id: `2026-11` (monthly), `2026-Q4` (quarterly), `2026-H2` (semi-annual). */
  cycle: string;
  /** Meter names wanted; empty means every billing meter. */
  meters: string[];
  /** When the read is due. */
  due: Date;
}

/** Send supplies reports for a device every `intervalMs`. */
export interface SuppliesRequestDirective {
  /** Discriminant. */
  kind: "SuppliesRequest";
  /** Device serial number. */
  serial: string;
  /** Report interval. */
  intervalMs: number;
}

/** Stop reading a device. */
export interface DisableDirective {
  /** Discriminant. */
  kind: "Disable";
  /** Device serial number. */
  serial: string;
  /** Why, when the server says. */
  reason?: string;
}

/** Something the server asks the client to do, carried by a `Sync` response. */
export type Directive =
  | EnableServiceDirective
  | BillingRequestDirective
  | SuppliesRequestDirective
  | DisableDirective;

/** Client-wide settings a `Sync` response may carry. */
export interface ClientConfiguration {
  /** How often to poll devices. */
  pollIntervalMs?: number;
  /** Start of the daily transmission window, `HH:MM` local time. */
  windowStart?: string;
  /** End of the daily transmission window, `HH:MM` local time. */
  windowEnd?: string;
}

/** The answer to `Sync`. */
export interface SyncResult {
  /** The server's clock when it answered. */
  serverTime: Date;
  /** Client-wide settings, when the server sent them. */
  configure?: ClientConfiguration;
  /** Directives in wire order: EnableService, BillingRequest, SuppliesRequest, Disable. */
  directives: Directive[];
}

/** The server's acknowledgement of a batch. */
export interface Ack {
  /** Records stored by this call. */
  accepted: number;
  /** Records the server already had (resends). */
  duplicates: number;
}

/** The answer to `RegisterProxy`. */
export interface RegisterProxyResult {
  /** The proxy id the server registered. */
  proxyId: string;
  /** The server's clock when it answered. */
  serverTime: Date;
  /** True when the server already knew this registration key. */
  duplicate: boolean;
}

/** Input of `RegisterProxy`. */
export interface RegisterProxyInput {
  /** Idempotency key, 8–128 characters. */
  key: string;
  /** This client's id, 1–128 characters. */
  proxyId: string;
  /** Customer site name. */
  site?: string;
  /** Client software and version. */
  software?: string;
  /** Host name of the machine the client runs on. */
  host?: string;
}

/** Input of `RegisterDevices`. */
export interface RegisterDevicesInput {
  /** Idempotency key, 8–128 characters. */
  key: string;
  /** This client's id. */
  proxyId: string;
  /** 1–5000 devices. */
  devices: DeviceInfo[];
}

/** Input of `Sync`. */
export interface SyncInput {
  /** This client's id. */
  proxyId: string;
  /** The client's clock (the server can spot skew). */
  clientTime: Date;
  /** Device states since the last sync, 0–5000. */
  statuses?: DeviceStatusReport[];
}

/** Input of `ReportSyncStatus`. */
export interface ReportSyncStatusInput {
  /** Idempotency key, 8–128 characters. */
  key: string;
  /** This client's id. */
  proxyId: string;
  /** 1–10000 statuses. */
  statuses: ServiceStatus[];
}

/** Input of `SubmitBillingReads`. */
export interface SubmitBillingReadsInput {
  /** This client's id. */
  proxyId: string;
  /** 1–5000 reads. */
  reads: BillingRead[];
}

/** Input of `SubmitSuppliesReport`. */
export interface SubmitSuppliesReportInput {
  /** This client's id. */
  proxyId: string;
  /** 1–5000 reports. */
  reports: SuppliesReport[];
}

/** The six operations of the Communication Service (wsdl/communication.wsdl), in contract order. */
export const OPERATION_NAMES = [
  "RegisterProxy",
  "RegisterDevices",
  "Sync",
  "ReportSyncStatus",
  "SubmitBillingReads",
  "SubmitSuppliesReport",
] as const;

/** One operation of the Communication Service. */
export type OperationName = (typeof OPERATION_NAMES)[number];

/**
 * What every result reports about the exchange that produced it. `Op` is the operation-name
 * union of the client (the Communication Service's by default; a generated client's own).
 */
export interface ResponseMetadata<Op extends string = OperationName> {
  /** The WSDL operation called. */
  operation: Op;
  /** Attempts made, 1 when the first one succeeded. */
  attempts: number;
  /** Bytes of the last attempt's request on the wire: request line, headers and body as sent (gzipped size when gzipped). */
  requestBytes: number;
  /** Bytes of the last attempt's response on the wire: status line, headers and body as received. */
  responseBytes: number;
  /** HTTP status of the last attempt's answer. */
  httpStatus: number;
}

/** A result with its {@link ResponseMetadata}. */
export type WithMetadata<T, Op extends string = OperationName> = T & {
  /** How the result was obtained: attempts, bytes, status. */
  $metadata: ResponseMetadata<Op>;
};

/** One attempt of one operation, reported to `onExchange`. */
export interface ExchangeRecord<Op extends string = OperationName> {
  /** The WSDL operation called. */
  operation: Op;
  /** 1 for the first attempt. */
  attempt: number;
  /** Request bytes on the wire; 0 when the request was never written (connection refused). */
  requestBytes: number;
  /** Response bytes on the wire; 0 when no response was read. */
  responseBytes: number;
  /** HTTP status, 0 when there was none. */
  status: number;
  /** Wall time of the attempt, from signing to the last byte read. */
  durationMs: number;
  /** The failure of this attempt, when it failed. */
  error?: Error;
}
