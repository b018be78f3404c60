/**
 * The per-operation flow both server stores run, written once over a small statement layer
 * ({@link StoreStatements}): SQLite runs a flow synchronously inside one `better-sqlite3`
 * transaction ({@link runFlowSync}), PostgreSQL awaits each statement inside one
 * transaction on a pooled connection ({@link runFlow}). A flow is a generator that yields
 * the statements it needs and receives their results, so the rules (replay record,
 * signer re-check, idempotency keys, device ownership and moves, billing requests, `Sync`
 * directives) exist once and only the SQL differs. Also the one mapping of stored rows to
 * the export JSON.
 * @module
 */
import { SecurityError } from "../errors.js";
import type { VerifiedSender } from "../soap/security.js";
import { CommunicationFaultError } from "./faults.js";
import { type BillingCycleKind, billingCycleAt, billingDue, type DeviceMovePolicy } from "./policy.js";
import { type SignerProfileGrant, withSignerProfiles } from "./signer-profiles.js";
import type {
  AckCounts,
  ReplayRecord,
  StoreBackend,
  StoreExport,
  StoreLogger,
  StorePolicy,
  SyncDirectives,
} from "./store.js";
import type * as Input from "./validate.js";

/**
 * The ProxyId lock re-checked inside the operation's transaction: called with the SHA-256
 * thumbprint the proxy is bound to at that moment (undefined: not bound, or no such proxy),
 * it throws the refusal (`SecurityError` `WSS_UNSIGNED` / `WSS_UNTRUSTED_KEY`) that stores
 * nothing. On PostgreSQL the proxy row stays share-locked until the transaction ends, so a
 * binding cannot commit between the check and the write.
 */
export type SignerCheck = (boundThumbprint: string | undefined) => void;

/** What one operation runs under: the server's clock, the replay record, the signer re-check. */
export interface RequestScope {
  /** The server's clock when the request was checked. */
  now: Date;
  /** The signed message's replay-cache entry, recorded first in the transaction. */
  replay?: ReplayRecord | undefined;
  /** The ProxyId lock, re-checked in the transaction (see {@link SignerCheck}). */
  signerCheck?: SignerCheck | undefined;
}

/**
 * How often, at most, a store sweeps expired entries out of its replay cache: once per this
 * many ms of the server's clock, after a signed request committed.
 */
export const REPLAY_SWEEP_INTERVAL_MS = 60_000;

/** A device of a proxy as `Sync` reads it. */
export interface DeviceState {
  serial: string;
  billingEnabled: boolean;
  suppliesEnabled: boolean;
  state: string;
  disableReason: string | null;
}

/** A billing read as stored (timestamps ISO 8601 UTC text, meters JSON). */
export interface BillingReadRow {
  key: string;
  serial: string;
  readAt: string;
  cycle: string | null;
  effectiveCycle: string;
  meters: string;
}

/** A supplies report as stored (supplies JSON). */
export interface SuppliesReportRow {
  key: string;
  serial: string;
  readAt: string;
  supplies: string;
}

/** A billing request as stored. */
export interface BillingRequestRow {
  meters: string;
  due: string;
  fulfilledAt: string | null;
}

/**
 * The statements a store dialect provides, each run inside the operation's transaction.
 * Written synchronously here; PostgreSQL's are the same returning promises
 * ({@link AsyncStoreStatements}).
 */
export interface StoreStatements {
  /** Records a replay-cache entry, or takes over an expired one; false when it is live (a replay). */
  recordReplay(digest: string, expiresAtMs: number, nowMs: number): boolean;
  /** The proxy's bound thumbprint (null: not bound), undefined when there is no such proxy; locks the row. */
  proxySigner(proxyId: string): { thumbprint: string | null } | undefined;
  /** The proxy each registered serial belongs to; locks the rows in serial order. */
  deviceOwners(serials: string[]): Map<string, string>;
  /** Records a keyed message; false when the key was recorded before (a resend). */
  putMessageKey(operation: string, key: string, proxyId: string, at: string): boolean;
  /** The proxy a recorded key was sent for. */
  messageKeyProxy(operation: string, key: string): string | undefined;
  /** Creates or updates a proxy keeping the first bound certificate; returns the bound thumbprint after. */
  upsertProxy(
    input: Input.RegisterProxyInput,
    at: string,
    sender: VerifiedSender | undefined,
    trusted: boolean,
  ): string | null;
  /** Records a device move and clears the services the old proxy confirmed. */
  recordMove(serial: string, fromProxyId: string, toProxyId: string, at: string): void;
  /** Creates or updates a device under `proxyId`. */
  upsertDevice(proxyId: string, device: Input.DeviceInput, at: string): void;
  /** Records whether a service of a device is on. */
  setService(serial: string, service: "billing" | "supplies", enabled: boolean, at: string): void;
  /** Stores reads whose key is new; returns those stored. */
  putBillingReads(reads: BillingReadRow[], receivedAt: string): BillingReadRow[];
  /** Marks the open billing requests of these (serial, cycle) pairs fulfilled. */
  fulfilRequests(at: string, pairs: Array<{ serial: string; cycle: string }>): void;
  /** Moves each device's last read time forward to its newest read. */
  touchDevices(reads: Array<{ serial: string; readAt: string }>): void;
  /** Stores reports whose key is new; returns how many were stored. */
  putSuppliesReports(reports: SuppliesReportRow[], receivedAt: string): number;
  /** Records a state a proxy reported for a device. */
  setState(status: Input.DeviceStatusInput, at: string): void;
  /** The devices of a proxy, in registration order; locks them. */
  devicesOfProxy(proxyId: string): DeviceState[];
  /** The billing request of (serial, cycle), if issued. */
  billingRequest(serial: string, cycle: string): BillingRequestRow | undefined;
  /** Whether a read of the serial answers the cycle. */
  readInCycle(serial: string, cycle: string): boolean;
  /** Issues a billing request unless one exists; false when one did. */
  putRequest(serial: string, cycle: string, meters: string, due: string, issuedAt: string): boolean;
  /** Whether a supplies report of the serial was received at or after `since`. */
  suppliesSince(serial: string, since: string): boolean;
}

/** {@link StoreStatements} returning promises (PostgreSQL). */
export type AsyncStoreStatements = {
  [K in keyof StoreStatements]: (
    ...args: Parameters<StoreStatements[K]>
  ) => Promise<ReturnType<StoreStatements[K]>>;
};

/** One statement a flow asks for. */
interface Step {
  name: keyof StoreStatements;
  args: unknown[];
}

/** A per-operation flow: yields statements, receives their results, returns the answer. */
export type Flow<T> = Generator<Step, T, unknown>;

/** Runs one statement inside a flow (`yield* run(…)`) with its result typed. */
function* run<K extends keyof StoreStatements>(
  name: K,
  ...args: Parameters<StoreStatements[K]>
): Generator<Step, ReturnType<StoreStatements[K]>, unknown> {
  return (yield { name, args }) as ReturnType<StoreStatements[K]>;
}

/** Runs a flow synchronously (inside a SQLite transaction). A throw leaves it and the transaction. */
export function runFlowSync<T>(flow: Flow<T>, statements: StoreStatements): T {
  let step = flow.next();
  while (!step.done) {
    const statement = statements[step.value.name] as (...args: unknown[]) => unknown;
    step = flow.next(statement.apply(statements, step.value.args));
  }
  return step.value;
}

/** Runs a flow awaiting each statement (inside a PostgreSQL transaction). */
export async function runFlow<T>(flow: Flow<T>, statements: AsyncStoreStatements): Promise<T> {
  let step = flow.next();
  while (!step.done) {
    const statement = statements[step.value.name] as (...args: unknown[]) => Promise<unknown>;
    step = flow.next(await statement.apply(statements, step.value.args));
  }
  return step.value;
}

/**
 * Every flow starts here: the replay record (so a refused or failed operation leaves none),
 * then the proxy's binding as of now, re-checked by the scope's {@link SignerCheck}.
 * @throws SecurityError `WSS_REPLAY`, or the check's refusal.
 * @throws CommunicationFaultError `UNKNOWN_PROXY` when `requireProxy` and there is no such proxy.
 */
function* begin(scope: RequestScope, proxyId: string, requireProxy: boolean): Flow<void> {
  const replay = scope.replay;
  if (replay && !(yield* run("recordReplay", replay.digest, replay.expiresAt.getTime(), scope.now.getTime())))
    throw new SecurityError("WSS_REPLAY", "this signed message was already accepted (replay)");
  if (!requireProxy) return;
  const proxy = yield* run("proxySigner", proxyId);
  scope.signerCheck?.(proxy?.thumbprint ?? undefined);
  if (!proxy)
    throw new CommunicationFaultError("UNKNOWN_PROXY", `proxy ${proxyId} is not registered`, {
      field: "ProxyId",
    });
}

/**
 * Every serial must be registered, and registered by `proxyId`: a proxy (even one locked to
 * its certificate) must not report for another proxy's devices. The rows stay locked (on
 * PostgreSQL) so a `Sync` and a submit for the same device take turns.
 * @throws CommunicationFaultError `UNKNOWN_DEVICE`.
 */
function* requireDevices(proxyId: string, serials: Array<{ serial: string; field: string }>): Flow<void> {
  if (serials.length === 0) return;
  const owner = yield* run("deviceOwners", [...new Set(serials.map((s) => s.serial))]);
  for (const { serial, field } of serials) {
    const proxy = owner.get(serial);
    if (proxy !== proxyId)
      throw new CommunicationFaultError(
        "UNKNOWN_DEVICE",
        `device ${serial} is not registered${proxy !== undefined ? " to this proxy" : ""}`,
        { field },
      );
  }
}

/** {@link begin}, then every serial of `items` must be the proxy's (`element[i].Serial` names a refused one). */
function* beginFor(
  scope: RequestScope,
  proxyId: string,
  items: ReadonlyArray<{ serial: string }>,
  element: string,
): Flow<void> {
  yield* begin(scope, proxyId, true);
  yield* requireDevices(
    proxyId,
    items.map((x, i) => ({ serial: x.serial, field: `${element}[${i}].Serial` })),
  );
}

/**
 * `RegisterProxy`: a repeated key answers `duplicate`; the first signed registration binds
 * the signer's certificate, and one signed by another certificate than the bound one is
 * refused (`WSS_UNTRUSTED_KEY`) in the same transaction.
 */
export function* registerProxyFlow(
  input: Input.RegisterProxyInput,
  scope: RequestScope,
  sender: VerifiedSender | undefined,
  trusted: boolean,
): Flow<{ proxyId: string; duplicate: boolean }> {
  yield* begin(scope, input.proxyId, false);
  const at = scope.now.toISOString();
  if (!(yield* run("putMessageKey", "RegisterProxy", input.key, input.proxyId, at)))
    return {
      proxyId: (yield* run("messageKeyProxy", "RegisterProxy", input.key)) ?? input.proxyId,
      duplicate: true,
    };
  // Two first registrations racing: the second waits on the row lock, then keeps the
  // thumbprint the first bound and is refused below.
  const bound = yield* run("upsertProxy", input, at, sender, trusted);
  if (sender && bound !== sender.thumbprintSha256)
    throw new SecurityError(
      "WSS_UNTRUSTED_KEY",
      `proxy ${JSON.stringify(input.proxyId.slice(0, 64))} is bound to another certificate than the one that signed this request`,
    );
  scope.signerCheck?.(bound ?? undefined);
  return { proxyId: input.proxyId, duplicate: false };
}

/**
 * `RegisterDevices`: a serial registered to another proxy is refused under
 * `deviceMoves: "refuse"` (`DEVICE_OWNED_BY_OTHER_PROXY`, nothing of the request stored);
 * under `"allow"` it moves, the move is recorded with the scope's `now`, and its services
 * are to be enabled again by the new proxy.
 */
export function* registerDevicesFlow(
  input: Input.RegisterDevicesInput,
  scope: RequestScope,
  deviceMoves: DeviceMovePolicy,
): Flow<AckCounts> {
  yield* begin(scope, input.proxyId, true);
  const at = scope.now.toISOString();
  if (!(yield* run("putMessageKey", "RegisterDevices", input.key, input.proxyId, at)))
    return { accepted: 0, duplicates: input.devices.length };
  const owner = yield* run(
    "deviceOwners",
    input.devices.map((d) => d.serial),
  );
  const moves: Array<{ serial: string; from: string }> = [];
  input.devices.forEach((d, i) => {
    const from = owner.get(d.serial);
    if (from === undefined || from === input.proxyId) return;
    if (deviceMoves !== "allow")
      throw new CommunicationFaultError(
        "DEVICE_OWNED_BY_OTHER_PROXY",
        `device ${d.serial} is registered to another proxy; this server does not move devices between proxies`,
        { field: `Device[${i}].Serial` },
      );
    moves.push({ serial: d.serial, from });
  });
  for (const m of moves) yield* run("recordMove", m.serial, m.from, input.proxyId, at);
  for (const d of input.devices) yield* run("upsertDevice", input.proxyId, d, at);
  return { accepted: input.devices.length, duplicates: 0 };
}

/** `ReportSyncStatus`: records which services the client confirmed. */
export function* reportSyncStatusFlow(
  input: Input.ReportSyncStatusInput,
  scope: RequestScope,
): Flow<AckCounts> {
  yield* beginFor(scope, input.proxyId, input.statuses, "Status");
  const at = scope.now.toISOString();
  if (!(yield* run("putMessageKey", "ReportSyncStatus", input.key, input.proxyId, at)))
    return { accepted: 0, duplicates: input.statuses.length };
  for (const s of input.statuses) yield* run("setService", s.serial, s.service, s.enabled, at);
  return { accepted: input.statuses.length, duplicates: 0 };
}

/**
 * `SubmitBillingReads`: stores each read key once, then marks the billing requests the
 * stored reads fulfil and moves the devices' last read times.
 */
export function* submitBillingReadsFlow(
  input: Input.SubmitBillingReadsInput,
  scope: RequestScope,
  cycle: BillingCycleKind,
): Flow<AckCounts> {
  yield* beginFor(scope, input.proxyId, input.reads, "Read");
  const at = scope.now.toISOString();
  const rows = input.reads.map(
    (r): BillingReadRow => ({
      key: r.key,
      serial: r.serial,
      readAt: r.readAt.toISOString(),
      cycle: r.cycle ?? null,
      effectiveCycle: r.cycle ?? billingCycleAt(r.readAt, cycle).id,
      meters: JSON.stringify(r.meters.map((m) => ({ name: m.name, value: m.value, unit: m.unit ?? null }))),
    }),
  );
  const accepted = yield* run("putBillingReads", rows, at);
  if (accepted.length) {
    yield* run(
      "fulfilRequests",
      at,
      accepted.map((r) => ({ serial: r.serial, cycle: r.effectiveCycle })),
    );
    yield* run("touchDevices", accepted);
  }
  return { accepted: accepted.length, duplicates: input.reads.length - accepted.length };
}

/** `SubmitSuppliesReport`: stores each report key once. */
export function* submitSuppliesReportFlow(
  input: Input.SubmitSuppliesReportInput,
  scope: RequestScope,
): Flow<AckCounts> {
  yield* beginFor(scope, input.proxyId, input.reports, "Report");
  const accepted = yield* run(
    "putSuppliesReports",
    input.reports.map((r) => ({
      key: r.key,
      serial: r.serial,
      readAt: r.readAt.toISOString(),
      supplies: JSON.stringify(r.supplies),
    })),
    scope.now.toISOString(),
  );
  return { accepted, duplicates: input.reports.length - accepted };
}

/**
 * `Sync`: records the reported device states, then computes the directives for every
 * device of the proxy under `policy` at the scope's `now`.
 */
export function* syncFlow(
  input: Input.ReceivedSyncInput,
  scope: RequestScope,
  policy: StorePolicy,
): Flow<SyncDirectives> {
  yield* beginFor(scope, input.proxyId, input.statuses, "Status");
  const now = scope.now;
  const at = now.toISOString();
  for (const s of input.statuses) yield* run("setState", s, at);
  const out: SyncDirectives = {
    configure: policy.configure,
    enableService: [],
    billingRequest: [],
    suppliesRequest: [],
    disable: [],
  };
  const cycle = billingCycleAt(now, policy.cycle);
  const suppliesOn = policy.suppliesIntervalMs !== undefined;
  for (const d of yield* run("devicesOfProxy", input.proxyId)) {
    if (d.disableReason !== null) {
      if (d.state !== "disabled") out.disable.push({ serial: d.serial, reason: d.disableReason });
      continue;
    }
    if (d.state === "disabled") continue;
    if (!d.billingEnabled) out.enableService.push({ serial: d.serial, service: "billing" });
    if (suppliesOn && !d.suppliesEnabled) out.enableService.push({ serial: d.serial, service: "supplies" });
    if (d.billingEnabled) {
      const request = yield* billingRequestFor(d.serial, cycle, now, policy);
      if (request) out.billingRequest.push(request);
    }
    if (suppliesOn && d.suppliesEnabled) {
      const intervalMs = policy.suppliesIntervalMs as number;
      // Asked again only when reports stopped coming: a steady client hears nothing new.
      const since = new Date(now.getTime() - 2 * intervalMs).toISOString();
      if (!(yield* run("suppliesSince", d.serial, since)))
        out.suppliesRequest.push({
          serial: d.serial,
          intervalSeconds: Math.max(1, Math.round(intervalMs / 1000)),
        });
    }
  }
  return out;
}

/** The open request of (serial, cycle), issuing it once (primary key) when none was. */
function* billingRequestFor(
  serial: string,
  cycle: ReturnType<typeof billingCycleAt>,
  now: Date,
  policy: StorePolicy,
): Flow<SyncDirectives["billingRequest"][number] | undefined> {
  const open = (row: BillingRequestRow | undefined) =>
    row === undefined || row.fulfilledAt !== null
      ? undefined
      : { serial, cycle: cycle.id, meters: JSON.parse(row.meters) as string[], due: new Date(row.due) };
  const found = yield* run("billingRequest", serial, cycle.id);
  if (found) return open(found);
  if (yield* run("readInCycle", serial, cycle.id)) return undefined;
  const due = billingDue(now, cycle, policy.dueDays);
  if (
    yield* run(
      "putRequest",
      serial,
      cycle.id,
      JSON.stringify(policy.meters),
      due.toISOString(),
      now.toISOString(),
    )
  )
    return { serial, cycle: cycle.id, meters: [...policy.meters], due };
  // Another process issued it meanwhile.
  return open(yield* run("billingRequest", serial, cycle.id));
}

/**
 * The six operations of {@link StoreBackend} as flows, for a store that says how to run a
 * flow in one transaction ({@link FlowStore.transact}).
 */
export abstract class FlowStore {
  /** Where a failed sweep of the replay cache is reported. */
  private readonly sweepLogger: StoreLogger | undefined;
  /** The scope clock's ms at the last sweep. */
  private lastSweepMs = Number.NEGATIVE_INFINITY;
  /** The sweep running now, if any. */
  private sweeping: Promise<void> | undefined;

  /** @param logger Where a failed sweep of the replay cache is reported (warn). */
  protected constructor(logger: StoreLogger | undefined) {
    this.sweepLogger = logger;
  }

  /**
   * Runs a flow made by `flow` in one transaction of this store (a transaction retried after
   * a deadlock runs a new one); nothing of it stays when it throws.
   */
  protected abstract transact<T>(flow: () => Flow<T>, scope: RequestScope): Promise<T>;

  /** Deletes the replay-cache entries expired at `nowMs`, outside any request's transaction. */
  protected abstract deleteExpiredReplays(nowMs: number): Promise<void>;

  /**
   * Runs an operation's flow, then — once it committed, and at most once per
   * {@link REPLAY_SWEEP_INTERVAL_MS} of the scope's clock — sweeps the expired replay-cache
   * entries in the background: best effort, a failure is logged (`warn`) and never reaches
   * the request, which neither waits for the sweep nor shares its transaction.
   */
  private async perform<T>(flow: () => Flow<T>, scope: RequestScope): Promise<T> {
    const out = await this.transact(flow, scope);
    if (scope.replay) this.sweepReplays(scope.now.getTime());
    return out;
  }

  private sweepReplays(nowMs: number): void {
    // A clock set back (tests) does not hold sweeps off for the time it went back.
    if (this.sweeping || (nowMs >= this.lastSweepMs && nowMs - this.lastSweepMs < REPLAY_SWEEP_INTERVAL_MS))
      return;
    this.lastSweepMs = nowMs;
    this.sweeping = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.deleteExpiredReplays(nowMs))
      .catch((err: unknown) =>
        this.sweepLogger?.warn(
          { err: (err as Error)?.message ?? String(err) },
          "replay cache sweep failed; expired entries stay until the next sweep",
        ),
      )
      .finally(() => {
        this.sweeping = undefined;
      });
  }

  /** Waits for a sweep still running (before the store closes). */
  protected async sweepSettled(): Promise<void> {
    await this.sweeping;
  }

  /** `RegisterProxy`; see {@link StoreBackend.registerProxy}. */
  registerProxy(
    input: Input.RegisterProxyInput,
    scope: RequestScope,
    sender: VerifiedSender | undefined,
    trusted: boolean,
  ): Promise<{ proxyId: string; duplicate: boolean }> {
    return this.perform(() => registerProxyFlow(input, scope, sender, trusted), scope);
  }

  /** `RegisterDevices` under the device-move policy (default `refuse`). */
  registerDevices(
    input: Input.RegisterDevicesInput,
    scope: RequestScope,
    deviceMoves: DeviceMovePolicy = "refuse",
  ): Promise<AckCounts> {
    return this.perform(() => registerDevicesFlow(input, scope, deviceMoves), scope);
  }

  /** `ReportSyncStatus`: records which services the client confirmed. */
  reportSyncStatus(input: Input.ReportSyncStatusInput, scope: RequestScope): Promise<AckCounts> {
    return this.perform(() => reportSyncStatusFlow(input, scope), scope);
  }

  /** `SubmitBillingReads`: stores each read key once and marks the billing requests it fulfils. */
  submitBillingReads(
    input: Input.SubmitBillingReadsInput,
    scope: RequestScope,
    cycle: BillingCycleKind,
  ): Promise<AckCounts> {
    return this.perform(() => submitBillingReadsFlow(input, scope, cycle), scope);
  }

  /** `SubmitSuppliesReport`: stores each report key once. */
  submitSuppliesReport(input: Input.SubmitSuppliesReportInput, scope: RequestScope): Promise<AckCounts> {
    return this.perform(() => submitSuppliesReportFlow(input, scope), scope);
  }

  /** `Sync`: records the reported states, then the directives for each device of the proxy. */
  sync(input: Input.ReceivedSyncInput, scope: RequestScope, policy: StorePolicy): Promise<SyncDirectives> {
    return this.perform(() => syncFlow(input, scope, policy), scope);
  }
}

/** The stored rows the export is made of, each table in insertion order. */
export interface ExportRows {
  proxies: Array<Record<string, unknown>>;
  devices: Array<Record<string, unknown>>;
  billingReads: Array<Record<string, unknown>>;
  suppliesReports: Array<Record<string, unknown>>;
  billingRequests: Array<Record<string, unknown>>;
  /** Empty for a store written before moves were recorded. */
  deviceMoves: Array<Record<string, unknown>>;
}

/** A stored flag: SQLite's 1 or PostgreSQL's true. */
function flag(value: unknown): boolean {
  return value === 1 || value === true;
}

const text = (value: unknown): string => value as string;
const textOrNull = (value: unknown): string | null => (value as string | null | undefined) ?? null;

/** The export JSON from the stored rows and the signer-profile grants (the same for both stores). */
export function exportFromRows(rows: ExportRows, grants: readonly SignerProfileGrant[]): StoreExport {
  const proxies = rows.proxies.map((p) => {
    const proxy: StoreExport["proxies"][number] = {
      proxyId: text(p.proxy_id),
      site: textOrNull(p.site),
      software: textOrNull(p.software),
      host: textOrNull(p.host),
      registeredAt: text(p.registered_at),
    };
    if (p.signer_thumbprint)
      proxy.signer = { thumbprintSha256: text(p.signer_thumbprint), subject: textOrNull(p.signer_subject) };
    return proxy;
  });
  const devices = rows.devices.map((d) => ({
    serial: text(d.serial),
    proxyId: text(d.proxy_id),
    vendor: textOrNull(d.vendor),
    model: textOrNull(d.model),
    mac: textOrNull(d.mac),
    address: textOrNull(d.address),
    registeredAt: text(d.registered_at),
    services: { billing: flag(d.billing_enabled), supplies: flag(d.supplies_enabled) },
    state: text(d.state),
    lastStatusAt: textOrNull(d.last_status_at),
  }));
  const billingReads = rows.billingReads.map((r) => ({
    key: text(r.key),
    serial: text(r.serial),
    readAt: text(r.read_at),
    cycle: textOrNull(r.cycle),
    meters: JSON.parse(text(r.meters)) as StoreExport["billingReads"][number]["meters"],
    receivedAt: text(r.received_at),
  }));
  const suppliesReports = rows.suppliesReports.map((r) => ({
    key: text(r.key),
    serial: text(r.serial),
    readAt: text(r.read_at),
    supplies: JSON.parse(text(r.supplies)) as Input.SupplyInput[],
    receivedAt: text(r.received_at),
  }));
  const billingRequests = rows.billingRequests.map((q) => ({
    serial: text(q.serial),
    cycle: text(q.cycle),
    meters: JSON.parse(text(q.meters)) as string[],
    due: text(q.due),
    issuedAt: text(q.issued_at),
    fulfilledAt: textOrNull(q.fulfilled_at),
  }));
  const deviceMoves = rows.deviceMoves.map((m) => ({
    serial: text(m.serial),
    fromProxyId: text(m.from_proxy),
    toProxyId: text(m.to_proxy),
    movedAt: text(m.moved_at),
  }));
  return withSignerProfiles(
    { proxies, devices, billingReads, suppliesReports, billingRequests, deviceMoves },
    grants,
  );
}
