/**
 * The agent's status as JSON: what `esol agent status` prints (read from the outbox file),
 * and the richer report the agent's `/status.json` serves while it runs (plus devices).
 * @module
 */
import type { AgentAlarm } from "./alarms.js";
import type { AgentConfig } from "./config.js";
import type { KnownDevice } from "./devices.js";
import type { Outbox, OutboxStats } from "./outbox.js";
import type { PolledReading } from "./readings.js";
import { AgentState } from "./state.js";

/** An outbox entry the server refused for good. */
export interface ParkedEntryRow {
  /** Idempotency key. */
  key: string;
  /** Kind of entry. */
  kind: string;
  /** Device serial, null for client-wide entries. */
  serial: string | null;
  /** The server's refusal (`<code>: <message>`). */
  reason: string | null;
}

/** A row quarantined for failing its checksum. */
export interface QuarantinedRowSummary {
  /** Quarantine id. */
  id: number;
  /** Table the row came from. */
  table: string;
  /** Its row id there, when readable. */
  rowId: number | null;
  /** Why it was quarantined. */
  reason: string;
  /** Size of the kept raw bytes. */
  bytes: number;
}

/** A meter of a device row. */
export interface DeviceMeterRow {
  /** Meter name (e.g. `Total Impressions`). */
  name: string;
  /** Value. */
  value: number;
  /** Unit, when known. */
  unit?: string;
}

/** A supply of a device row. */
export interface DeviceSupplyRow {
  /** Description (or colorant, or index). */
  description: string;
  /** Colorant, when known. */
  colorant?: string;
  /** Level in percent (0–100), when the supply can measure it. */
  percent?: number;
  /** Supply state, e.g. `ok`, `low`, `someRemaining`. */
  state?: string;
}

/** What `esol agent status` prints. */
export interface OutboxStatusReport {
  /** Outbox file. */
  outbox: string;
  /** Whether `RegisterProxy` was acknowledged. */
  registered: boolean;
  /** Last successful sync (ISO 8601), or null. */
  lastSyncAt: string | null;
  /** Entry counts. */
  counts: OutboxStats;
  /** Entries the server refused for good, with its reason. */
  parked: ParkedEntryRow[];
  /** Rows quarantined for failing their checksum. */
  quarantined: QuarantinedRowSummary[];
}

/** One device row of {@link AgentStatusReport}. */
export interface DeviceStatusRow {
  /** Serial number. */
  serial: string;
  /** Last address (`host:port`). */
  address: string;
  /** Vendor, when known. */
  vendor: string | null;
  /** Model, when known. */
  model: string | null;
  /** `ok`, `silent`, `replaced` or `disabled`. */
  state: string;
  /** Last successful read (ISO 8601), or null. */
  lastReadAt: string | null;
  /** Seconds since the last successful read, on the agent's clock; null when never read. */
  lastReadAgeSeconds: number | null;
  /** Consecutive polls without an answer. */
  failedPolls: number;
  /** Billing switched on by the server. */
  billing: boolean;
  /** Supplies reports switched on by the server. */
  supplies: boolean;
  /** Why the device is in its state, when known. */
  detail: string | null;
  /** Meters of the newest committed reading. */
  meters: DeviceMeterRow[];
  /** Supplies of the newest committed reading (`percent` 0–100 when the level is known). */
  supplyLevels: DeviceSupplyRow[];
}

/** What the running agent's `/status.json` serves. */
export interface AgentStatusReport extends OutboxStatusReport {
  /** Proxy id. */
  proxyId: string;
  /** Whether the agent runs. */
  running: boolean;
  /** The agent's clock (ISO 8601) when the report was made. */
  now: string;
  /** Next scheduled sync (ISO 8601), or null. */
  nextSyncAt: string | null;
  /** Known devices. */
  devices: DeviceStatusRow[];
  /** Active alarms, worst kind first (`agent.status().alarms`). */
  alarms?: AgentAlarm[];
}

const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();

/** The report `esol agent status` prints, read from an open outbox. */
export function outboxStatusReport(outbox: Outbox, config: AgentConfig): OutboxStatusReport {
  const state = new AgentState(outbox);
  return {
    outbox: config.outbox.path,
    registered: state.proxyRegistered(),
    lastSyncAt: iso(state.lastSyncAtMs()),
    counts: outbox.stats(),
    parked: outbox
      .list("parked")
      .map((e) => ({ key: e.key, kind: e.kind, serial: e.serial, reason: e.lastError })),
    quarantined: outbox.quarantined().map((q) => ({
      id: q.id,
      table: q.table,
      rowId: q.rowId,
      reason: q.reason,
      bytes: q.raw.length,
    })),
  };
}

/** One device row, with the newest committed reading's meters and supplies. */
export function deviceStatusRow(outbox: Outbox, device: KnownDevice, nowMs: number): DeviceStatusRow {
  return deviceStatusRowOf(
    device,
    outbox.latestReading(device.serial)?.reading as PolledReading | undefined,
    nowMs,
  );
}

/**
 * {@link deviceStatusRow} from the device's newest committed reading, already read (undefined:
 * none). @internal
 */
export function deviceStatusRowOf(
  device: KnownDevice,
  reading: PolledReading | undefined,
  nowMs: number,
): DeviceStatusRow {
  return {
    serial: device.serial,
    address: device.address,
    vendor: device.vendor,
    model: device.model,
    state: device.state,
    lastReadAt: iso(device.lastOkAtMs),
    lastReadAgeSeconds: device.lastOkAtMs === null ? null : Math.max(0, (nowMs - device.lastOkAtMs) / 1000),
    failedPolls: device.failedPolls,
    billing: device.billing,
    supplies: device.supplies,
    detail: device.detail,
    meters: (reading?.meters ?? []).map((m) => ({
      name: m.name,
      value: m.value,
      ...(m.unit ? { unit: m.unit } : {}),
    })),
    supplyLevels: (reading?.supplies ?? []).map((s) => ({
      description: s.description ?? s.colorant ?? s.index,
      ...(s.colorant ? { colorant: s.colorant } : {}),
      ...(s.percent !== undefined ? { percent: s.percent } : {}),
      ...(s.state ? { state: s.state } : {}),
    })),
  };
}
