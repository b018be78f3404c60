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
  vendor?: string;
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
  description?: string;
  colorant?: string;
  type?: string;
  unit?: string;
  max?: number;
  level?: number;
  percent?: number;
  state?: string;
}

/** The supplies of one device at one time, stored once per `key`. */
export interface SuppliesReport {
  /** Idempotency key, 8–128 characters. */
  key: string;
  serial: string;
  readAt: Date;
  supplies: SupplyReport[];
}

/** What the client knows of a device's health since the last sync. */
export type DeviceState = "ok" | "silent" | "replaced" | "disabled";

/** A device status sent with `Sync`. */
export interface DeviceStatusReport {
  serial: string;
  state: DeviceState;
  lastReadAt?: Date;
  detail?: string;
}

/** The services a server can switch on per device. */
export type ServiceName = "billing" | "supplies";

/** The client's confirmation of a service state for a device (`ReportSyncStatus`). */
export interface ServiceStatus {
  serial: string;
  service: ServiceName;
  enabled: boolean;
  detail?: string;
}

/** Something the server asks the client to do, carried by a `Sync` response. */
export type Directive =
  | { kind: "EnableService"; serial: string; service: ServiceName }
  | { kind: "BillingRequest"; serial: string; cycle: string; meters: string[]; due: Date }
  | { kind: "SuppliesRequest"; serial: string; intervalMs: number }
  | { kind: "Disable"; serial: string; reason?: string };

/** Client-wide settings a `Sync` response may carry. */
export interface ClientConfiguration {
  pollIntervalMs?: number;
  /** Start of the daily transmission window, `HH:MM` local time. */
  windowStart?: string;
  /** End of the daily transmission window, `HH:MM` local time. */
  windowEnd?: string;
}

/** The answer to `Sync`. */
export interface SyncResult {
  serverTime: Date;
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
  proxyId: string;
  serverTime: Date;
  /** True when the server already knew this registration key. */
  duplicate: boolean;
}

/** Input of `RegisterProxy`. */
export interface RegisterProxyInput {
  /** Idempotency key, 8–128 characters. */
  key: string;
  proxyId: string;
  site?: string;
  software?: string;
  host?: string;
}

/** Input of `RegisterDevices`. */
export interface RegisterDevicesInput {
  key: string;
  proxyId: string;
  /** 1–5000 devices. */
  devices: DeviceInfo[];
}

/** Input of `Sync`. */
export interface SyncInput {
  proxyId: string;
  clientTime: Date;
  statuses?: DeviceStatusReport[];
}

/** Input of `ReportSyncStatus`. */
export interface ReportSyncStatusInput {
  key: string;
  proxyId: string;
  /** 1–10000 statuses. */
  statuses: ServiceStatus[];
}

/** Input of `SubmitBillingReads`. */
export interface SubmitBillingReadsInput {
  proxyId: string;
  /** 1–5000 reads. */
  reads: BillingRead[];
}

/** Input of `SubmitSuppliesReport`. */
export interface SubmitSuppliesReportInput {
  proxyId: string;
  /** 1–5000 reports. */
  reports: SuppliesReport[];
}

/** The six operations of the Communication Service. */
export type OperationName =
  | "RegisterProxy"
  | "RegisterDevices"
  | "Sync"
  | "ReportSyncStatus"
  | "SubmitBillingReads"
  | "SubmitSuppliesReport";

/** What every result reports about the exchange that produced it. */
export interface ResponseMetadata {
  operation: OperationName;
  /** Attempts made, 1 when the first one succeeded. */
  attempts: number;
  /** Bytes of the last attempt's request on the wire: request line, headers and body as sent (gzipped size when gzipped). */
  requestBytes: number;
  /** Bytes of the last attempt's response on the wire: status line, headers and body as received. */
  responseBytes: number;
  httpStatus: number;
}

/** A result with its {@link ResponseMetadata}. */
export type WithMetadata<T> = T & { $metadata: ResponseMetadata };

/** One attempt of one operation, reported to `onExchange`. */
export interface ExchangeRecord {
  operation: OperationName;
  /** 1 for the first attempt. */
  attempt: number;
  /** Request bytes on the wire; 0 when the request was never written (connection refused). */
  requestBytes: number;
  /** Response bytes on the wire; 0 when no response was read. */
  responseBytes: number;
  /** HTTP status, 0 when there was none. */
  status: number;
  durationMs: number;
  /** The failure of this attempt, when it failed. */
  error?: Error;
}
