/**
 * The engine's events and the summaries they carry (`agent.on(...)`), and its status snapshot.
 * Types only.
 * @module
 */
import type { SdkError, SdkErrorCode } from "../errors.js";
import type { ClientConfiguration, DeviceStatusReport, Directive, ExchangeRecord } from "../soap/models.js";
import type { AgentAlarm } from "./alarms.js";
import type { KnownDevice } from "./devices.js";
import type { Outbox, OutboxKind } from "./outbox.js";

/** One target a poll could not read (`PollSummary.failures`). */
export interface PollFailure {
  /** The target (`host:port`). */
  target: string;
  /**
   * Why: `SNMP_TIMEOUT` (device off, unreachable, or wrong community/v3 credentials),
   * `SNMP_AUTH_FAILED`, `SNMP_NO_ANSWER`, `SNMP_NO_SERIAL`, … (docs/error-codes.md).
   */
  code: SdkErrorCode;
  /** The one-line reason, with what to check. */
  message: string;
  /** Whether a known device lives at this address (false for the empty addresses of a sweep). */
  known: boolean;
}

/**
 * The agent cannot make progress until its configuration or the server changes
 * (`stuck` event, `status().stuck`): a failure no resend can fix and that every call
 * meets, e.g. an untrusted server certificate (`TLS_ERROR`) or signing key (`WSS_UNTRUSTED_KEY`).
 * The agent stops retrying and re-checks after `stuckRecheckMs`, doubling the wait after each
 * failed re-check (up to `schedule.maxRetryDelayMs`).
 */
export interface AgentStuck {
  /** The error's code. */
  code: SdkErrorCode;
  /** The error's one-line message (the facts: trust used, certificate subject and thumbprint, …). */
  message: string;
  /** What to do. */
  remedy: string;
  /** What failed, e.g. `sync session` or `delivering billing-read`. */
  during: string;
  /** When the agent got stuck on this code. */
  stuckAt: Date;
  /**
   * {@link AgentStuck.stuckAt} in epoch ms.
   * @deprecated Use `stuckAt`; still set, removed in 0.3.
   */
  sinceMs: number;
  /** When the last check failed. */
  lastCheckAt: Date;
  /**
   * {@link AgentStuck.lastCheckAt} in epoch ms.
   * @deprecated Use `lastCheckAt`; still set, removed in 0.3.
   */
  lastCheckAtMs: number;
  /** Checks that failed this way, the first included. */
  checks: number;
  /** When the next re-check is due, null when the agent does not schedule (`autoSchedule: false`). */
  nextCheckAt: Date | null;
  /**
   * {@link AgentStuck.nextCheckAt} in epoch ms.
   * @deprecated Use `nextCheckAt`; still set, removed in 0.3.
   */
  nextCheckAtMs: number | null;
}

/** What a poll did (`poll` event). */
export interface PollSummary {
  /** When the poll started (the reading time of its readings). */
  startedAt: Date;
  /**
   * {@link PollSummary.startedAt} in epoch ms.
   * @deprecated Use `startedAt`; still set, removed in 0.3.
   */
  atMs: number;
  /** Targets polled. */
  targets: number;
  /** Devices read and committed. */
  read: number;
  /**
   * Of `read`, devices read with a steady poll of their stored poll plan (one GET of what
   * changes; issue 15).
   */
  steady: number;
  /**
   * Of `read`, devices read with a full reading: no plan yet (a new device), the daily
   * discovery (`schedule.fullReadingEvery`), a plan the device's answer no longer fits, or a
   * reader without poll plans.
   */
  full: number;
  /** Targets without an answer. */
  failed: number;
  /** Supplies reports committed. */
  suppliesCommitted: number;
  /** Each target that could not be read, with its code and message, in the order they finished. */
  failures: PollFailure[];
  /** `failures` counted by code, e.g. `{ SNMP_TIMEOUT: 3 }`. */
  failedByCode: Partial<Record<SdkErrorCode, number>>;
}

/** What a sync session did (`sync` event). */
export interface SyncSummary {
  /** When the session started. */
  startedAt: Date;
  /**
   * {@link SyncSummary.startedAt} in epoch ms.
   * @deprecated Use `startedAt`; still set, removed in 0.3.
   */
  atMs: number;
  /** Directives received. */
  directives: Directive[];
  /** Device statuses reported. */
  statuses: DeviceStatusReport[];
  /** Configuration received, when any. */
  configure?: ClientConfiguration;
}

/** Entries committed to the outbox (`committed` event). */
export interface CommittedEvent {
  /** What was committed, in order. */
  entries: Array<{
    /** Kind of entry. */
    kind: OutboxKind;
    /** Its idempotency key. */
    key: string;
    /** Device serial, null for client-wide entries. */
    serial: string | null;
  }>;
}

/** Entries acknowledged by the server (`sent` event). */
export interface SentEvent {
  /** Which kind of entries. */
  kind: OutboxKind;
  /** Their idempotency keys. */
  keys: string[];
  /** The device serial of each entry, in `keys` order (null for client-wide entries). */
  serials: Array<string | null>;
  /** The server's count of records newly stored. */
  accepted: number;
  /** The server's count of records it already had. */
  duplicates: number;
}

/** An entry the server refused for good (`parked` event). */
export interface ParkedEvent {
  /** Which kind of entry. */
  kind: OutboxKind;
  /** Its idempotency key. */
  key: string;
  /** Serial, when any. */
  serial: string | null;
  /** The refusal (`<code>: <message>`). */
  reason: string;
}

/** A device seen for the first time (`device-new`), or gone silent (`device-silent`). */
export interface DeviceEvent {
  /** The device. */
  device: KnownDevice;
}

/** A device whose address / MAC now answers with another serial (`device-replaced`). */
export interface DeviceReplacedEvent {
  /** The new device. */
  device: KnownDevice;
  /** The one it replaced. */
  previous: KnownDevice;
}

/** The agent's typed events. */
export interface AgentEvents {
  /** A poll finished. */
  poll: [PollSummary];
  /** A sync session finished. */
  sync: [SyncSummary];
  /** Entries were acknowledged. */
  sent: [SentEvent];
  /** An entry was parked. */
  parked: [ParkedEvent];
  /** A device was seen for the first time. */
  "device-new": [DeviceEvent];
  /** A device was replaced by another at the same address / MAC. */
  "device-replaced": [DeviceReplacedEvent];
  /** A device missed `silentAfterPolls` polls. */
  "device-silent": [DeviceEvent];
  /** A directive is being obeyed. */
  directive: [Directive];
  /** Entries were committed (fsync'd) to the outbox: from now on they survive a crash. */
  committed: [CommittedEvent];
  /** One attempt of one server call (from the client's `onExchange`). */
  exchange: [ExchangeRecord];
  /**
   * The agent got stuck on a failure no resend can fix (emitted once per code): it stops
   * retrying and re-checks slowly (`stuckRecheckMs`, doubling) until the config or the server changes.
   */
  stuck: [AgentStuck];
  /** A call succeeded again after the agent was stuck; carries the state that ended. */
  recovered: [AgentStuck];
  /**
   * Something failed (the agent keeps running and retries). Emitted only when a
   * listener is attached, so an embedding application is never crashed by it. A failure
   * that gets the agent stuck is emitted once, not at every re-check.
   */
  error: [SdkError];
  /** An alarm became active (once, until it clears; see `./alarms.ts`). Also logged at `warn`. */
  alarm: [AgentAlarm];
  /** An active alarm no longer holds; carries the alarm as it was. */
  "alarm-cleared": [AgentAlarm];
}

/** A snapshot of the agent for status displays. */
export interface AgentStatus {
  /** Whether `start()` ran and `stop()` did not. */
  running: boolean;
  /** Whether `RegisterProxy` was acknowledged. */
  registered: boolean;
  /** When the last successful sync started, null before the first. */
  lastSyncAt: Date | null;
  /**
   * {@link AgentStatus.lastSyncAt} in epoch ms.
   * @deprecated Use `lastSyncAt`; still set, removed in 0.3.
   */
  lastSyncAtMs: number | null;
  /** When the next sync is scheduled, null when none is. */
  nextSyncAt: Date | null;
  /**
   * {@link AgentStatus.nextSyncAt} in epoch ms.
   * @deprecated Use `nextSyncAt`; still set, removed in 0.3.
   */
  nextSyncAtMs: number | null;
  /** Outbox counts. */
  outbox: ReturnType<Outbox["stats"]>;
  /** Known devices. */
  devices: KnownDevice[];
  /** The last poll that finished since `start()` (with its per-target failures), null before. */
  lastPoll: PollSummary | null;
  /** Set while the agent cannot make progress until its config or the server changes. */
  stuck: AgentStuck | null;
  /** Active alarms, worst kind first (empty before `start()` evaluated them). */
  alarms: AgentAlarm[];
}
