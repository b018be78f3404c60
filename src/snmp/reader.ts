/**
 * {@link PrinterReader}: reads printers over SNMP into typed {@link DeviceReading}s —
 * one device, or a whole fleet with a concurrency limit and progress.
 *
 * A reading costs few round trips: one GET of the identity scalars, then every table in
 * shared GETBULK requests (see {@link SnmpSession.walkSubtrees}).
 * @module
 */
import { setMaxListeners } from "node:events";
import { type Clock, epochMsOf } from "../clock.js";
import { AbortError, ConfigError, isSdkError, type SdkError, SnmpError } from "../errors.js";
import { decodeIdentity, findPrinterIndex } from "./mib/identity.js";
import { defaultMeterMaps, type MeterMapRegistry } from "./mib/meters.js";
import { Oid } from "./mib/oids.js";
import {
  type DeviceReading,
  decodeReading,
  IDENTITY_OIDS,
  printerRowOids,
  type ReadingProblem,
  subtreesFor,
  vendorScalarsFor,
} from "./mib/reading.js";
import { VarbindSet } from "./mib/values.js";
import {
  buildPollPlan,
  checkSteadyAnswers,
  objectsInScope,
  type PlanFallback,
  POLL_PLAN_VERSION,
  type PollPlan,
  type PollScope,
  parsePollPlan,
} from "./poll-plan.js";
import { describeCredentials, SNMP_NO_ANSWER_REMEDY, type SnmpCredentials, SnmpSession } from "./session.js";
import {
  type CredentialProfile,
  checkProfiles,
  countTargets,
  credentialsFor,
  expandTargets,
  formatTarget,
  type PrinterTarget,
  parseTarget,
} from "./targets.js";
import { isException, type Varbind } from "./varbind.js";

/** Options for {@link PrinterReader}. */
export interface PrinterReaderOptions {
  /**
   * Credentials for targets no profile covers (default v2c community `public`).
   * Give `profiles` instead to try several per address range.
   */
  credentials?: SnmpCredentials;
  /** Credential profiles per address range, tried in order (see {@link CredentialProfile}). */
  profiles?: CredentialProfile[];
  /** Per-request timeout (default 2000). */
  timeoutMs?: number;
  /** Extra attempts per request after a timeout (default 1). */
  retries?: number;
  /** GETBULK max-repetitions (default 20). */
  maxRepetitions?: number;
  /** Most values per walked subtree before it is cut (default 10,000). */
  maxRowsPerTable?: number;
  /** Allow MD5 / DES for SNMPv3 (off by default). */
  allowInsecureProtocols?: boolean;
  /** Meter maps for vendor meters (default {@link defaultMeterMaps}). */
  meterMaps?: MeterMapRegistry;
  /** Port for targets that name none (default 161). */
  defaultPort?: number;
  /** Percent at or below which a consumable is `low` and a receptacle `nearlyFull` (default 10). */
  lowSupplyPercent?: number;
  /** {@link PrinterReader.readPlanned}: a plan older than this gets a full discovery reading (default 86,400,000: daily). */
  fullReadingEveryMs?: number;
  /** The clock of `readAt` of readings and of the age of poll plans. Default wall time. */
  clock?: Clock;
  /**
   * The clock, epoch ms.
   * @deprecated Pass {@link PrinterReaderOptions.clock}; accepted until 0.3, ignored when `clock` is given.
   */
  now?: () => number;
}

/** Default {@link PrinterReaderOptions.fullReadingEveryMs}: one full discovery reading a day. */
export const DEFAULT_FULL_READING_EVERY_MS = 86_400_000;

/** One outcome of {@link PrinterReader.readPlanned}. */
export interface PlannedReading {
  /** The reading: the same shape and values a full reading at this moment gives. */
  reading: DeviceReading;
  /** The plan to keep for the next poll; null when the full reading was incomplete (a walk was cut), so the next poll is full again. */
  plan: PollPlan | null;
  /**
   * `steady`: the plan's objects only; `meters`: its page counters only (the rest of the
   * reading is the plan's last values); `full`: a full discovery reading.
   */
  kind: "full" | "steady" | "meters";
  /** Why the reading was full (null for a steady poll). */
  fallback: PlanFallback | null;
  /** SNMP requests sent (net-snmp's own retries not counted). */
  requests: number;
}

/**
 * prtAlertCriticalEvents and prtAlertAllEvents (RFC 3805 §2.2.13: counters of alerts added to
 * prtAlertTable), asked in the first GET of a full reading (two varbinds, no extra request) so a
 * poll plan can watch the alert table with a GET instead of a GETNEXT of its end.
 */
const ALERT_COUNTER_OIDS: readonly string[] = [Oid.prtAlertCriticalEvents, Oid.prtAlertAllEvents];

/** Error codes of a steady poll that make it fall back to a full reading instead of failing. */
const STEADY_REFUSED_CODES = new Set(["SNMP_ERROR_STATUS", "SNMP_OID_MISMATCH", "SNMP_WALK_NOT_INCREASING"]);

/** Options of {@link PrinterReader.read}. */
export interface ReadOptions {
  /** Cancels the reading ({@link AbortError}). */
  abortSignal?: AbortSignal;
}

/** Options of {@link PrinterReader.readPlanned}. */
export interface ReadPlannedOptions extends ReadOptions {
  /** `all` (default): the plan's every object; `meters`: only the page counters (a billing read). */
  scope?: PollScope;
}

/** Progress of a poll, passed to {@link PollOptions.onProgress}. */
export interface PollProgress {
  /** Targets in the poll. */
  total: number;
  /** Targets finished (read or failed). */
  done: number;
  /** Targets that failed. */
  failed: number;
  /** Targets being read now. */
  inFlight: number;
}

/** Options of {@link PrinterReader.poll}. */
export interface PollOptions {
  /** Devices read at the same time (default 64). */
  concurrency?: number;
  /** Called after each target finishes. */
  onProgress?: (progress: PollProgress) => void;
  /** Stops the poll: in-flight readings are aborted, no new ones start. */
  abortSignal?: AbortSignal;
  /** Refuse target lists larger than this (default 65,536). */
  maxTargets?: number;
}

/** One poll outcome: a reading, or the error that prevented it. */
export type PollResult =
  | {
      /** The target as read (`host:port`). */
      target: string;
      /** The reading. */
      reading: DeviceReading;
      /** Absent when the device was read. */
      error?: undefined;
    }
  | {
      /** The target as tried (`host:port`). */
      target: string;
      /** Absent when the device could not be read. */
      reading?: undefined;
      /** Why it could not be read (`SNMP_TIMEOUT`, `SNMP_AUTH_FAILED`, …). */
      error: SdkError;
    };

/** Options of {@link PrinterReader.pollPlanned}. */
export interface PlannedPollOptions extends PollOptions {
  /** The stored plan of a target (`host:port`), or null for a full reading. */
  planFor: (target: string) => PollPlan | string | null;
  /** What steady polls read (default `all`). */
  scope?: PollScope;
}

/** One outcome of {@link PrinterReader.pollPlanned}. */
export type PlannedPollResult =
  | {
      /** The target as read (`host:port`). */
      target: string;
      /** The reading (also in `planned`). */
      reading: DeviceReading;
      /** How it was read, and the plan to store. */
      planned: PlannedReading;
      /** Absent when the device was read. */
      error?: undefined;
    }
  | {
      /** The target as tried (`host:port`). */
      target: string;
      /** Absent when the device could not be read. */
      reading?: undefined;
      /** Absent when the device could not be read. */
      planned?: undefined;
      /** Why it could not be read. */
      error: SdkError;
    };

/** Errors after which the next credential of a profile is worth trying. */
const NEXT_CREDENTIAL_CODES = new Set(["SNMP_TIMEOUT", "SNMP_AUTH_FAILED", "SNMP_NO_ANSWER"]);

/**
 * Reads printers over SNMP.
 *
 * @example
 * ```ts
 * const reader = new PrinterReader({ credentials: { version: "v2c", community: "public" } });
 * const reading = await reader.read("192.0.2.10");
 * console.log(reading.identity.serial, reading.meters, reading.supplies);
 *
 * for await (const r of reader.poll(["192.0.2.0/24"], { concurrency: 32 })) {
 *   if (r.reading) store(r.reading); else console.warn(r.target, r.error.code);
 * }
 * ```
 */
export class PrinterReader {
  private readonly options: PrinterReaderOptions;
  private readonly profiles: CredentialProfile[];
  private readonly meterMaps: MeterMapRegistry;

  constructor(options: PrinterReaderOptions = {}) {
    this.options = options;
    this.profiles = options.profiles ?? [];
    checkProfiles(this.profiles);
    if (options.credentials?.version === "v3" && this.profiles.length > 0)
      throw new ConfigError(
        "CONFIG_SNMP_V3_WITHOUT_RANGE",
        "give SNMPv3 credentials inside a profile with ranges when profiles are used",
      );
    this.meterMaps = options.meterMaps ?? defaultMeterMaps;
  }

  /** The credentials tried for a host, in order. */
  credentialsFor(host: string): SnmpCredentials[] {
    if (this.profiles.length === 0)
      return [this.options.credentials ?? { version: "v2c", community: "public" }];
    const found = credentialsFor(host, this.profiles);
    return found.length > 0 ? found : this.options.credentials ? [this.options.credentials] : [];
  }

  /**
   * Reads one device. Credentials are tried in order; the first that gets an answer
   * is used. Throws an {@link SnmpError} when no credential got an answer.
   */
  async read(target: string | PrinterTarget, options: ReadOptions = {}): Promise<DeviceReading> {
    const t = typeof target === "string" ? parseTarget(target, this.options.defaultPort ?? 161) : target;
    const credentials = this.credentialsFor(t.host);
    if (credentials.length === 0)
      throw new ConfigError("CONFIG_SNMP_NO_CREDENTIALS", `no credential profile covers ${formatTarget(t)}`);
    let lastError: unknown = null;
    for (const c of credentials) {
      try {
        return await this.readWith(t, c, options.abortSignal);
      } catch (err) {
        lastError = err;
        if (!(isSdkError(err) && NEXT_CREDENTIAL_CODES.has(err.code))) throw err;
      }
    }
    // Every credential timed out: say which were tried (one credential: the session said it).
    if (credentials.length > 1 && isSdkError(lastError) && lastError.code === "SNMP_TIMEOUT")
      throw new SnmpError(
        "SNMP_TIMEOUT",
        `${formatTarget(t)}: no answer with any of the ${credentials.length} credentials tried (${describeCredentials(credentials)}) — ${SNMP_NO_ANSWER_REMEDY}`,
        { cause: lastError, retryable: true },
      );
    throw lastError;
  }

  private openSession(t: PrinterTarget, credentials: SnmpCredentials): SnmpSession {
    const o = this.options;
    return new SnmpSession({
      host: t.host,
      port: t.port,
      credentials,
      ...(o.timeoutMs !== undefined && { timeoutMs: o.timeoutMs }),
      ...(o.retries !== undefined && { retries: o.retries }),
      ...(o.maxRepetitions !== undefined && { maxRepetitions: o.maxRepetitions }),
      ...(o.maxRowsPerTable !== undefined && { maxRowsPerTable: o.maxRowsPerTable }),
      ...(o.allowInsecureProtocols !== undefined && { allowInsecureProtocols: o.allowInsecureProtocols }),
    });
  }

  /** Runs `work` on a fresh session to `t`, closed after; an abort closes it early. */
  private async withSession<T>(
    t: PrinterTarget,
    credentials: SnmpCredentials,
    signal: AbortSignal | undefined,
    work: (session: SnmpSession) => Promise<T>,
  ): Promise<T> {
    const session = this.openSession(t, credentials);
    const onAbort = () => session.close();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await work(session);
    } catch (err) {
      if (signal?.aborted) throw new AbortError(`reading ${formatTarget(t)} was aborted`, { cause: err });
      throw err;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      session.close();
    }
  }

  private readWith(
    t: PrinterTarget,
    credentials: SnmpCredentials,
    signal: AbortSignal | undefined,
  ): Promise<DeviceReading> {
    return this.withSession(t, credentials, signal, async (session) => {
      return (await this.fullReading(session, t, signal)).reading;
    });
  }

  /** A full reading on an open session: the reading, the varbinds it was decoded from, and whether every walk finished. */
  private async fullReading(
    session: SnmpSession,
    t: PrinterTarget,
    signal: AbortSignal | undefined,
  ): Promise<{ reading: DeviceReading; varbinds: Varbind[]; complete: boolean }> {
    const o = this.options;
    const callOptions = signal ? { abortSignal: signal } : {};
    const scalars = await session.get([...IDENTITY_OIDS, ...ALERT_COUNTER_OIDS], callOptions);
    if (scalars.every(isException))
      throw new SnmpError("SNMP_NO_ANSWER", `${session.target} answered no system or printer object`);
    const preliminary = decodeIdentity(scalars);
    // The vendor's scalar objects go in one GET beside the walk: no extra round-trip time,
    // and the walk's GETBULK budget stays with the tables.
    const vendorOids = vendorScalarsFor(preliminary, this.meterMaps);
    const [walked, vendorScalars] = await Promise.all([
      session.walkSubtrees(subtreesFor(preliminary, this.meterMaps), callOptions),
      vendorOids.length > 0 ? session.get(vendorOids, callOptions) : Promise.resolve([]),
    ]);
    let all: Varbind[] = [...scalars, ...vendorScalars, ...walked.varbinds];
    let mib = new VarbindSet(all);
    const extra = printerRowOids(findPrinterIndex(mib));
    if (extra.length) {
      all = [...all, ...(await session.get(extra, callOptions))];
      mib = new VarbindSet(all);
    }
    const problems: ReadingProblem[] = walked.problems.map((p) => ({
      oid: p.subtree,
      code: p.error.code,
      message: p.error.message,
    }));
    const reading = decodeReading(mib, {
      target: formatTarget(t),
      meterMaps: this.meterMaps,
      problems,
      readAt: new Date(this.now()),
      ...(o.lowSupplyPercent !== undefined && { lowSupplyPercent: o.lowSupplyPercent }),
    });
    return { reading, varbinds: all, complete: problems.length === 0 };
  }

  /**
   * Reads one device the frugal way: with a usable {@link PollPlan} (the one the previous
   * call returned, or its stored JSON text), a steady poll — one GET of the plan's objects
   * (split only at the session's PDU limit), plus a GETNEXT of table ends for devices
   * without alert counters — decoded into the same {@link DeviceReading} a full reading
   * gives. Without a plan, with a plan of another SDK version, a corrupt one, one older
   * than `fullReadingEveryMs`, or when the answers do not fit (reboot, another device at
   * the address, a table that changed, a missing object), a full reading on the same
   * call, with the reason in {@link PlannedReading.fallback}. Store the returned plan for
   * the next call. Throws like {@link PrinterReader.read} when the device cannot be read.
   *
   * @example
   * ```ts
   * let plan: string | null = null;
   * const first = await reader.readPlanned("192.0.2.10", plan); // full: fallback.code "noPlan"
   * plan = first.plan ? serializePollPlan(first.plan) : null;
   * const next = await reader.readPlanned("192.0.2.10", plan); // steady: one GET
   * ```
   */
  async readPlanned(
    target: string | PrinterTarget,
    plan: PollPlan | string | null,
    options: ReadPlannedOptions = {},
  ): Promise<PlannedReading> {
    const t = typeof target === "string" ? parseTarget(target, this.options.defaultPort ?? 161) : target;
    const credentials = this.credentialsFor(t.host);
    if (credentials.length === 0)
      throw new ConfigError("CONFIG_SNMP_NO_CREDENTIALS", `no credential profile covers ${formatTarget(t)}`);
    let usable: PollPlan | null = null;
    let fallback: PlanFallback | null = { code: "noPlan", message: "no poll plan yet: full discovery" };
    if (typeof plan === "string") {
      const parsed = parsePollPlan(plan);
      usable = parsed.plan ?? null;
      if (parsed.fallback) fallback = parsed.fallback;
    } else usable = plan;
    if (usable) fallback = this.planProblem(usable, formatTarget(t));
    let lastError: unknown = null;
    for (const c of credentials) {
      try {
        return await this.withSession(t, c, options.abortSignal, (session) =>
          this.plannedWith(
            session,
            t,
            fallback ? null : usable,
            fallback,
            options.scope ?? "all",
            options.abortSignal,
          ),
        );
      } catch (err) {
        lastError = err;
        if (!(isSdkError(err) && NEXT_CREDENTIAL_CODES.has(err.code))) throw err;
      }
    }
    throw lastError;
  }

  /** Why a plan cannot be used for `target` now, or null when it can. */
  private planProblem(plan: PollPlan, target: string): PlanFallback | null {
    if (plan.version !== POLL_PLAN_VERSION)
      return {
        code: "planVersion",
        message: `poll plan version ${String(plan.version)} is not ${POLL_PLAN_VERSION}`,
      };
    if (plan.target !== target)
      return { code: "planTarget", message: `poll plan is for ${plan.target}, not ${target}` };
    const everyMs = this.options.fullReadingEveryMs ?? DEFAULT_FULL_READING_EVERY_MS;
    const ageMs = this.now() - Date.parse(plan.discoveredAt);
    if (!(ageMs < everyMs))
      return {
        code: "planExpired",
        message: `full discovery is due: the plan is ${Math.round(ageMs / 1000)} s old (every ${Math.round(everyMs / 1000)} s)`,
      };
    return null;
  }

  private async plannedWith(
    session: SnmpSession,
    t: PrinterTarget,
    plan: PollPlan | null,
    reason: PlanFallback | null,
    scope: PollScope,
    signal: AbortSignal | undefined,
  ): Promise<PlannedReading> {
    const callOptions = signal ? { abortSignal: signal } : {};
    const target = formatTarget(t);
    let fallback = reason;
    if (plan) {
      try {
        const [answers, probeAnswers] = await Promise.all([
          session.get(
            objectsInScope(plan, scope).map((o) => o.oid),
            callOptions,
          ),
          scope === "all" && plan.probes.length > 0
            ? session.getNext(
                plan.probes.map((p) => p.from),
                callOptions,
              )
            : Promise.resolve([]),
        ]);
        const checked = checkSteadyAnswers(plan, answers, probeAnswers, scope);
        if (checked.varbinds) {
          const o = this.options;
          const reading = decodeReading(new VarbindSet(checked.varbinds), {
            target,
            meterMaps: this.meterMaps,
            readAt: new Date(this.now()),
            ...(o.lowSupplyPercent !== undefined && { lowSupplyPercent: o.lowSupplyPercent }),
          });
          return {
            reading,
            plan: { ...plan, varbinds: checked.varbinds },
            kind: scope === "all" ? "steady" : "meters",
            fallback: null,
            requests: session.stats.requests,
          };
        }
        fallback = checked.fallback;
      } catch (err) {
        // An agent that refuses the GET (an SNMPv1 noSuchName it cannot split, a genErr)
        // gets a full reading; a silent or refusing device fails the poll as a read does.
        if (!(isSdkError(err) && STEADY_REFUSED_CODES.has(err.code))) throw err;
        fallback = { code: "answerMismatch", message: `steady poll refused: ${err.message}` };
      }
    }
    const full = await this.fullReading(session, t, signal);
    return {
      reading: full.reading,
      plan: full.complete
        ? buildPollPlan(full.varbinds, full.reading, { target, meterMaps: this.meterMaps })
        : null,
      kind: "full",
      fallback,
      requests: session.stats.requests,
    };
  }

  private now(): number {
    return epochMsOf(this.options.clock ?? this.options.now)();
  }

  /**
   * Reads many devices, `concurrency` at a time, yielding each outcome as it finishes
   * (not in target order). Targets are expanded lazily, so memory does not grow with
   * the fleet. A device that fails yields `{ target, error }`; the poll goes on.
   */
  async *poll(targets: readonly string[], options: PollOptions = {}): AsyncIterable<PollResult> {
    yield* this.pool<PollResult>(targets, options, async (t, name, signal) => ({
      target: name,
      reading: await this.read(t, { abortSignal: signal }),
    }));
  }

  /**
   * Like {@link PrinterReader.poll}, each device read by {@link PrinterReader.readPlanned}
   * with the plan `options.planFor` gives for its target (`host:port`); each outcome carries
   * the new plan to store.
   *
   * @example
   * ```ts
   * const plans = new Map<string, string>();
   * for await (const r of reader.pollPlanned(["192.0.2.0/28"], { planFor: (t) => plans.get(t) ?? null })) {
   *   if (r.planned?.plan) plans.set(r.target, serializePollPlan(r.planned.plan));
   * }
   * ```
   */
  async *pollPlanned(
    targets: readonly string[],
    options: PlannedPollOptions,
  ): AsyncIterable<PlannedPollResult> {
    yield* this.pool<PlannedPollResult>(targets, options, async (t, name, signal) => {
      const planned = await this.readPlanned(t, options.planFor(name), {
        abortSignal: signal,
        ...(options.scope !== undefined && { scope: options.scope }),
      });
      return { target: name, reading: planned.reading, planned };
    });
  }

  private async *pool<R extends { target: string; error?: SdkError | undefined }>(
    targets: readonly string[],
    options: PollOptions,
    readOne: (t: PrinterTarget, name: string, signal: AbortSignal) => Promise<R>,
  ): AsyncIterable<R> {
    const expandOptions = {
      defaultPort: this.options.defaultPort ?? 161,
      ...(options.maxTargets !== undefined && { maxTargets: options.maxTargets }),
    };
    const total = countTargets(targets, expandOptions);
    const queue = expandTargets(targets, expandOptions);
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? 64));
    // Every in-flight reading listens for abort (its session and up to three parallel calls):
    // one internal signal, sized for them all,
    // linked once to the caller's.
    const userSignal = options.abortSignal;
    const internal = new AbortController();
    setMaxListeners(concurrency * 4 + 16, internal.signal);
    const forwardAbort = () => internal.abort();
    userSignal?.addEventListener("abort", forwardAbort, { once: true });
    if (userSignal?.aborted) internal.abort();
    const signal = internal.signal;
    const progress: PollProgress = { total, done: 0, failed: 0, inFlight: 0 };
    const finished: R[] = [];
    let wake: (() => void) | null = null;
    let exhausted = false;

    const start = (): boolean => {
      if (signal?.aborted) return false;
      const next = queue.next();
      if (next.done) {
        exhausted = true;
        return false;
      }
      const t = next.value;
      const name = formatTarget(t);
      progress.inFlight++;
      readOne(t, name, signal)
        .then(
          (result) => finished.push(result),
          (err: unknown) =>
            // Both result types have this failure shape.
            finished.push({
              target: name,
              error: isSdkError(err)
                ? (err as SdkError)
                : new SnmpError("SNMP_FAILED", `${name}: ${(err as Error)?.message ?? String(err)}`, {
                    cause: err,
                  }),
            } as R),
        )
        .finally(() => {
          progress.inFlight--;
          wake?.();
        });
      return true;
    };

    try {
      while (progress.inFlight < concurrency && start()) {}
      while (progress.inFlight > 0 || finished.length > 0) {
        if (finished.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = null;
          continue;
        }
        const result = finished.shift()!;
        progress.done++;
        if (result.error) progress.failed++;
        options.onProgress?.({ ...progress });
        yield result;
        while (!exhausted && progress.inFlight < concurrency && start()) {}
      }
    } finally {
      // A consumer that stops early (break) aborts what is still in flight.
      internal.abort();
      userSignal?.removeEventListener("abort", forwardAbort);
    }
    if (userSignal?.aborted) throw new AbortError("the poll was aborted");
  }
}
