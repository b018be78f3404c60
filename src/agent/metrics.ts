/**
 * Prometheus metrics of a running {@link Agent} (prom-client, text exposition format 0.0.4):
 * counters fed by the agent's events, gauges read from `agent.status()` at each scrape.
 * @module
 */
import { Counter, Gauge, Registry } from "prom-client";
import type { SdkError } from "../errors.js";
import type { OperationName } from "../soap/models.js";
import type { Agent, AgentReader, AgentStatus } from "./agent.js";
import { ALARM_KINDS } from "./alarms.js";

/** Device states, always exported (0 when none) so a dashboard's series never vanish. */
const DEVICE_STATES = ["ok", "silent", "replaced", "disabled"] as const;

/**
 * The metrics of one agent, in their own prom-client `Registry` (never the global one,
 * so several agents can live in one process).
 */
export class AgentMetrics {
  /** The registry to scrape (`await metrics.registry.metrics()`). */
  readonly registry: Registry;
  readonly #snmpErrors: Counter<"code">;
  readonly #agent: Agent;
  /** The status of the scrape in progress ({@link AgentMetrics.text}). */
  #snapshot: { status: AgentStatus | undefined } | undefined;
  /** The last error the agent reported (for `/healthz` reasons). */
  lastError: SdkError | undefined;

  constructor(agent: Agent) {
    this.#agent = agent;
    const registry = new Registry();
    this.registry = registry;
    const registers = [registry];
    const polls = new Counter({ name: "esol_agent_polls_total", help: "Polls finished.", registers });
    const committed = new Counter({
      name: "esol_agent_readings_committed_total",
      help: "Device readings committed to the outbox by polls.",
      registers,
    });
    const pollFailures = new Counter({
      name: "esol_agent_poll_targets_failed_total",
      help: "Targets that gave no usable reading in a poll.",
      registers,
    });
    const syncs = new Counter({
      name: "esol_agent_syncs_total",
      help: "Sync sessions completed.",
      registers,
    });
    const deliveries = new Counter({
      name: "esol_agent_deliveries_total",
      help: "Outbox entries by delivery result: sent (acknowledged) or parked (refused for good).",
      labelNames: ["kind", "result"] as const,
      registers,
    });
    const records = new Counter({
      name: "esol_agent_records_acknowledged_total",
      help: "Records the server acknowledged, as newly stored (accepted) or already stored (duplicate).",
      labelNames: ["kind", "result"] as const,
      registers,
    });
    const exchanges = new Counter({
      name: "esol_agent_exchanges_total",
      help: "Server call attempts by operation and result (ok, or the error code).",
      labelNames: ["operation", "result"] as const,
      registers,
    });
    const sent = new Counter({
      name: "esol_agent_bytes_sent_total",
      help: "Request bytes on the wire, per operation.",
      labelNames: ["operation"] as const,
      registers,
    });
    const received = new Counter({
      name: "esol_agent_bytes_received_total",
      help: "Response bytes on the wire, per operation.",
      labelNames: ["operation"] as const,
      registers,
    });
    this.#snmpErrors = new Counter({
      name: "esol_agent_snmp_errors_total",
      help: "Failed device reads by error code (SNMP_TIMEOUT, SNMP_AUTH_FAILED, ...).",
      labelNames: ["code"] as const,
      registers,
    });
    // One `agent.status()` per scrape (it lists every device): text() takes it, the gauges read it.
    const status = (): AgentStatus | undefined => this.#snapshot?.status ?? statusOf(agent);
    new Gauge({
      name: "esol_agent_up",
      help: "1 while the agent runs.",
      registers,
      collect() {
        this.set(status()?.running ? 1 : 0);
      },
    });
    new Gauge({
      name: "esol_agent_devices",
      help: "Known devices by state.",
      labelNames: ["state"] as const,
      registers,
      collect() {
        this.reset();
        const s = status();
        if (!s) return;
        for (const state of DEVICE_STATES) this.set({ state }, 0);
        for (const d of s.devices) this.inc({ state: d.state });
      },
    });
    new Gauge({
      name: "esol_agent_outbox_entries",
      help: "Outbox entries by state (pending, sent until pruned, parked) and quarantined rows.",
      labelNames: ["state"] as const,
      registers,
      collect() {
        this.reset();
        const o = status()?.outbox;
        if (!o) return;
        this.set({ state: "pending" }, o.pending);
        this.set({ state: "sent" }, o.sent);
        this.set({ state: "parked" }, o.parked);
        this.set({ state: "quarantined" }, o.quarantined);
      },
    });
    new Gauge({
      name: "esol_agent_last_sync_success_timestamp_seconds",
      help: "Unix time of the last successful sync (0: never).",
      registers,
      collect() {
        this.set((status()?.lastSyncAtMs ?? 0) / 1000);
      },
    });
    new Gauge({
      name: "esol_agent_next_sync_timestamp_seconds",
      help: "Unix time of the next scheduled sync (0: none).",
      registers,
      collect() {
        this.set((status()?.nextSyncAtMs ?? 0) / 1000);
      },
    });
    new Gauge({
      name: "esol_agent_alarms",
      help: "Active alarms by kind (communication-lost, device-silent, ...; docs/running-the-agent.md).",
      labelNames: ["kind"] as const,
      registers,
      collect() {
        this.reset();
        const s = status();
        if (!s) return;
        for (const kind of ALARM_KINDS) this.set({ kind }, s.alarms.filter((a) => a.kind === kind).length);
      },
    });
    new Gauge({
      name: "esol_agent_device_last_read_age_seconds",
      help: "Seconds since each device's last good read, on the agent's clock.",
      labelNames: ["serial", "address", "model"] as const,
      registers,
      collect() {
        this.reset();
        const s = status();
        if (!s) return;
        const now = agent.clock.now();
        for (const d of s.devices)
          if (d.lastOkAtMs !== null)
            this.set(
              { serial: d.serial, address: d.address, model: d.model ?? "" },
              Math.max(0, (now - d.lastOkAtMs) / 1000),
            );
      },
    });

    agent.on("poll", (p) => {
      polls.inc();
      committed.inc(p.read);
      pollFailures.inc(p.failed);
    });
    agent.on("sync", () => syncs.inc());
    agent.on("sent", (e) => {
      deliveries.inc({ kind: e.kind, result: "sent" }, e.keys.length);
      records.inc({ kind: e.kind, result: "accepted" }, e.accepted);
      records.inc({ kind: e.kind, result: "duplicate" }, e.duplicates);
    });
    agent.on("parked", (e) => deliveries.inc({ kind: e.kind, result: "parked" }));
    agent.on("exchange", (x) => {
      const op: OperationName = x.operation;
      const code = x.error ? ((x.error as Partial<SdkError>).code ?? "ERROR") : "ok";
      exchanges.inc({ operation: op, result: code });
      if (x.requestBytes > 0) sent.inc({ operation: op }, x.requestBytes);
      if (x.responseBytes > 0) received.inc({ operation: op }, x.responseBytes);
    });
    agent.on("sync", () => {
      this.lastError = undefined;
    });
    agent.on("error", (err) => {
      this.lastError = err;
    });
  }

  /** Counts one device read outcome (see {@link observeReader}). */
  observeRead(error: SdkError | undefined): void {
    if (error) this.#snmpErrors.inc({ code: error.code });
  }

  /**
   * The metrics in the Prometheus text format. The gauges read one `agent.status()` taken at
   * the start of the scrape (scrapes at the same time share it).
   */
  async text(): Promise<string> {
    const own = this.#snapshot === undefined;
    if (own) this.#snapshot = { status: statusOf(this.#agent) };
    try {
      return await this.registry.metrics();
    } finally {
      if (own) this.#snapshot = undefined;
    }
  }

  /** `Content-Type` of {@link AgentMetrics.text}. */
  get contentType(): string {
    return this.registry.contentType;
  }
}

/** `agent.status()`, or undefined when the agent is not started (its outbox is closed). */
function statusOf(agent: Agent): AgentStatus | undefined {
  try {
    return agent.status();
  } catch {
    return undefined;
  }
}

const byAgent = new WeakMap<Agent, AgentMetrics>();

/**
 * The metrics of `agent` (created on first use, then shared: `agent.httpHandler()` and the
 * CLI see the same counters). Counters count from their creation: create them before
 * `agent.start()` to count the first poll.
 */
export function agentMetrics(agent: Agent): AgentMetrics {
  let m = byAgent.get(agent);
  if (!m) {
    m = new AgentMetrics(agent);
    byAgent.set(agent, m);
  }
  return m;
}

/**
 * Wraps a device reader so that every failed read is reported to `onResult` (the agent's
 * own events carry no per-target error codes). Pass the result as `AgentOptions.reader` and
 * route it to {@link AgentMetrics.observeRead} to fill `esol_agent_snmp_errors_total`.
 *
 * The reads it knows are observed: `read`, `poll`, `pollPlanned` and a `readPlanned` (a
 * `PrinterReader`'s). Every other member is the reader's own, called on the reader
 * itself (a `PrinterReader`'s `credentialsFor`, a custom reader's `close`), and the result is
 * still an `instanceof` the reader's class: wrapping takes nothing away.
 * @example
 * ```ts
 * let metrics: AgentMetrics | undefined;
 * const reader = observeReader(new PrinterReader({ profiles: config.devices.profiles }), (err) =>
 *   metrics?.observeRead(err),
 * );
 * const agent = new Agent(config, { reader });
 * metrics = agentMetrics(agent);
 * reader.credentialsFor("192.0.2.10"); // still a PrinterReader
 * ```
 */
export function observeReader<R extends AgentReader>(
  reader: R,
  onResult: (error: SdkError | undefined) => void,
): R {
  const observe = async <T>(read: () => Promise<T>): Promise<T> => {
    try {
      const r = await read();
      onResult(undefined);
      return r;
    } catch (err) {
      onResult(err as SdkError);
      throw err;
    }
  };
  const observed = new Map<PropertyKey, unknown>([
    [
      "read",
      (target: string, options?: { abortSignal?: AbortSignal }) =>
        observe(() => reader.read(target, options)),
    ],
    [
      "poll",
      async function* poll(...args: Parameters<AgentReader["poll"]>) {
        for await (const r of reader.poll(...args)) {
          onResult(r.error);
          yield r;
        }
      },
    ],
  ]);
  // Poll plans pass through: an observed reader still polls with one GET per device.
  if (reader.pollPlanned)
    observed.set(
      "pollPlanned",
      async function* pollPlanned(...args: Parameters<NonNullable<AgentReader["pollPlanned"]>>) {
        // Called on `reader` (a method of it), never detached from it.
        for await (const r of reader.pollPlanned?.(...args) ?? []) {
          onResult(r.error);
          yield r;
        }
      },
    );
  const readPlanned: unknown = Reflect.get(reader, "readPlanned");
  if (typeof readPlanned === "function")
    observed.set("readPlanned", (...args: unknown[]) =>
      observe(() => Promise.resolve(readPlanned.apply(reader, args))),
    );
  /** The reader's other methods, bound to it once (so `wrapped.close === wrapped.close`). */
  const bound = new Map<PropertyKey, { own: unknown; bound: unknown }>();
  return new Proxy(reader, {
    get(target, key) {
      if (observed.has(key)) return observed.get(key);
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      const seen = bound.get(key);
      if (seen?.own === value) return seen.bound;
      const b = value.bind(target);
      bound.set(key, { own: value, bound: b });
      return b;
    },
  });
}
