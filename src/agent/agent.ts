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
import { dateOf } from "../clock.js";
import { AbortError, type SdkError, SnmpError, StorageError } from "../errors.js";
import type { DeviceReading } from "../snmp/mib/reading.js";
import { type PollScope, serializePollPlan } from "../snmp/poll-plan.js";
import { type PlannedReading, PrinterReader } from "../snmp/reader.js";
import { CommunicationClient } from "../soap/client.js";
import { occurs } from "../soap/contract-limits.js";
import type {
  ClientConfiguration,
  DeviceInfo,
  DeviceStatusReport,
  Directive,
  ServiceStatus,
} from "../soap/models.js";
import type { MessageSecurity } from "../soap/security.js";
import { createMessageSigner } from "../wssec/index.js";
import { AlarmMonitor } from "./alarms.js";
import { type Clock, SystemClock, type TimerHandle } from "./clock.js";
import type { AgentConfig } from "./config.js";
import { DELIVERY_ORDER, type DeliveryOutcome, deliveryBatchLimit, sendEntries } from "./delivery.js";
import { readerForDevices } from "./device-reader.js";
import type { DeviceRegistry, KnownDevice } from "./devices.js";
import { nextSyncAt, type TransmissionWindow } from "./duration.js";
import type { AgentEvents, AgentStatus, AgentStuck, PollSummary, SentEvent, SyncSummary } from "./events.js";
import { asSdkError, errorLine, isPermanent, stuckRemedy } from "./failures.js";
import { type AgentHttpOptions, createAgentHttpHandler } from "./http.js";
import { Outbox, type OutboxEntry, type OutboxKind } from "./outbox.js";
import type { AgentLogger, AgentReader, AgentTransport } from "./ports.js";
import {
  type PolledReading,
  polledReadingOf,
  toBillingRead,
  toDeviceInfo,
  toPolledReading,
  toSuppliesReport,
} from "./readings.js";
import { nextPollDelayMs, sessionRetry, stuckRecheck, syncDueAtStart } from "./schedule.js";
import { billingDedupKey, deviceStatusReports, proxyRegistration, proxyRegistrationKey } from "./session.js";
import { AgentState } from "./state.js";

export type {
  AgentEvents,
  AgentStatus,
  AgentStuck,
  CommittedEvent,
  DeviceEvent,
  DeviceReplacedEvent,
  ParkedEvent,
  PollFailure,
  PollSummary,
  SentEvent,
  SyncSummary,
} from "./events.js";
export { isPermanent, stuckRemedy } from "./failures.js";
export type { AgentCallOptions, AgentLogger, AgentReader, AgentTransport } from "./ports.js";

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
   * Clock of WS-Security timestamps. Default wall time; pass the agent's clock only when the
   * server runs on that same simulated clock. A plain function returning epoch ms is
   * deprecated (accepted until 0.3): pass a {@link Clock}.
   */
  securityClock?: Clock | (() => number);
  /**
   * While the agent is stuck on a failure no resend can fix (see {@link stuckRemedy}), how
   * long it waits before its first re-check of the server (one sync session); each failed
   * re-check doubles the wait, up to `schedule.maxRetryDelayMs` (or this value, if longer).
   * Default 1 h. `syncNow()` re-checks at once.
   */
  stuckRecheckMs?: number;
}

/**
 * Builds the WS-Security signer from the config, when it has one. Message timestamps use
 * `now` (wall time by default, even when the agent's schedule runs on a faster clock: the
 * server checks them against its own time).
 */
function securityFrom(
  config: AgentConfig,
  now: Clock | (() => number) | undefined,
): MessageSecurity | undefined {
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
      clock: this.clock,
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
    const syncSoon = syncDueAtStart({
      nowMs: this.clock.now(),
      lastSyncAtMs: state.lastSyncAtMs(),
      registered: state.proxyRegistered(),
      window: this.#window(),
      syncOnStart: this.#syncOnStart,
    });
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
    const lastSyncAtMs = state.lastSyncAtMs();
    return {
      running: this.#running,
      registered: state.proxyRegistered(),
      lastSyncAt: dateOf(lastSyncAtMs),
      lastSyncAtMs,
      nextSyncAt: dateOf(this.#nextSyncAtMs),
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
      ...(s.httpProxy ? { httpProxy: s.httpProxy } : {}),
      ...(security ? { security } : {}),
      onExchange: (e) => {
        if (this.listenerCount("exchange") > 0) this.emit("exchange", e);
      },
    });
  }

  #createReader(): AgentReader {
    return readerForDevices(this.config.devices, {
      fullReadingEveryMs: this.config.schedule.fullReadingEveryMs,
      clock: this.clock,
    });
  }

  /**
   * Reads `targets` with each device's stored poll plan when the reader can (one GET of what
   * changes; `scope` `meters`: the billing meters only), else with full readings.
   */
  #readTargets(
    targets: readonly string[],
    scope: PollScope,
  ): AsyncIterable<{
    target: string;
    reading?: DeviceReading | undefined;
    planned?: PlannedReading | undefined;
    error?: SdkError | undefined;
  }> {
    const reader = this.#reader as AgentReader;
    const options = { concurrency: this.config.devices.concurrency, abortSignal: this.#abort.signal };
    if (!reader.pollPlanned) return reader.poll(targets, options);
    const devices = this.devices;
    return reader.pollPlanned(targets, { ...options, scope, planFor: (t) => devices.pollPlan(t) });
  }

  /** The plan to store with the device after `planned` (undefined: the reader has no plans). */
  #planToStore(target: string, planned: PlannedReading | undefined): string | null | undefined {
    if (!planned) return undefined;
    const f = planned.fallback;
    if (f && f.code !== "noPlan") {
      const detail = { target, reason: f.code, detail: f.message };
      // A plan the agent cannot read is worth a warning; the others are how plans work.
      if (f.code === "planVersion" || f.code === "planCorrupt")
        this.#log.warn(detail, "stored poll plan unusable; full reading");
      // The daily discovery is routine: one line per device a day only at debug.
      else if (f.code === "planExpired") this.#log.debug(detail, "full discovery reading due");
      else this.#log.info(detail, "full reading instead of a steady poll");
    }
    return planned.plan ? serializePollPlan(planned.plan) : null;
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
  /**
   * The server answered `UNKNOWN_PROXY` although it acknowledged `RegisterProxy` before (its
   * store was reset, or restored from before the registration): registers the proxy again at
   * the next session (with a new idempotency key) and queues `RegisterDevices` for every
   * known device ahead of the readings, so none of them is refused as `UNKNOWN_DEVICE`.
   */
  #forgetRegistration(): void {
    const state = this.#agentState();
    if (!state.proxyRegistered()) return;
    const known = this.devices.list();
    this.#commit(() => {
      state.forgetProxyRegistration();
      const infos = known.map(toDeviceInfo);
      const per = occurs("RegisterDevices.Device").max;
      for (let i = 0; i < infos.length; i += per)
        this.#append([{ kind: "register-devices", payload: { devices: infos.slice(i, i + per) } }]);
    }, "forgetting the proxy registration");
    this.#log.warn(
      { proxyId: this.config.proxy.id, devices: known.length },
      "the server does not know this proxy any more: registering it and its devices again at the next sync",
    );
  }

  #noteStuck(err: unknown, during: string): boolean {
    const remedy = stuckRemedy(err);
    if (remedy === undefined) return false;
    const e = asSdkError(err);
    if (e.code === "UNKNOWN_PROXY") this.#forgetRegistration();
    const now = this.clock.now();
    const prev = this.#stuck;
    const schedule = this.#running && this.#options.autoSchedule !== false;
    const { same, checks, waitMs } = stuckRecheck(
      prev,
      e.code,
      now,
      this.#stuckRecheckMs,
      this.config.schedule.maxRetryDelayMs,
    );
    const stuck: AgentStuck = {
      code: e.code,
      message: e.message.split("\n")[0] ?? "",
      remedy,
      during: same && prev ? prev.during : during,
      stuckAt: same && prev ? prev.stuckAt : new Date(now),
      sinceMs: same && prev ? prev.sinceMs : now,
      lastCheckAt: new Date(now),
      lastCheckAtMs: now,
      checks,
      nextCheckAt: schedule ? new Date(now + waitMs) : null,
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
      const next = nextPollDelayMs(started, this.#pollIntervalMs(), this.clock.now());
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
      const { waitMs, atMs: at } = sessionRetry({
        nowMs: this.clock.now(),
        startedAtMs: started,
        failures: this.#sessionFailures,
        retryAfterMs: (err as { retryAfterMs?: number }).retryAfterMs ?? 0,
        retryDelayMs: this.config.schedule.retryDelayMs,
        maxRetryDelayMs: this.config.schedule.maxRetryDelayMs,
        window: this.#window(),
        syncJitterMs: this.config.schedule.syncJitterMs,
        random: this.#random,
      });
      this.#log.warn({ err: errorLine(err), retryInMs: waitMs }, "sync failed; will retry");
      this.#emitError(asSdkError(err));
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
    const devices = this.devices;
    const atMs = this.clock.now();
    const summary: PollSummary = {
      startedAt: new Date(atMs),
      atMs,
      targets: 0,
      read: 0,
      steady: 0,
      full: 0,
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
    for await (const r of this.#readTargets(this.config.devices.targets, "all")) {
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
      const polled = toPolledReading(r.reading, new Date(atMs), this.config.devices.fallbackIdentity);
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
      const outcome = this.#commitReading(polled, newDevices, this.#planToStore(r.target, r.planned));
      summary.read++;
      if (r.planned && r.planned.kind !== "full") summary.steady++;
      else summary.full++;
      summary.suppliesCommitted += outcome.supplies ? 1 : 0;
    }
    if (newDevices.length > 0) {
      this.#commit(() => {
        const per = occurs("RegisterDevices.Device").max;
        for (let i = 0; i < newDevices.length; i += per)
          this.#append([{ kind: "register-devices", payload: { devices: newDevices.slice(i, i + per) } }]);
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

  /**
   * Commits one reading and what it implies (device changes, a due supplies report, the
   * device's new poll plan unless `plan` is undefined) in one transaction.
   */
  #commitReading(
    polled: PolledReading,
    newDevices: DeviceInfo[],
    plan?: string | null,
  ): { supplies: boolean } {
    const outbox = this.outbox;
    const devices = this.devices;
    let supplies = false;
    const outcome = this.#commit(() => {
      outbox.recordReading(polled.serial, polled.address, polled.readAt, polled);
      const seen = devices.sighted(polled, polled.readAtMs);
      const device = seen.device;
      if (plan !== undefined) devices.setPollPlan(polled.serial, plan);
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
            readAt: polled.readAt,
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
      const key = state.proxyKey(() => proxyRegistrationKey(this.config.proxy.id, atMs));
      const result = await transport.registerProxy(
        proxyRegistration(this.config, key, this.#software, hostname()),
        call,
      );
      state.markProxyRegistered();
      this.#log.info({ duplicate: result.duplicate }, "proxy registered");
    }
    // Devices must be known to the server before Sync reports on them or reads name them.
    await this.#flush({ kinds: ["register-devices"], throwOnTransportError: true });
    const dirty = this.devices.dirty();
    const statuses: DeviceStatusReport[] = deviceStatusReports(dirty);
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
      startedAt: new Date(atMs),
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
              const reading = polledReadingOf(latest);
              this.#append([
                {
                  kind: "supplies-report",
                  serial: d.serial,
                  readAt: reading.readAt,
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
      const per = occurs("ReportSyncStatus.Status").max;
      for (let i = 0; i < confirmations.length; i += per)
        this.#append([{ kind: "sync-status", payload: { statuses: confirmations.slice(i, i + per) } }]);
    }, "obeying directives");
    if (billing.length > 0) await this.#answerBillingRequests(billing);
  }

  /**
   * Answers `BillingRequest`s from each device's newest committed reading when it is younger
   * than `schedule.billingReadMaxAge` (no SNMP); the other devices' billing meters are read
   * (one GET of the meters of their poll plan, or a full reading without one; concurrently,
   * each committed as a reading), else their newest reading is used. A billing read is
   * committed before it is sent, at most once per serial and cycle.
   */
  async #answerBillingRequests(
    requests: Array<Extract<Directive, { kind: "BillingRequest" }>>,
  ): Promise<void> {
    const outbox = this.outbox;
    const wanted: Array<{ d: (typeof requests)[number]; device: KnownDevice; dedupKey: string }> = [];
    for (const d of requests) {
      const dedupKey = billingDedupKey(d.serial, d.cycle);
      const answered = outbox.findByDedupKey(dedupKey);
      if (answered) {
        // Asked again for a read it acknowledged: the server lost it (a reset or restored
        // store). The same read, under the same key, goes again.
        if (answered.state === "sent" && outbox.resendDelivered(answered.seq))
          this.#log.warn(
            { serial: d.serial, cycle: d.cycle, key: answered.key },
            "billing request for a read the server acknowledged before: sending it again",
          );
        continue;
      }
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
    const plans = new Map<string, string | null>();
    const now = this.clock.now();
    const maxAgeMs = this.config.schedule.billingReadMaxAgeMs;
    const stale = wanted.filter((w) => {
      const latest = outbox.latestReading(w.d.serial);
      return !latest || now - latest.readAtMs >= maxAgeMs;
    });
    this.#log.debug(
      { requests: wanted.length, fromRecentReadings: wanted.length - stale.length, maxAgeMs },
      "answering billing requests",
    );
    const addresses = [...new Set(stale.map((w) => w.device.address))];
    for await (const r of addresses.length > 0 ? this.#readTargets(addresses, "meters") : []) {
      if (this.#abort.signal.aborted) throw new AbortError("billing reads stopped");
      const polled = r.reading
        ? toPolledReading(r.reading, new Date(this.clock.now()), this.config.devices.fallbackIdentity)
        : undefined;
      if (polled) {
        fresh.set(polled.serial, polled);
        const plan = this.#planToStore(r.target, r.planned);
        if (plan !== undefined) plans.set(polled.serial, plan);
      } else
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
          outbox.recordReading(reading.serial, reading.address, reading.readAt, reading);
          this.devices.sighted(reading, reading.readAtMs);
          const plan = plans.get(reading.serial);
          if (plan !== undefined) this.devices.setPollPlan(reading.serial, plan);
        } else {
          const stored = outbox.latestReading(d.serial);
          reading = stored ? polledReadingOf(stored) : undefined;
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
            readAt: reading.readAt,
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
          const due = outbox.due({ kinds: [kind], limit: deliveryBatchLimit(kind, this.#batchSize) });
          if (due.length === 0) break;
          const outcome = await this.#deliver(kind, due);
          if (outcome.kind === "stopped") {
            if (options.throwOnTransportError) throw outcome.error;
            return;
          }
        }
      }
    } finally {
      this.#scheduleRetry();
    }
  }

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

  /** Delivers one batch; `stopped` (with the error) when delivery must stop for now. */
  async #deliver(kind: OutboxKind, entries: OutboxEntry[]): Promise<DeliveryOutcome> {
    const outbox = this.outbox;
    const seqs = entries.map((e) => e.seq);
    try {
      const ack = await sendEntries(this.#transport as AgentTransport, this.config.proxy.id, kind, entries, {
        abortSignal: this.#abort.signal,
      });
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
      return { kind: "settled" };
    } catch (err) {
      if (err instanceof AbortError || this.#abort.signal.aborted)
        throw new AbortError("delivery stopped", { cause: err });
      const e = asSdkError(err);
      if (this.#noteStuck(err, `delivering ${kind}`)) {
        // Every entry would meet the same refusal: keep them due, neither parked nor counted.
        return { kind: "stopped", error: e };
      }
      const permanent = isPermanent(err);
      if (permanent) {
        if (entries.length > 1) {
          // Find the culprit: send one by one so only the refused entries are parked.
          for (const entry of entries) {
            const outcome = await this.#deliver(kind, [entry]);
            if (outcome.kind === "stopped") return outcome;
          }
          return { kind: "settled" };
        }
        const entry = entries[0] as OutboxEntry;
        const reason = errorLine(err);
        outbox.park([entry.seq], reason);
        this.#log.error(
          { kind, key: entry.key, serial: entry.serial, reason },
          "parked: the server refused it",
        );
        this.emit("parked", { kind, key: entry.key, serial: entry.serial, reason });
        return { kind: "settled" };
      }
      const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs;
      const next = outbox.markFailed(
        seqs,
        errorLine(err),
        retryAfterMs !== undefined ? { retryAfterMs } : {},
      );
      this.#log.warn(
        { kind, count: entries.length, err: errorLine(err), nextAttemptAt: new Date(next).toISOString() },
        "delivery failed; will retry",
      );
      this.#emitError(e);
      return { kind: "stopped", error: e };
    }
  }
}
