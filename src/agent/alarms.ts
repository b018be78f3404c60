/**
 * Alarms of a running agent (issue 17, item 4): conditions an operator must act on, derived
 * from the agent's state. {@link evaluateAlarms} is pure (state + clock → the conditions that
 * hold now); {@link reconcileAlarms} turns two successive evaluations into `alarm` /
 * `alarm-cleared` transitions, so each alarm is announced once when it becomes active and
 * once when it clears, not at every poll. {@link AlarmMonitor} wires both to an agent.
 *
 * Kinds: `communication-lost`, `device-silent`, `device-replaced`, `device-not-billable`,
 * `storage-nearly-full`, `meter-regressed` (docs/running-the-agent.md, "Alarms").
 * @module
 */
import type { Meter } from "../soap/models.js";
import type { Agent, AgentLogger } from "./agent.js";
import type { TimerHandle } from "./clock.js";
import type { AgentConfig } from "./config.js";
import type { KnownDevice } from "./devices.js";
import { formatDuration } from "./duration.js";
import type { PolledReading } from "./readings.js";

/** The kinds of alarm, in the order the status page lists them (worst first). */
export const ALARM_KINDS = [
  "communication-lost",
  "storage-nearly-full",
  "meter-regressed",
  "device-not-billable",
  "device-silent",
  "device-replaced",
] as const;

/** One kind of alarm (see {@link ALARM_KINDS}). */
export type AlarmKind = (typeof ALARM_KINDS)[number];

/** An active alarm (`alarm` / `alarm-cleared` events, `status().alarms`). */
export interface AgentAlarm {
  /** What is wrong. */
  kind: AlarmKind;
  /**
   * Stable identity of this alarm: the kind, plus the device serial or target it is about
   * (`device-silent:XRX-0001`, `device-not-billable:10.0.0.7:161`, `communication-lost`).
   */
  id: string;
  /** When (agent clock) the alarm became active. */
  raisedAt: Date;
  /**
   * {@link AgentAlarm.raisedAt} in epoch ms.
   * @deprecated Use `raisedAt`; still set, removed in 0.3.
   */
  raisedAtMs: number;
  /** The device's serial, for device alarms that know it. */
  serial?: string;
  /** The device address (`host:port`), for device alarms. */
  address?: string;
  /** One line: what the agent sees, with figures. */
  message: string;
  /** What to do about it. */
  remedy: string;
}

/** An alarm condition before it has a raise time ({@link evaluateAlarms}' output). */
export type AlarmCondition = Omit<AgentAlarm, "raisedAt" | "raisedAtMs">;

/** One meter found lower than its baseline (`meter-regressed`). */
export interface MeterDrop {
  /** Meter name. */
  name: string;
  /** Highest value read before (the baseline). */
  previous: number;
  /** Value read now. */
  current: number;
}

/** A device whose meters went down (input of {@link evaluateAlarms}). */
export interface MeterRegression {
  /** Serial. */
  serial: string;
  /** Address of the reading. */
  address: string;
  /** When the lower reading was taken. */
  readAt: Date;
  /**
   * {@link MeterRegression.readAt} in epoch ms.
   * @deprecated Use `readAt`; still set, removed in 0.3.
   */
  readAtMs: number;
  /** The meters that went down. */
  drops: MeterDrop[];
}

/** What {@link evaluateAlarms} looks at. */
export interface AlarmInput {
  /** The agent's clock, epoch ms. */
  nowMs: number;
  /** Epoch ms the agent started (the reference for `communication-lost` before the first sync). */
  startedAtMs: number;
  /** Epoch ms of the last successful sync, null if none. */
  lastSyncAtMs: number | null;
  /** Known devices. */
  devices: readonly KnownDevice[];
  /** Targets of the last poll that answered without a serial (`SNMP_NO_SERIAL`), with the reason. */
  noSerial: ReadonlyArray<{
    /** `host:port` that answered without a serial. */
    target: string;
    /** The poll's failure message for it. */
    message: string;
  }>;
  /** Unsent (pending + parked) outbox entries. */
  unsentEntries: number;
  /** `outbox.maxEntries`. */
  maxEntries: number;
  /** Outbox file size in bytes. */
  sizeBytes: number;
  /** `outbox.maxBytes`. */
  maxBytes: number;
  /** Devices whose meters are below their baseline. */
  regressions: readonly MeterRegression[];
  /** Thresholds. */
  settings: AlarmSettings;
}

/** Alarm thresholds and webhook (`alarms` in the agent's config). */
export interface AlarmSettings {
  /** URL that receives a JSON POST per alarm raised or cleared ({@link postAlarmWebhook}). */
  webhook?: string;
  /** `communication-lost` after this long without a successful sync. Default 26 h. */
  communicationLostAfterMs: number;
  /** `storage-nearly-full` at this percentage of either outbox limit. Default 80. */
  storageNearlyFullPercent: number;
}

/** The default thresholds: 26 h (a daily sync window plus 2 h slack), 80 %. */
export const DEFAULT_ALARM_SETTINGS: Readonly<AlarmSettings> = {
  communicationLostAfterMs: 26 * 3_600_000,
  storageNearlyFullPercent: 80,
};

/** The thresholds of `config` (its `alarms` section, else {@link DEFAULT_ALARM_SETTINGS}). */
export function alarmSettings(config: AgentConfig): AlarmSettings {
  return { ...DEFAULT_ALARM_SETTINGS, ...config.alarms };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const name = (d: KnownDevice): string => `${d.serial} (${d.model ?? "device"} at ${d.address})`;

/**
 * The meters of `current` lower than the same-named meter of `baseline`. Meters present in only
 * one of them are not compared. Printer-MIB `prtMarkerLifeCount` and vendor billing counters are
 * monotonic for a device's life (RFC 3805 §2.2.5.1); a lower value means a reset or another
 * device under the same serial.
 */
export function meterRegressions(baseline: readonly Meter[], current: readonly Meter[]): MeterDrop[] {
  const before = new Map(baseline.map((m) => [m.name, m.value]));
  const out: MeterDrop[] = [];
  for (const m of current) {
    const previous = before.get(m.name);
    if (previous !== undefined && m.value < previous) out.push({ name: m.name, previous, current: m.value });
  }
  return out;
}

/** The baseline after a reading: per meter, the higher of the baseline and the reading. */
export function raiseBaseline(baseline: readonly Meter[], current: readonly Meter[]): Meter[] {
  const out = new Map(baseline.map((m) => [m.name, m]));
  for (const m of current) {
    const b = out.get(m.name);
    if (!b || m.value > b.value) out.set(m.name, m);
  }
  return [...out.values()];
}

/** The alarm conditions that hold for `input` (pure), in {@link ALARM_KINDS} order. */
export function evaluateAlarms(input: AlarmInput): AlarmCondition[] {
  const out: AlarmCondition[] = [];
  const { settings } = input;
  const since = input.lastSyncAtMs ?? input.startedAtMs;
  const age = input.nowMs - since;
  if (age >= settings.communicationLostAfterMs)
    out.push({
      kind: "communication-lost",
      id: "communication-lost",
      message:
        input.lastSyncAtMs === null
          ? `no successful sync since the agent started ${formatDuration(age)} ago (${iso(since)})`
          : `no successful sync for ${formatDuration(age)} (last ${iso(since)}; alarm after ${formatDuration(settings.communicationLostAfterMs)})`,
      remedy:
        "check the network path and proxy to server.url, and `esol agent check`; readings keep being committed to the outbox and are delivered once the server answers",
    });
  const pct = settings.storageNearlyFullPercent;
  const entriesPct = (100 * input.unsentEntries) / input.maxEntries;
  const bytesPct = (100 * input.sizeBytes) / input.maxBytes;
  if (entriesPct >= pct || bytesPct >= pct)
    out.push({
      kind: "storage-nearly-full",
      id: "storage-nearly-full",
      message: `the outbox is ${Math.floor(Math.max(entriesPct, bytesPct))}% full: ${input.unsentEntries} of ${input.maxEntries} unsent entries, ${input.sizeBytes} of ${input.maxBytes} bytes (alarm at ${pct}%)`,
      remedy:
        "restore delivery (see communication-lost and parked entries in `esol agent status`), or raise outbox.maxEntries / outbox.maxBytes; when full, new readings are refused",
    });
  for (const r of input.regressions)
    out.push({
      kind: "meter-regressed",
      id: `meter-regressed:${r.serial}`,
      serial: r.serial,
      address: r.address,
      message: `${r.serial} at ${r.address} read ${r.drops.map((d) => `${d.name} ${d.current} < ${d.previous}`).join(", ")} at ${iso(r.readAtMs)}, without a device replacement`,
      remedy:
        "check whether the device's controller or NVRAM was replaced or reset, and tell the billing operator; the alarm clears when the meters pass their earlier values",
    });
  for (const f of input.noSerial)
    out.push({
      kind: "device-not-billable",
      id: `device-not-billable:${f.target}`,
      address: f.target,
      message: `the device at ${f.target} answers but reports no serial number, so its meters cannot be billed: ${f.message}`,
      remedy:
        "set the serial number on the device (its web page or panel), or check that the SNMP view grants the serial OIDs (docs/PRINTER-MIBS.md)",
    });
  for (const d of input.devices) {
    if (d.state === "silent")
      out.push({
        kind: "device-silent",
        id: `device-silent:${d.serial}`,
        serial: d.serial,
        address: d.address,
        message: `${name(d)} has not answered ${d.failedPolls} poll(s)${d.lastOkAtMs === null ? "" : `, last read ${iso(d.lastOkAtMs)}`}`,
        remedy:
          "check that the device is on, on the network, at the same address, and that its SNMP settings match devices.credentials",
      });
    else if (d.state === "replaced")
      out.push({
        kind: "device-replaced",
        id: `device-replaced:${d.serial}`,
        serial: d.serial,
        address: d.address,
        message: `${name(d)} was replaced: ${d.detail ?? "another serial answers at its address"}`,
        remedy:
          "confirm the swap was intended and tell the contract owner; the alarm clears when the server disables the old serial or it answers again",
      });
  }
  return out;
}

/** What changed between two evaluations ({@link reconcileAlarms}). */
export interface AlarmTransition {
  /** Active alarms after the evaluation, in evaluation order. */
  active: AgentAlarm[];
  /** Alarms that became active. */
  raised: AgentAlarm[];
  /** Alarms that are no longer active. */
  cleared: AgentAlarm[];
}

/**
 * Matches `conditions` against the `previous` active alarms by `id` (pure): an alarm still
 * active keeps its `raisedAt` and takes the fresh message; a new one is raised at `nowMs`.
 */
export function reconcileAlarms(
  previous: readonly AgentAlarm[],
  conditions: readonly AlarmCondition[],
  nowMs: number,
): AlarmTransition {
  const before = new Map(previous.map((a) => [a.id, a]));
  const ids = new Set(conditions.map((c) => c.id));
  const active: AgentAlarm[] = [];
  const raised: AgentAlarm[] = [];
  for (const c of conditions) {
    const old = before.get(c.id);
    const raisedAtMs = old?.raisedAtMs ?? nowMs;
    const alarm: AgentAlarm = { ...c, raisedAt: new Date(raisedAtMs), raisedAtMs };
    active.push(alarm);
    if (!old) raised.push(alarm);
  }
  return { active, raised, cleared: previous.filter((a) => !ids.has(a.id)) };
}

/** The JSON body {@link postAlarmWebhook} sends. */
export interface AlarmWebhookBody {
  /** `alarm` (raised) or `alarm-cleared`. */
  event: "alarm" | "alarm-cleared";
  /** The agent's `proxy.id`. */
  proxyId: string;
  /** The alarm. */
  alarm: AgentAlarm;
}

/** Options of {@link postAlarmWebhook}. */
export interface AlarmWebhookOptions {
  /** Attempts in all, the first included. Default 4. */
  attempts?: number;
  /** Timeout of each attempt in ms. Default 10 000. */
  timeoutMs?: number;
  /** Waits before a retry; the agent waits on its clock. Default real time. */
  sleep?: (ms: number) => Promise<void>;
  /** Cancels the attempt in flight and the remaining ones (the agent's `stop()`). */
  signal?: AbortSignal;
}

/** What {@link postAlarmWebhook} ended with. */
export interface AlarmWebhookResult {
  /** Whether an attempt got a 2xx. */
  ok: boolean;
  /** The last HTTP status, null when no attempt got an answer. */
  status: number | null;
  /** Attempts made. */
  attempts: number;
  /** The last failure's message, when the last attempt got no answer. */
  error?: string;
}

/** Wait before retry `n` (1-based) of a webhook POST: 5 s, 10 s, 20 s, … at most 5 min. */
export function webhookRetryDelayMs(n: number): number {
  return Math.min(300_000, 5000 * 2 ** (n - 1));
}

/**
 * POSTs `body` as JSON to `url`, retrying a network failure, a timeout, HTTP 429 or 5xx
 * (RFC 9110 §15.5.20, §15.6) up to `attempts` times with {@link webhookRetryDelayMs} between;
 * any other status ends it. Never throws.
 */
export async function postAlarmWebhook(
  url: string,
  body: AlarmWebhookBody,
  options: AlarmWebhookOptions = {},
): Promise<AlarmWebhookResult> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let last: { status: number | null; error?: string } = { status: null };
  for (let i = 1; i <= attempts; i++) {
    if (options.signal?.aborted) return { ok: false, ...last, attempts: i - 1 };
    try {
      const signals = [AbortSignal.timeout(options.timeoutMs ?? 10_000)];
      if (options.signal) signals.push(options.signal);
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.any(signals),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true, status: res.status, attempts: i };
      last = { status: res.status };
      if (res.status !== 429 && res.status < 500) return { ok: false, status: res.status, attempts: i };
    } catch (err) {
      last = { status: null, error: err instanceof Error ? err.message : String(err) };
    }
    if (i < attempts) await sleep(webhookRetryDelayMs(i));
  }
  return { ok: false, ...last, attempts };
}

/**
 * Keeps an agent's alarms: re-evaluates after its poll, sync, sent, parked and device-silent events and when
 * `communication-lost` falls due (a timer on the agent's clock), emits `alarm` /
 * `alarm-cleared` on the agent and logs them at `warn` / `info`. Created by the agent in
 * `start()`; `stop()` cancels its timer and listeners.
 */
export class AlarmMonitor {
  readonly #agent: Agent;
  readonly #log: AgentLogger;
  readonly #settings: AlarmSettings;
  readonly #startedAtMs: number;
  #active: AgentAlarm[] = [];
  #timer: TimerHandle | undefined;
  /** Per serial: the highest value read of each meter, and when last compared. */
  #baselines = new Map<string, { readAtMs: number; meters: Meter[] }>();
  #regressions = new Map<string, MeterRegression>();
  #unsubscribe: Array<() => void> = [];
  #stopped = false;
  readonly #timers: boolean;
  readonly #abort = new AbortController();

  /**
   * Seeds the meter baselines from the outbox and subscribes to `agent`'s events. With
   * `timers: false` (an agent that does not schedule itself, e.g. `esol agent --once`) no timer
   * is set: `communication-lost` is then only evaluated after the agent's events.
   */
  constructor(agent: Agent, log: AgentLogger, options: { timers?: boolean } = {}) {
    this.#agent = agent;
    this.#timers = options.timers ?? true;
    this.#log = log;
    this.#settings = alarmSettings(agent.config);
    this.#startedAtMs = agent.clock.now();
    for (const d of agent.devices.list()) {
      const r = agent.outbox.latestReading(d.serial);
      const reading = r?.reading as PolledReading | undefined;
      if (r && reading?.meters)
        this.#baselines.set(d.serial, { readAtMs: r.readAtMs, meters: reading.meters });
    }
    // Not after each `committed`: a poll commits once per device, and the poll's end re-evaluates.
    const on = <E extends "poll" | "sync" | "sent" | "parked" | "device-silent">(event: E) => {
      const fn = (): void => this.evaluate({ meters: event === "poll" });
      agent.on(event, fn as never);
      this.#unsubscribe.push(() => agent.off(event, fn as never));
    };
    const replaced = (e: { device: KnownDevice; previous: KnownDevice }): void => {
      // Another device under a serial is not a regression: forget both baselines.
      this.#baselines.delete(e.device.serial);
      this.#baselines.delete(e.previous.serial);
      this.#regressions.delete(e.previous.serial);
    };
    agent.on("device-replaced", replaced);
    this.#unsubscribe.push(() => agent.off("device-replaced", replaced));
    for (const e of ["poll", "sync", "sent", "parked", "device-silent"] as const) on(e);
  }

  /** The active alarms, in {@link ALARM_KINDS} order. */
  active(): AgentAlarm[] {
    return [...this.#active];
  }

  /**
   * Re-evaluates now: emits `alarm` / `alarm-cleared` for what changed. `meters: true` (after a
   * poll) first compares each device's newest reading with its baseline (one outbox read per device).
   */
  evaluate(options: { meters?: boolean } = {}): void {
    if (this.#stopped) return;
    const agent = this.#agent;
    let input: AlarmInput;
    try {
      const status = agent.status();
      if (options.meters) this.#compareMeters(status.devices);
      const outbox = agent.outbox;
      input = {
        nowMs: agent.clock.now(),
        startedAtMs: this.#startedAtMs,
        lastSyncAtMs: status.lastSyncAtMs,
        devices: status.devices,
        noSerial: (status.lastPoll?.failures ?? [])
          .filter((f) => f.code === "SNMP_NO_SERIAL")
          .map((f) => ({ target: f.target, message: f.message })),
        unsentEntries: status.outbox.pending + status.outbox.parked,
        maxEntries: agent.config.outbox.maxEntries,
        sizeBytes: outbox.sizeBytes(),
        maxBytes: agent.config.outbox.maxBytes,
        regressions: [...this.#regressions.values()],
        settings: this.#settings,
      };
    } catch {
      return; // the outbox closed under us (stopping)
    }
    const order = (a: AlarmCondition): number => ALARM_KINDS.indexOf(a.kind);
    const conditions = evaluateAlarms(input).sort((a, b) => order(a) - order(b));
    const t = reconcileAlarms(this.#active, conditions, input.nowMs);
    this.#active = t.active;
    for (const a of t.cleared) {
      this.#log.info({ alarm: a.kind, id: a.id, serial: a.serial }, `alarm cleared: ${a.kind}`);
      agent.emit("alarm-cleared", a);
      this.#notify("alarm-cleared", a);
    }
    for (const a of t.raised) {
      this.#log.warn(
        { alarm: a.kind, id: a.id, serial: a.serial, address: a.address, remedy: a.remedy },
        `alarm ${a.kind}: ${a.message}`,
      );
      agent.emit("alarm", a);
      this.#notify("alarm", a);
    }
    this.#armTimer(input);
  }

  /** Stops listening, cancels the timer and any webhook attempt. */
  stop(): void {
    this.#stopped = true;
    this.#abort.abort();
    this.#timer?.cancel();
    this.#timer = undefined;
    for (const u of this.#unsubscribe.splice(0)) u();
  }

  /** Sends the webhook in the background: never awaited, never throws into the agent. */
  #notify(event: AlarmWebhookBody["event"], alarm: AgentAlarm): void {
    const url = this.#settings.webhook;
    if (!url) return;
    const clock = this.#agent.clock;
    const signal = this.#abort.signal;
    const sleep = (ms: number): Promise<void> =>
      new Promise<void>((resolve) => {
        const t = clock.setTimeout(resolve, ms);
        signal.addEventListener(
          "abort",
          () => {
            t.cancel();
            resolve();
          },
          { once: true },
        );
      });
    void postAlarmWebhook(
      url,
      { event, proxyId: this.#agent.config.proxy.id, alarm },
      { sleep, signal },
    ).then((r) => {
      if (!r.ok && !signal.aborted)
        this.#log.warn(
          { alarm: alarm.kind, id: alarm.id, status: r.status, attempts: r.attempts, error: r.error },
          `alarms.webhook failed for ${event} ${alarm.kind}`,
        );
    });
  }

  /** Compares each device's newest reading with its baseline (once per reading). */
  #compareMeters(devices: readonly KnownDevice[]): void {
    const outbox = this.#agent.outbox;
    for (const d of devices) {
      if (d.state !== "ok") continue;
      const stored = outbox.latestReading(d.serial);
      const reading = stored?.reading as PolledReading | undefined;
      if (!stored || !reading?.meters) continue;
      const base = this.#baselines.get(d.serial);
      if (base && stored.readAtMs <= base.readAtMs) continue;
      const drops = base ? meterRegressions(base.meters, reading.meters) : [];
      if (drops.length > 0)
        this.#regressions.set(d.serial, {
          serial: d.serial,
          address: stored.address,
          readAt: stored.readAt,
          readAtMs: stored.readAtMs,
          drops,
        });
      else this.#regressions.delete(d.serial);
      this.#baselines.set(d.serial, {
        readAtMs: stored.readAtMs,
        meters: raiseBaseline(base?.meters ?? [], reading.meters),
      });
    }
  }

  /** Wakes up when `communication-lost` falls due, if nothing else re-evaluates before. */
  #armTimer(input: AlarmInput): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    if (!this.#timers || this.#active.some((a) => a.kind === "communication-lost")) return;
    const dueAt = (input.lastSyncAtMs ?? input.startedAtMs) + this.#settings.communicationLostAfterMs;
    // At least 1 s: a clock that disagrees with the due time must not spin on zero-delay timers.
    this.#timer = this.#agent.clock.setTimeout(() => this.evaluate(), Math.max(1000, dueAt - input.nowMs));
  }
}
