/**
 * The eSolutions client engine: an embeddable {@link Agent} that polls printers, keeps
 * every reading in the durable {@link Outbox} before any network I/O, registers itself
 * and its devices once, syncs once a day inside the transmission window, obeys the
 * server's directives and delivers the outbox until every entry is acknowledged.
 * @module
 */
import { EventEmitter, setMaxListeners } from "node:events";
import type { RequestListener } from "node:http";
import { hostname } from "node:os";
import {
  AbortError,
  ConfigError,
  isSdkError,
  type SdkError,
  type SdkErrorCode,
  SecurityError,
  SnmpError,
  SoapFaultError,
  StorageError,
  TransportError,
  UnsignedFaultError,
  ValidationError,
} from "../errors.js";
import type { DeviceReading } from "../snmp/mib/reading.js";
import { PrinterReader } from "../snmp/reader.js";
import { CommunicationClient } from "../soap/client.js";
import type {
  Ack,
  ClientConfiguration,
  DeviceInfo,
  DeviceStatusReport,
  Directive,
  ExchangeRecord,
  RegisterDevicesInput,
  RegisterProxyInput,
  RegisterProxyResult,
  ReportSyncStatusInput,
  ServiceStatus,
  SubmitBillingReadsInput,
  SubmitSuppliesReportInput,
  SyncInput,
  SyncResult,
} from "../soap/models.js";
import { backoffDelayMs } from "../soap/retry.js";
import type { MessageSecurity } from "../soap/security.js";
import { createMessageSigner } from "../wssec/index.js";
import { type AgentAlarm, AlarmMonitor } from "./alarms.js";
import { type Clock, SystemClock, type TimerHandle } from "./clock.js";
import type { AgentConfig } from "./config.js";
import type { DeviceRegistry, KnownDevice } from "./devices.js";
import { nextSyncAt, type TransmissionWindow, windowOpenedAt } from "./duration.js";
import { type AgentHttpOptions, createAgentHttpHandler } from "./http.js";
import { Outbox, type OutboxEntry, type OutboxKind } from "./outbox.js";
import {
  type PolledReading,
  toBillingRead,
  toDeviceInfo,
  toPolledReading,
  toSuppliesReport,
} from "./readings.js";
import { AgentState } from "./state.js";

/** Options of one transport call (a subset of the client's `CallOptions`). */
export interface AgentCallOptions {
  /** Cancels the call. */
  abortSignal?: AbortSignal;
}

/**
 * The server operations the agent calls; {@link CommunicationClient} implements it.
 * Inject another implementation to route calls elsewhere (or to observe them).
 */
export interface AgentTransport {
  /** `RegisterProxy`. */
  registerProxy(input: RegisterProxyInput, options?: AgentCallOptions): Promise<RegisterProxyResult>;
  /** `RegisterDevices`. */
  registerDevices(input: RegisterDevicesInput, options?: AgentCallOptions): Promise<Ack>;
  /** `Sync`. */
  sync(input: SyncInput, options?: AgentCallOptions): Promise<SyncResult>;
  /** `ReportSyncStatus`. */
  reportSyncStatus(input: ReportSyncStatusInput, options?: AgentCallOptions): Promise<Ack>;
  /** `SubmitBillingReads`. */
  submitBillingReads(input: SubmitBillingReadsInput, options?: AgentCallOptions): Promise<Ack>;
  /** `SubmitSuppliesReport`. */
  submitSuppliesReport(input: SubmitSuppliesReportInput, options?: AgentCallOptions): Promise<Ack>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** The device reads the agent needs; {@link PrinterReader} implements it. */
export interface AgentReader {
  /** Reads one device (`host:port`). */
  read(target: string, options?: { abortSignal?: AbortSignal }): Promise<DeviceReading>;
  /** Reads many devices, yielding each outcome as it finishes. */
  poll(
    targets: readonly string[],
    options?: { concurrency?: number; abortSignal?: AbortSignal },
  ): AsyncIterable<{
    /** The target (`host:port`). */
    target: string;
    /** The reading, when the device answered. */
    reading?: DeviceReading | undefined;
    /** Why it could not be read, otherwise. */
    error?: SdkError | undefined;
  }>;
}

/** A pino-compatible logger. */
export interface AgentLogger {
  /** Debug detail. */
  debug(obj: object, msg?: string): void;
  /** Normal operation. */
  info(obj: object, msg?: string): void;
  /** Something needs attention. */
  warn(obj: object, msg?: string): void;
  /** Something failed. */
  error(obj: object, msg?: string): void;
}

/** Options of {@link Agent}. */
export interface AgentOptions {
  /** Time source and timers. Default wall time. */
  clock?: Clock;
  /** Server transport. Default a {@link CommunicationClient} built from the config. */
  transport?: AgentTransport;
  /** Device reader. Default a {@link PrinterReader} built from the config. */
  reader?: AgentReader;
  /**
   * Logger. Default none: an embedded agent writes nothing (its outcomes are events and
   * `status()`); `esol agent` passes pino at `config.log.level` on stderr.
   */
  logger?: AgentLogger;
  /** Random source in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
  /** `software` reported at registration. Default `esolutions-sdk`. */
  software?: string;
  /** Largest number of records per `SubmitBillingReads` / `SubmitSuppliesReport`. Default 500. */
  batchSize?: number;
  /**
   * Sync right after the first poll when the agent has never synced or its last sync is
   * more than a day old (default true); otherwise wait for the window.
   */
  syncOnStart?: boolean;
  /**
   * Run the schedule (default true). With false, nothing happens on its own: the caller
   * drives the agent with `pollNow()`, `syncNow()` and `flushNow()` (cron-style `--once`).
   */
  autoSchedule?: boolean;
  /**
   * Time source of WS-Security timestamps (epoch ms). Default wall time; pass the agent's
   * clock only when the server runs on that same simulated clock.
   */
  securityClock?: () => number;
  /**
   * While the agent is stuck on a failure no resend can fix (see {@link stuckRemedy}), how
   * long it waits before its first re-check of the server (one sync session); each failed
   * re-check doubles the wait, up to `schedule.maxRetryDelayMs` (or this value, if longer).
   * Default 1 h. `syncNow()` re-checks at once.
   */
  stuckRecheckMs?: number;
}

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
  /** Epoch ms the agent got stuck on this code. */
  sinceMs: number;
  /** Epoch ms of the last failed check. */
  lastCheckAtMs: number;
  /** Checks that failed this way, the first included. */
  checks: number;
  /** Epoch ms of the next re-check, null when the agent does not schedule (`autoSchedule: false`). */
  nextCheckAtMs: number | null;
}

/** What a poll did (`poll` event). */
export interface PollSummary {
  /** Epoch ms the poll started (the reading time of its readings). */
  atMs: number;
  /** Targets polled. */
  targets: number;
  /** Devices read and committed. */
  read: number;
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
  /** Epoch ms the session started. */
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
  /** Epoch ms of the last successful sync. */
  lastSyncAtMs: number | null;
  /** Epoch ms of the next scheduled sync. */
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

const DELIVERY_ORDER: readonly OutboxKind[] = [
  "register-devices",
  "sync-status",
  "billing-read",
  "supplies-report",
];

/**
 * Builds the WS-Security signer from the config, when it has one. Message timestamps use
 * `now` (wall time by default, even when the agent's schedule runs on a faster clock: the
 * server checks them against its own time).
 */
function securityFrom(config: AgentConfig, now: (() => number) | undefined): MessageSecurity | undefined {
  if (!config.security) return undefined;
  return createMessageSigner({
    key: config.security.key,
    cert: config.security.cert,
    ...(config.security.algorithm ? { algorithm: config.security.algorithm } : {}),
    ...(config.security.serverCert ? { verifyResponsesWith: config.security.serverCert } : {}),
    ...(now ? { clock: now } : {}),
  });
}

/** An agent that logs nothing (the default: the outcomes are events and `status()`). */
const SILENT_LOGGER: AgentLogger = { debug() {}, info() {}, warn() {}, error() {} };

const CLOCK_CODES: ReadonlySet<string> = new Set([
  "WSS_EXPIRED",
  "WSS_NOT_YET_VALID",
  "WSS_MESSAGE_EXPIRED",
  "WSS_LIFETIME",
]);

/**
 * What to do about a failure that no resend can fix and that every server call meets (so
 * retrying only repeats it): an untrusted server certificate, a signing key the server
 * does not trust, a server that requires signatures, clocks that disagree, an endpoint
 * that does not exist. Undefined for everything else (retryable failures, and per-entry
 * refusals such as `INVALID_VALUE`, which park the entry instead).
 * @example
 * ```ts
 * agent.on("stuck", (s) => alert(`${s.code}: ${s.message} — ${s.remedy}`));
 * ```
 */
export function stuckRemedy(err: unknown): string | undefined {
  if (!isSdkError(err) || err.retryable) return undefined;
  const code = err.code;
  if (err instanceof ConfigError && code !== "CLIENT_CLOSED")
    return "fix the agent configuration named in the message, then restart the agent";
  if (code === "TLS_ERROR")
    return /does not name/.test(err.message)
      ? "set `server.url` to the host name the server's certificate names (or reissue the certificate), then restart the agent"
      : "set `server.ca` in the agent config to the server's certificate (or the CA that issued it), a PEM file, then restart the agent";
  if (code === "DNS_ERROR")
    return "`server.url` names a host that does not resolve: fix it in the agent config, then restart the agent";
  if (code === "HTTP_401" || code === "HTTP_403" || code === "HTTP_404")
    return "the server refuses this endpoint: check `server.url` (host and path, e.g. `/esolutions/v1`) with the server's operator";
  if (CLOCK_CODES.has(code))
    return "the agent's clock and the server's disagree beyond the allowed skew: set the agent host's clock (NTP)";
  // A fault that did not verify: judged by what the server said (unauthenticated), never by
  // the failed check alone; a per-entry refusal is retried with backoff, not parked (isPermanent).
  if (err instanceof UnsignedFaultError) return stuckRemedy(err.fault);
  // Raised by the agent's own check of a response, not a refusal by the server.
  if (err instanceof SecurityError)
    return "the server's responses do not verify against `security.serverCert`: set it to the server's signing certificate, then restart the agent";
  if (code === "WSS_UNTRUSTED_KEY" || code === "WSS_FAILED_AUTHENTICATION")
    return "the server does not trust this agent's signing certificate: send its subject and SHA-256 thumbprint (in the message) to the server's operator to trust it (reference server: `esol server --trust <cert.pem>`), or set `security.key`/`security.cert` to the pair the server trusts";
  if (code === "WSS_UNSIGNED")
    return "the server requires signed requests: set `security.key` and `security.cert` in the agent config, then restart the agent";
  if (
    err instanceof SoapFaultError &&
    code.startsWith("WSS_") &&
    code !== "WSS_REPLAY" &&
    code !== "WSS_BUSY"
  )
    return "the server refused the agent's WS-Security header: check `security` in the agent config against what the server accepts (docs/error-codes.md)";
  return undefined;
}

function errorLine(err: unknown): string {
  if (isSdkError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

function asSdkError(err: unknown): SdkError {
  if (isSdkError(err)) return err as SdkError;
  return new StorageError("INTERNAL", err instanceof Error ? err.message : String(err), { cause: err });
}

/**
 * The eSolutions client engine.
 *
 * Lifecycle: `start()` opens the outbox, polls, registers (once), syncs, then keeps
 * polling every `pollInterval` and syncing once a day inside the window; `stop()`
 * cancels timers, waits for the work in progress and closes everything. No globals:
 * several agents can run in one process.
 *
 * @example
 * ```ts
 * const agent = new Agent(loadAgentConfig("agent.json"));
 * agent.on("sent", (e) => console.log(`${e.kind}: ${e.accepted} stored`));
 * agent.on("device-silent", ({ device }) => console.warn(`${device.serial} stopped answering`));
 * await agent.start();
 * process.on("SIGTERM", () => void agent.stop());
 * ```
 */
export class Agent extends EventEmitter<AgentEvents> {
  /** The resolved configuration. */
  readonly config: AgentConfig;
  /** The agent's clock. */
  readonly clock: Clock;
  readonly #log: AgentLogger;
  readonly #random: () => number;
  readonly #software: string;
  readonly #batchSize: number;
  readonly #syncOnStart: boolean;
  readonly #options: AgentOptions;
  #transport: AgentTransport | undefined;
  #reader: AgentReader | undefined;
  #outbox: Outbox | undefined;
  #state: AgentState | undefined;
  #running = false;
  #queue: Promise<unknown> = Promise.resolve();
  #timers = new Map<string, TimerHandle>();
  #abort = new AbortController();
  #nextSyncAtMs: number | null = null;
  #sessionFailures = 0;
  #stuck: AgentStuck | null = null;
  #lastPoll: PollSummary | null = null;
  #alarms: AlarmMonitor | undefined;
  readonly #stuckRecheckMs: number;

  constructor(config: AgentConfig, options: AgentOptions = {}) {
    super();
    this.config = config;
    this.#options = options;
    this.clock = options.clock ?? new SystemClock();
    this.#random = options.random ?? Math.random;
    this.#software = options.software ?? "esolutions-sdk";
    this.#batchSize = options.batchSize ?? 500;
    this.#syncOnStart = options.syncOnStart ?? true;
    this.#log = options.logger ?? SILENT_LOGGER;
    this.#stuckRecheckMs = Math.max(1000, options.stuckRecheckMs ?? 3_600_000);
  }

  /** The outbox (open between `start()` and `stop()`). */
  get outbox(): Outbox {
    if (!this.#outbox)
      throw new StorageError("STORAGE_CLOSED", "the agent is not started: its outbox is closed");
    return this.#outbox;
  }

  /** The device registry (open between `start()` and `stop()`). */
  get devices(): DeviceRegistry {
    return this.#agentState().devices;
  }

  /** The persisted state (open between `start()` and `stop()`). */
  #agentState(): AgentState {
    if (!this.#state)
      throw new StorageError("STORAGE_CLOSED", "the agent is not started: its outbox is closed");
    return this.#state;
  }

  /**
   * Opens the outbox, reports what its integrity check found, and starts the schedule:
   * a poll now, then a sync (right away the first time, else in the next window).
   * Resolves once the outbox is open and the first poll is queued.
   * @throws StorageError when the outbox cannot be opened.
   */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#abort = new AbortController();
    // One signal is shared by every read and call in flight (a fleet poll has dozens).
    setMaxListeners(0, this.#abort.signal);
    const outbox = Outbox.open(this.config.outbox.path, {
      now: () => this.clock.now(),
      random: this.#random,
      maxEntries: this.config.outbox.maxEntries,
      maxBytes: this.config.outbox.maxBytes,
      retryDelayMs: this.config.schedule.retryDelayMs,
      maxRetryDelayMs: this.config.schedule.maxRetryDelayMs,
    });
    this.#outbox = outbox;
    const state = new AgentState(outbox);
    this.#state = state;
    const report = outbox.openReport;
    if (report.integrity !== "ok" || report.quarantined > 0) {
      this.#log.error({ ...report }, "the outbox was damaged: readable rows kept, damaged rows quarantined");
      this.#emitError(
        new StorageError(
          "STORAGE_CORRUPT",
          `the outbox ${outbox.path} was damaged: ${report.quarantined} row(s) quarantined${report.corruptCopyPath ? `, damaged file kept as ${report.corruptCopyPath}` : ""}`,
        ),
      );
    }
    this.#transport = this.#options.transport ?? this.#createTransport();
    this.#reader = this.#options.reader ?? this.#createReader();
    this.#running = true;
    const stats = outbox.stats();
    this.#log.info({ outbox: outbox.path, ...stats }, "agent started");
    this.#alarms = new AlarmMonitor(this, this.#log, { timers: this.#options.autoSchedule !== false });
    this.#alarms.evaluate();
    if (this.#options.autoSchedule === false) return;
    const lastSync = state.lastSyncAtMs() ?? 0;
    // Sync right away when never registered, when a whole day went by without a sync, or when
    // the agent (re)starts inside a window occurrence it has not synced in yet.
    const now = this.clock.now();
    const openedAt = windowOpenedAt(now, this.#window());
    const syncSoon =
      this.#syncOnStart &&
      (!state.proxyRegistered() ||
        now - lastSync >= 86_400_000 ||
        (openedAt !== undefined && lastSync < openedAt));
    this.#schedule("poll", 0, () => this.#enqueue("poll", () => this.#pollAndReschedule()));
    if (syncSoon) this.#schedule("sync", 0, () => this.#enqueue("sync", () => this.#sessionAndReschedule()));
    else {
      this.#scheduleNextSync(Math.max(lastSync, this.clock.now()));
      // Deliver what a previous run left pending without waiting for the window.
      if (stats.pending > 0)
        this.#schedule("flush", 0, () => this.#enqueue("flush", () => this.#flushAndReschedule()));
    }
  }

  /**
   * Stops: cancels timers and in-flight calls, waits for the work in progress to
   * settle, closes the outbox and the transport. Everything committed stays committed.
   */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    for (const t of this.#timers.values()) t.cancel();
    this.#timers.clear();
    this.#alarms?.stop();
    this.#alarms = undefined;
    this.#abort.abort();
    await this.#queue.catch(() => undefined);
    if (!this.#options.transport) await this.#transport?.close().catch(() => undefined);
    this.#outbox?.close();
    this.#outbox = undefined;
    this.#state = undefined;
    this.#log.info({}, "agent stopped");
  }

  /** A snapshot for status displays. */
  status(): AgentStatus {
    const outbox = this.outbox;
    const state = this.#agentState();
    return {
      running: this.#running,
      registered: state.proxyRegistered(),
      lastSyncAtMs: state.lastSyncAtMs(),
      nextSyncAtMs: this.#nextSyncAtMs,
      outbox: outbox.stats(),
      devices: this.devices.list(),
      lastPoll: this.#lastPoll,
      stuck: this.#stuck,
      alarms: this.#alarms?.active() ?? [],
    };
  }

  /**
   * A node `http` request listener serving `/healthz`, `/metrics` (Prometheus text format),
   * `/status.json` and the status page `/`, to mount in your own HTTP server (see `./http.ts`).
   * @example
   * ```ts
   * createServer(agent.httpHandler()).listen(9464, "127.0.0.1");
   * ```
   */
  httpHandler(options: AgentHttpOptions = {}): RequestListener {
    return createAgentHttpHandler(this, options);
  }

  /** Polls every target now (queued behind work in progress). */
  pollNow(): Promise<PollSummary> {
    return this.#enqueue("poll", () => this.#poll());
  }

  /** Runs a sync session now: register if needed, Sync, obey directives, deliver. */
  syncNow(): Promise<SyncSummary | undefined> {
    return this.#enqueue("sync", () => this.#session());
  }

  /** Delivers every due outbox entry now. */
  flushNow(): Promise<void> {
    return this.#enqueue("flush", () => this.#flush());
  }

  // ----- plumbing -----

  #createTransport(): AgentTransport {
    const s = this.config.server;
    const security = securityFrom(this.config, this.#options.securityClock);
    return new CommunicationClient({
      endpoint: s.url,
      rejectUnauthorized: s.rejectUnauthorized,
      timeoutMs: s.timeoutMs,
      maxRetries: s.maxRetries,
      retryDelayMs: s.retryDelayMs,
      gzip: s.gzip,
      ...(s.ca ? { ca: s.ca } : {}),
      ...(s.httpProxy ? { proxy: s.httpProxy } : {}),
      ...(security ? { security } : {}),
      onExchange: (e) => {
        if (this.listenerCount("exchange") > 0) this.emit("exchange", e);
      },
    });
  }

  #createReader(): AgentReader {
    const d = this.config.devices;
    return new PrinterReader({ profiles: d.profiles, timeoutMs: d.timeoutMs, retries: d.retries });
  }

  #uncommitted: OutboxEntry[] = [];

  /** Appends inside a {@link Agent.#commit} transaction; reported once the transaction commits. */
  #append(inputs: Parameters<Outbox["append"]>[0]): OutboxEntry[] {
    const entries = this.outbox.append(inputs);
    this.#uncommitted.push(...entries);
    return entries;
  }

  /** Runs `fn` in one outbox transaction, then reports the entries it committed. */
  #commit<T>(fn: () => T, doing?: string): T {
    this.#uncommitted = [];
    let result: T;
    try {
      result = this.outbox.transaction(fn, doing);
    } catch (err) {
      this.#uncommitted = [];
      throw err;
    }
    const entries = this.#uncommitted;
    this.#uncommitted = [];
    if (entries.length > 0 && this.listenerCount("committed") > 0)
      this.emit("committed", {
        entries: entries.map((e) => ({ kind: e.kind, key: e.key, serial: e.serial })),
      });
    return result;
  }

  /**
   * Gets the agent stuck when `err` is a failure no resend can fix ({@link stuckRemedy}):
   * reports it once per code (log, `stuck` and `error` events), stops the retries and
   * schedules one re-check (a sync session) after `stuckRecheckMs`, doubled per failed
   * re-check up to `schedule.maxRetryDelayMs`. False for other failures.
   */
  #noteStuck(err: unknown, during: string): boolean {
    const remedy = stuckRemedy(err);
    if (remedy === undefined) return false;
    const e = asSdkError(err);
    const now = this.clock.now();
    const prev = this.#stuck;
    const same = prev !== null && prev.code === e.code;
    const schedule = this.#running && this.#options.autoSchedule !== false;
    // The same failure met again within one check (a flush inside the session) is one check.
    const checks = !same ? 1 : prev.lastCheckAtMs === now ? prev.checks : prev.checks + 1;
    // Doubling without jitter (random = 1): a re-check is one call, not a crowd to spread.
    const waitMs = backoffDelayMs(
      checks,
      this.#stuckRecheckMs,
      Math.max(this.#stuckRecheckMs, this.config.schedule.maxRetryDelayMs),
      () => 1,
    );
    const stuck: AgentStuck = {
      code: e.code,
      message: e.message.split("\n")[0] ?? "",
      remedy,
      during: same ? prev.during : during,
      sinceMs: same ? prev.sinceMs : now,
      lastCheckAtMs: now,
      checks,
      nextCheckAtMs: schedule ? now + waitMs : null,
    };
    this.#stuck = stuck;
    if (schedule) {
      this.#timers.get("flush")?.cancel();
      this.#timers.delete("flush");
      this.#nextSyncAtMs = stuck.nextCheckAtMs;
      this.#schedule("sync", waitMs, () => this.#enqueue("sync", () => this.#sessionAndReschedule()));
    }
    if (same) {
      this.#log.debug({ code: e.code, during }, "still stuck");
      return true;
    }
    this.#log.error(
      { code: e.code, err: stuck.message, remedy, during, recheckInMs: waitMs },
      "stuck: no retry can fix this; waiting for the config or the server to change",
    );
    this.emit("stuck", { ...stuck });
    this.#emitError(e);
    return true;
  }

  /** Whether the agent got (or stayed) stuck at or after `atMs`. */
  #stuckSince(atMs: number): boolean {
    return this.#stuck !== null && this.#stuck.lastCheckAtMs >= atMs;
  }

  /** Ends the stuck state after a call succeeded. */
  #recovered(): void {
    const ended = this.#stuck;
    if (ended === null) return;
    this.#stuck = null;
    this.#log.info({ code: ended.code, sinceMs: ended.sinceMs }, "recovered");
    this.emit("recovered", ended);
  }

  #emitError(err: SdkError): void {
    if (this.listenerCount("error") > 0) this.emit("error", err);
  }

  /** Runs jobs one at a time, so polls, sessions and flushes never interleave their writes. */
  #enqueue<T>(name: string, job: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      if (!this.#running) throw new AbortError(`the agent stopped before ${name} ran`);
      return job();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #schedule(name: string, delayMs: number, fn: () => Promise<unknown>): void {
    this.#timers.get(name)?.cancel();
    if (!this.#running) return;
    const handle = this.clock.setTimeout(() => {
      if (this.#timers.get(name) === handle) this.#timers.delete(name);
      return fn().catch((err: unknown) => {
        if (err instanceof AbortError || !this.#running) return;
        this.#log.error({ err: errorLine(err), job: name }, "scheduled job failed");
        this.#emitError(asSdkError(err));
      });
    }, delayMs);
    this.#timers.set(name, handle);
  }

  #pollIntervalMs(): number {
    return this.#state?.pollIntervalOverrideMs() ?? this.config.schedule.pollIntervalMs;
  }

  #window(): TransmissionWindow {
    return this.#state?.windowOverride() ?? this.config.schedule.syncWindow;
  }

  async #pollAndReschedule(): Promise<void> {
    const started = this.clock.now();
    try {
      await this.#poll();
    } finally {
      const next = Math.max(0, started + this.#pollIntervalMs() - this.clock.now());
      this.#schedule("poll", next, () => this.#enqueue("poll", () => this.#pollAndReschedule()));
    }
  }

  #scheduleNextSync(afterMs: number): void {
    const at = nextSyncAt(afterMs, this.#window(), this.config.schedule.syncJitterMs, this.#random);
    this.#nextSyncAtMs = at;
    this.#schedule("sync", Math.max(0, at - this.clock.now()), () =>
      this.#enqueue("sync", () => this.#sessionAndReschedule()),
    );
  }

  async #sessionAndReschedule(): Promise<void> {
    const started = this.clock.now();
    try {
      await this.#session();
      this.#sessionFailures = 0;
      // Stuck during the session (its last flush): #noteStuck scheduled the slow re-check.
      if (this.#stuckSince(started)) return;
      this.#scheduleNextSync(started);
    } catch (err) {
      if (err instanceof AbortError || !this.#running) throw err;
      // Stuck: #noteStuck already reported it once and scheduled the slow re-check.
      if (this.#stuck !== null && this.#stuck.code === asSdkError(err).code) return;
      // The server could not be reached: try again with backoff, but never later than the next window.
      this.#sessionFailures++;
      const retryAfter = (err as { retryAfterMs?: number }).retryAfterMs ?? 0;
      const wait = Math.max(
        backoffDelayMs(
          this.#sessionFailures,
          this.config.schedule.retryDelayMs,
          this.config.schedule.maxRetryDelayMs,
          this.#random,
        ),
        retryAfter,
      );
      this.#log.warn({ err: errorLine(err), retryInMs: wait }, "sync failed; will retry");
      this.#emitError(asSdkError(err));
      const next = nextSyncAt(started, this.#window(), this.config.schedule.syncJitterMs, this.#random);
      const at = Math.min(this.clock.now() + wait, next);
      this.#nextSyncAtMs = at;
      this.#schedule("sync", at - this.clock.now(), () =>
        this.#enqueue("sync", () => this.#sessionAndReschedule()),
      );
    }
  }

  async #flushAndReschedule(): Promise<void> {
    await this.#flush();
  }

  // ----- polling -----

  async #poll(): Promise<PollSummary> {
    const reader = this.#reader as AgentReader;
    const devices = this.devices;
    const atMs = this.clock.now();
    const summary: PollSummary = {
      atMs,
      targets: 0,
      read: 0,
      failed: 0,
      suppliesCommitted: 0,
      failures: [],
      failedByCode: {},
    };
    const failed = (target: string, err: SdkError, known: boolean): void => {
      summary.failed++;
      summary.failures.push({ target, code: err.code, message: err.message.split("\n")[0] ?? "", known });
      summary.failedByCode[err.code] = (summary.failedByCode[err.code] ?? 0) + 1;
    };
    const newDevices: DeviceInfo[] = [];
    const signal = this.#abort.signal;
    for await (const r of reader.poll(this.config.devices.targets, {
      concurrency: this.config.devices.concurrency,
      abortSignal: signal,
    })) {
      summary.targets++;
      if (signal.aborted) break;
      if (!r.reading) {
        const known = devices.knownAt(r.target);
        failed(
          r.target,
          r.error ??
            new SnmpError("SNMP_FAILED", `${r.target}: the reader gave neither a reading nor an error`),
          known,
        );
        // Most failures in a CIDR sweep are empty addresses: no write (and no fsync) for those.
        if (!known) continue;
        const silenced = this.#commit(() => devices.missed(r.target, this.config.devices.silentAfterPolls));
        for (const device of silenced) {
          this.#log.warn({ serial: device.serial, address: device.address }, "device silent");
          this.emit("device-silent", { device });
        }
        continue;
      }
      const polled = toPolledReading(r.reading, atMs, this.config.devices.fallbackIdentity);
      if (polled?.identitySource === "mac" && !devices.knownAt(r.target))
        this.#log.warn(
          { target: r.target, serial: polled.serial },
          "device answered without a serial number; identified by its MAC (devices.fallbackIdentity)",
        );
      if (!polled) {
        failed(
          r.target,
          new SnmpError(
            "SNMP_NO_SERIAL",
            `${r.target}: the device answered without a serial number (prtGeneralSerialNumber nor a vendor serial): it cannot be billed; devices.fallbackIdentity "mac" identifies it by its MAC`,
          ),
          devices.knownAt(r.target),
        );
        this.#log.warn(
          { target: r.target },
          "device answered without a serial number; not billable, skipped",
        );
        continue;
      }
      const outcome = this.#commitReading(polled, newDevices);
      summary.read++;
      summary.suppliesCommitted += outcome.supplies ? 1 : 0;
    }
    if (newDevices.length > 0) {
      this.#commit(() => {
        for (let i = 0; i < newDevices.length; i += 5000)
          this.#append([{ kind: "register-devices", payload: { devices: newDevices.slice(i, i + 5000) } }]);
        devices.markRegistered(newDevices.map((d) => d.serial));
      }, "committing device registrations");
    }
    if (signal.aborted) {
      // stop() during the poll: what was read is committed, but a summary would misreport the poll.
      this.#log.debug({ read: summary.read, targets: summary.targets }, "poll stopped");
      throw new AbortError(
        `the agent stopped during the poll (${summary.read} device(s) read and committed)`,
      );
    }
    const { failures, ...counts } = summary;
    if (summary.failed > 0) this.#log.warn({ ...counts }, "poll done; some targets failed");
    else this.#log.info({ ...counts }, "poll done");
    this.#lastPoll = summary;
    this.emit("poll", summary);
    return summary;
  }

  /** Commits one reading and what it implies (device changes, a due supplies report) in one transaction. */
  #commitReading(polled: PolledReading, newDevices: DeviceInfo[]): { supplies: boolean } {
    const outbox = this.outbox;
    const devices = this.devices;
    let supplies = false;
    const outcome = this.#commit(() => {
      outbox.recordReading(polled.serial, polled.address, polled.readAtMs, polled);
      const seen = devices.sighted(polled, polled.readAtMs);
      const device = seen.device;
      if (seen.kind !== "known" || !device.registered) {
        if (!newDevices.some((d) => d.serial === polled.serial)) newDevices.push(toDeviceInfo(polled));
      }
      if (
        device.supplies &&
        device.state !== "disabled" &&
        device.suppliesIntervalMs &&
        (device.lastSuppliesAtMs === null ||
          polled.readAtMs - device.lastSuppliesAtMs >= device.suppliesIntervalMs)
      ) {
        this.#append([
          {
            kind: "supplies-report",
            serial: polled.serial,
            readAtMs: polled.readAtMs,
            payload: toSuppliesReport(polled),
          },
        ]);
        devices.suppliesCommitted(polled.serial, polled.readAtMs);
        supplies = true;
      }
      return seen;
    }, "committing a poll reading");
    if (outcome.kind === "new") {
      this.#log.info({ serial: polled.serial, address: polled.address }, "new device");
      this.emit("device-new", { device: outcome.device });
    } else if (outcome.kind === "replaced") {
      this.#log.warn(
        { serial: polled.serial, previous: outcome.previous.serial, address: polled.address },
        "device replaced",
      );
      this.emit("device-replaced", { device: outcome.device, previous: outcome.previous });
    }
    return { supplies };
  }

  // ----- sync session -----

  /** A sync session; a failure no resend can fix gets the agent stuck, a success ends that. */
  async #session(): Promise<SyncSummary | undefined> {
    const startedAtMs = this.clock.now();
    try {
      const summary = await this.#sessionSteps();
      // The session's last flush swallows delivery errors: a failure it got stuck on just now
      // is not a recovery.
      if (!this.#stuckSince(startedAtMs)) this.#recovered();
      return summary;
    } catch (err) {
      if (!(err instanceof AbortError) && !this.#abort.signal.aborted) this.#noteStuck(err, "sync session");
      throw err;
    }
  }

  async #sessionSteps(): Promise<SyncSummary | undefined> {
    const transport = this.#transport as AgentTransport;
    const outbox = this.outbox;
    const atMs = this.clock.now();
    const call = { abortSignal: this.#abort.signal };
    const state = this.#agentState();
    if (!state.proxyRegistered()) {
      const key = state.proxyKey(() =>
        `proxy:${this.config.proxy.id}:${new Date(atMs).toISOString()}`.slice(0, 128),
      );
      const result = await transport.registerProxy(
        {
          key,
          proxyId: this.config.proxy.id,
          software: this.#software,
          host: this.config.proxy.host ?? hostname(),
          ...(this.config.proxy.site ? { site: this.config.proxy.site } : {}),
        },
        call,
      );
      state.markProxyRegistered();
      this.#log.info({ duplicate: result.duplicate }, "proxy registered");
    }
    // Devices must be known to the server before Sync reports on them or reads name them.
    await this.#flush({ kinds: ["register-devices"], throwOnTransportError: true });
    const dirty = this.devices.dirty();
    const statuses: DeviceStatusReport[] = dirty.map((d) => ({
      serial: d.serial,
      state: d.state,
      ...(d.lastOkAtMs !== null ? { lastReadAt: new Date(d.lastOkAtMs) } : {}),
      ...(d.detail ? { detail: d.detail.slice(0, 255) } : {}),
    }));
    const result = await transport.sync(
      { proxyId: this.config.proxy.id, clientTime: new Date(atMs), ...(statuses.length ? { statuses } : {}) },
      call,
    );
    this.#commit(() => this.devices.reported(dirty));
    if (result.configure) this.#applyConfiguration(result.configure);
    await this.#obey(result.directives);
    state.setLastSyncAtMs(atMs);
    await this.#flush();
    // Acknowledged entries are kept a week (for `esol agent status` and audits), then dropped.
    const pruned = outbox.prune();
    if (pruned > 0) this.#log.debug({ pruned }, "pruned acknowledged outbox entries");
    const summary: SyncSummary = {
      atMs,
      directives: result.directives,
      statuses,
      ...(result.configure ? { configure: result.configure } : {}),
    };
    this.#log.info({ directives: result.directives.length, statuses: statuses.length }, "sync done");
    this.emit("sync", summary);
    return summary;
  }

  #applyConfiguration(c: ClientConfiguration): void {
    const state = this.#agentState();
    const before = this.#pollIntervalMs();
    this.#commit(() => state.applyConfiguration(c));
    this.#log.info({ ...c }, "configuration received");
    if (this.#pollIntervalMs() !== before)
      this.#schedule("poll", this.#pollIntervalMs(), () =>
        this.#enqueue("poll", () => this.#pollAndReschedule()),
      );
  }

  async #obey(directives: readonly Directive[]): Promise<void> {
    const outbox = this.outbox;
    const devices = this.devices;
    for (const d of directives) this.emit("directive", d);
    const billing: Array<Extract<Directive, { kind: "BillingRequest" }>> = [];
    // Everything but billing reads is bookkeeping: one transaction (one fsync) for the whole answer.
    this.#commit(() => {
      const confirmations: ServiceStatus[] = [];
      for (const d of directives) {
        const device = devices.get(d.serial);
        switch (d.kind) {
          case "EnableService":
            if (device) devices.setService(d.serial, d.service, true);
            confirmations.push({
              serial: d.serial,
              service: d.service,
              enabled: device !== undefined && device.state !== "disabled",
              ...(device ? {} : { detail: "unknown device" }),
            });
            break;
          case "SuppliesRequest": {
            if (!device) break;
            devices.setService(d.serial, "supplies", true, d.intervalMs);
            // Start the series now from the newest reading rather than waiting a whole interval.
            const latest =
              device.lastSuppliesAtMs === null && device.state !== "disabled"
                ? outbox.latestReading(d.serial)
                : undefined;
            if (latest) {
              const reading = latest.reading as PolledReading;
              this.#append([
                {
                  kind: "supplies-report",
                  serial: d.serial,
                  readAtMs: reading.readAtMs,
                  payload: toSuppliesReport(reading),
                },
              ]);
              devices.suppliesCommitted(d.serial, reading.readAtMs);
            }
            break;
          }
          case "BillingRequest":
            billing.push(d);
            break;
          case "Disable":
            if (!device) break;
            devices.disable(d.serial, d.reason);
            confirmations.push(
              { serial: d.serial, service: "billing", enabled: false, detail: "disabled" },
              { serial: d.serial, service: "supplies", enabled: false, detail: "disabled" },
            );
            this.#log.warn({ serial: d.serial, reason: d.reason }, "device disabled by the server");
            break;
          default:
            this.#log.warn({ directive: d }, "unknown directive ignored");
        }
      }
      for (let i = 0; i < confirmations.length; i += 10_000)
        this.#append([{ kind: "sync-status", payload: { statuses: confirmations.slice(i, i + 10_000) } }]);
    }, "obeying directives");
    if (billing.length > 0) await this.#answerBillingRequests(billing);
  }

  /**
   * Answers `BillingRequest`s: fresh reads of the requested devices (concurrently, like a
   * poll, each committed as a poll reading), else each device's newest committed reading.
   * A billing read is committed before it is sent, at most once per serial and cycle.
   */
  async #answerBillingRequests(
    requests: Array<Extract<Directive, { kind: "BillingRequest" }>>,
  ): Promise<void> {
    const outbox = this.outbox;
    const wanted: Array<{ d: (typeof requests)[number]; device: KnownDevice; dedupKey: string }> = [];
    for (const d of requests) {
      const dedupKey = `billing:${d.serial}:${d.cycle}`;
      if (outbox.findByDedupKey(dedupKey)) continue;
      const device = this.devices.get(d.serial);
      if (!device || device.state === "disabled") {
        this.#log.warn(
          { serial: d.serial, cycle: d.cycle },
          "billing request for an unknown or disabled device",
        );
        continue;
      }
      wanted.push({ d, device, dedupKey });
    }
    if (wanted.length === 0) return;
    const fresh = new Map<string, PolledReading>();
    const addresses = [...new Set(wanted.map((w) => w.device.address))];
    for await (const r of (this.#reader as AgentReader).poll(addresses, {
      concurrency: this.config.devices.concurrency,
      abortSignal: this.#abort.signal,
    })) {
      if (this.#abort.signal.aborted) throw new AbortError("billing reads stopped");
      const polled = r.reading
        ? toPolledReading(r.reading, this.clock.now(), this.config.devices.fallbackIdentity)
        : undefined;
      if (polled) fresh.set(polled.serial, polled);
      else
        this.#log.warn(
          { target: r.target, err: r.error ? errorLine(r.error) : "no serial" },
          "fresh billing read failed",
        );
    }
    // One transaction (one fsync) for the whole batch: every reading is already in memory.
    this.#commit(() => {
      for (const { d, dedupKey } of wanted) {
        // Another serial at that address is a replacement (found by the next poll): bill from what we have.
        let reading = fresh.get(d.serial);
        if (reading) {
          outbox.recordReading(reading.serial, reading.address, reading.readAtMs, reading);
          this.devices.sighted(reading, reading.readAtMs);
        } else {
          reading = outbox.latestReading(d.serial)?.reading as PolledReading | undefined;
          if (!reading) {
            this.#log.warn(
              { serial: d.serial, cycle: d.cycle },
              "no reading to answer the billing request yet",
            );
            continue;
          }
        }
        this.#append([
          {
            kind: "billing-read",
            serial: d.serial,
            readAtMs: reading.readAtMs,
            dedupKey,
            payload: toBillingRead(reading, d.cycle, d.meters),
          },
        ]);
      }
    }, "committing billing reads");
  }

  // ----- delivery -----

  /**
   * Sends due entries kind by kind, in batches. Retryable failures reschedule the batch
   * (backoff, Retry-After) and stop the flush; non-retryable faults park single entries
   * (a failing batch is split first, so one bad read never parks its neighbours).
   */
  async #flush(
    options: { kinds?: readonly OutboxKind[]; throwOnTransportError?: boolean } = {},
  ): Promise<void> {
    const outbox = this.outbox;
    const kinds = options.kinds ?? DELIVERY_ORDER;
    try {
      for (const kind of kinds) {
        for (let guard = 0; guard < 10_000; guard++) {
          const limit = kind === "billing-read" || kind === "supplies-report" ? this.#batchSize : 1;
          const due = outbox.due({ kinds: [kind], limit });
          if (due.length === 0) break;
          const ok = await this.#deliver(kind, due);
          if (!ok) {
            if (options.throwOnTransportError) throw this.#lastTransportError;
            return;
          }
        }
      }
    } finally {
      this.#scheduleRetry();
    }
  }

  #lastTransportError: SdkError | undefined;

  #scheduleRetry(): void {
    if (!this.#running || !this.#outbox) return;
    if (this.#stuck !== null) {
      // No resend can help: the slow re-check (a sync session) delivers once things change.
      this.#timers.get("flush")?.cancel();
      this.#timers.delete("flush");
      return;
    }
    const next = this.#outbox.nextAttemptAtMs();
    if (next === undefined) {
      this.#timers.get("flush")?.cancel();
      this.#timers.delete("flush");
      return;
    }
    this.#schedule("flush", Math.max(0, next - this.clock.now()), () =>
      this.#enqueue("flush", () => this.#flushAndReschedule()),
    );
  }

  /** Delivers one batch; false when delivery must stop for now (retryable failure). */
  async #deliver(kind: OutboxKind, entries: OutboxEntry[]): Promise<boolean> {
    const outbox = this.outbox;
    const seqs = entries.map((e) => e.seq);
    try {
      const ack = await this.#send(kind, entries);
      outbox.markSent(seqs);
      this.#recovered();
      const event: SentEvent = {
        kind,
        keys: entries.map((e) => e.key),
        serials: entries.map((e) => e.serial),
        accepted: ack.accepted,
        duplicates: ack.duplicates,
      };
      this.#log.info(
        { kind, count: entries.length, accepted: ack.accepted, duplicates: ack.duplicates },
        "delivered",
      );
      this.emit("sent", event);
      return true;
    } catch (err) {
      if (err instanceof AbortError || this.#abort.signal.aborted)
        throw new AbortError("delivery stopped", { cause: err });
      const e = asSdkError(err);
      if (this.#noteStuck(err, `delivering ${kind}`)) {
        // Every entry would meet the same refusal: keep them due, neither parked nor counted.
        this.#lastTransportError = e;
        return false;
      }
      const permanent = isPermanent(err);
      if (permanent) {
        if (entries.length > 1) {
          // Find the culprit: send one by one so only the refused entries are parked.
          for (const entry of entries) {
            const ok = await this.#deliver(kind, [entry]);
            if (!ok) return false;
          }
          return true;
        }
        const entry = entries[0] as OutboxEntry;
        const reason = errorLine(err);
        outbox.park([entry.seq], reason);
        this.#log.error(
          { kind, key: entry.key, serial: entry.serial, reason },
          "parked: the server refused it",
        );
        this.emit("parked", { kind, key: entry.key, serial: entry.serial, reason });
        return true;
      }
      const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs;
      const next = outbox.markFailed(
        seqs,
        errorLine(err),
        retryAfterMs !== undefined ? { retryAfterMs } : {},
      );
      this.#lastTransportError = e;
      this.#log.warn(
        { kind, count: entries.length, err: errorLine(err), nextAttemptAt: new Date(next).toISOString() },
        "delivery failed; will retry",
      );
      this.#emitError(e);
      return false;
    }
  }

  async #send(kind: OutboxKind, entries: OutboxEntry[]): Promise<Ack> {
    const transport = this.#transport as AgentTransport;
    const proxyId = this.config.proxy.id;
    const call = { abortSignal: this.#abort.signal };
    const first = entries[0] as OutboxEntry;
    switch (kind) {
      case "register-devices": {
        const p = first.payload as { devices: DeviceInfo[] };
        return transport.registerDevices({ key: first.key, proxyId, devices: p.devices }, call);
      }
      case "sync-status": {
        const p = first.payload as { statuses: ServiceStatus[] };
        return transport.reportSyncStatus({ key: first.key, proxyId, statuses: p.statuses }, call);
      }
      case "billing-read": {
        const reads = entries.map((e) => {
          const p = e.payload as { key: string; serial: string; readAt: string; cycle?: string; meters: [] };
          return { ...p, key: e.key, readAt: new Date(p.readAt) };
        });
        return transport.submitBillingReads({ proxyId, reads }, call);
      }
      case "supplies-report": {
        const reports = entries.map((e) => {
          const p = e.payload as { key: string; serial: string; readAt: string; supplies: [] };
          return { ...p, key: e.key, readAt: new Date(p.readAt) };
        });
        return transport.submitSuppliesReport({ proxyId, reports }, call);
      }
    }
  }
}

/**
 * Whether no resend can fix a failure: a SOAP fault the server marked not retryable
 * (`UNKNOWN_DEVICE`, `INVALID_VALUE`, a refused signature), or an HTTP 4xx other than 429
 * without a fault, or a message the client refused to send (`ValidationError`
 * `INVALID_VALUE`, e.g. a billing read of a device with no billing meters: the schema
 * requires 1–64). Everything else (5xx, 429, resets, timeouts, a response that failed
 * verification) is retried: the server stores each key once, so a resend is harmless.
 */
export function isPermanent(err: unknown): boolean {
  if (err instanceof SoapFaultError) return !err.retryable;
  // Raised before anything was sent: the same entry fails the same way at every attempt.
  if (err instanceof ValidationError) return !err.retryable;
  if (err instanceof TransportError) {
    const status = err.status ?? 0;
    return !err.retryable && status >= 400 && status < 500 && status !== 429;
  }
  return false;
}
