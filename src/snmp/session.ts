/**
 * One SNMP session to one device, over net-snmp with fleet-safe defaults. This is the
 * ONLY module that imports net-snmp: everything above it sees {@link Varbind}s.
 *
 * What it adds to net-snmp (see shared SECURITY.md): v2c by default; MD5/DES refused
 * unless allowed; OID-checked answers and no backwards walks; an `error` listener so a
 * malformed packet never crashes the process; answers accepted only from the target's
 * address and port; v1 `noSuchName` GETs split and retried; GETBULK walks that fall back
 * to GETNEXT when bulk is broken, halve max-repetitions on `tooBig`, stop on
 * non-increasing OIDs and bound every table; `abortSignal` on every call.
 * @module
 */
import dgram from "node:dgram";
import { isIP } from "node:net";
import snmp, { type NetSnmpSession, type NetSnmpVarbind } from "net-snmp";
import { AbortError, ConfigError, SnmpError, type SnmpErrorCode } from "../errors.js";
import { compareOids, isUnder, type Varbind } from "./varbind.js";

/** SNMPv3 authentication protocols. `md5` needs `allowInsecureProtocols`. */
export type SnmpAuthProtocol = "sha" | "sha224" | "sha256" | "sha384" | "sha512" | "md5";
/** SNMPv3 privacy protocols. `des` needs `allowInsecureProtocols`. */
export type SnmpPrivProtocol = "aes" | "aes256b" | "aes256r" | "des";

/** Community-based credentials (SNMPv1 or SNMPv2c). */
export interface SnmpCommunityCredentials {
  /** Protocol version; v2c is what fleets should use. */
  version: "v1" | "v2c";
  /** Community string. */
  community: string;
}

/** SNMPv3 USM credentials. The security level follows from which keys are given. */
export interface SnmpV3Credentials {
  /** Protocol version. */
  version: "v3";
  /** USM user name. */
  user: string;
  /** Authentication protocol (default `sha` when `authKey` is given). */
  authProtocol?: SnmpAuthProtocol;
  /** Authentication pass phrase; absent means noAuthNoPriv. */
  authKey?: string;
  /** Privacy protocol (default `aes` when `privKey` is given). */
  privProtocol?: SnmpPrivProtocol;
  /** Privacy pass phrase; absent means authNoPriv. */
  privKey?: string;
}

/** Credentials for one session. */
export type SnmpCredentials = SnmpCommunityCredentials | SnmpV3Credentials;

/** Options for {@link SnmpSession}. */
export interface SnmpSessionOptions {
  /** Device address (IPv4, IPv6 or host name). */
  host: string;
  /** UDP port (default 161). */
  port?: number;
  /** Credentials (default v2c community `public`). */
  credentials?: SnmpCredentials;
  /** Time to wait for each answer, per attempt (default 2000). */
  timeoutMs?: number;
  /** Extra attempts after a timeout (default 1). */
  retries?: number;
  /** GETBULK max-repetitions (default 20, clamped to 1..50; halved when the agent says tooBig). */
  maxRepetitions?: number;
  /** Most varbinds one walk may return per subtree before it is cut (default 10,000). */
  maxRowsPerTable?: number;
  /** Most OIDs per GET request; longer lists are split (default 24). */
  maxVarbindsPerRequest?: number;
  /**
   * Most varbinds to ask for in one GETBULK across all subtrees walked together
   * (default 120): max-repetitions is lowered when many subtrees are walked at once.
   */
  maxBulkVarbinds?: number;
  /** Allow MD5 authentication and DES privacy (off by default: both are broken). */
  allowInsecureProtocols?: boolean;
}

/** Options of one call. */
export interface SnmpCallOptions {
  /** Cancels the call; it then rejects with an {@link AbortError}. */
  abortSignal?: AbortSignal;
}

/** A subtree that could not be walked to its end, and why. */
export interface WalkProblem {
  /** The subtree root. */
  subtree: string;
  /** What went wrong (`SNMP_WALK_NOT_INCREASING`, `SNMP_TABLE_TOO_LARGE`, …). */
  error: SnmpError;
}

/** Result of {@link SnmpSession.walkSubtrees}. */
export interface SubtreeWalkResult {
  /** Every varbind found, each inside one of the subtrees. */
  varbinds: Varbind[];
  /** Subtrees cut short; the varbinds read before the problem are kept. */
  problems: WalkProblem[];
}

/** Counters of what a session did, for diagnostics and benchmarks. */
export interface SnmpSessionStats {
  /** Requests sent (not counting net-snmp's own retries). */
  requests: number;
  /** True once GETBULK was found broken and walks use GETNEXT. */
  bulkFallback: boolean;
  /** Packets that could not be decoded (malformed BER) and were dropped. */
  malformedPackets: number;
  /** Varbinds received in answers (walks read past the end of each subtree, so more than kept). */
  varbindsReceived: number;
}

const AUTH: Record<SnmpAuthProtocol, string> = {
  sha: "sha",
  sha224: "sha224",
  sha256: "sha256",
  sha384: "sha384",
  sha512: "sha512",
  md5: "md5",
};
const PRIV: Record<SnmpPrivProtocol, string> = {
  aes: "aes",
  aes256b: "aes256b",
  aes256r: "aes256r",
  des: "des",
};

const OID_RE = /^\d+(\.\d+)+$/;

/** Validates credentials, refusing broken crypto unless allowed. Throws {@link ConfigError}. */
export function checkCredentials(credentials: SnmpCredentials, allowInsecureProtocols = false): void {
  if (credentials.version === "v3") {
    if (!credentials.user) throw new ConfigError("SNMP_V3_USER_MISSING", "SNMPv3 needs a user name");
    if (credentials.authProtocol && !(credentials.authProtocol in AUTH))
      throw new ConfigError(
        "SNMP_AUTH_PROTOCOL",
        `unknown SNMPv3 auth protocol "${credentials.authProtocol}"`,
      );
    if (credentials.privProtocol && !(credentials.privProtocol in PRIV))
      throw new ConfigError(
        "SNMP_PRIV_PROTOCOL",
        `unknown SNMPv3 privacy protocol "${credentials.privProtocol}"`,
      );
    if (!allowInsecureProtocols && credentials.authProtocol === "md5")
      throw new ConfigError(
        "SNMP_INSECURE_PROTOCOL",
        "MD5 authentication is refused; use sha/sha256 or set allowInsecureProtocols",
      );
    if (!allowInsecureProtocols && credentials.privProtocol === "des")
      throw new ConfigError(
        "SNMP_INSECURE_PROTOCOL",
        "DES privacy is refused; use aes or set allowInsecureProtocols",
      );
    if (credentials.privKey && !credentials.authKey)
      throw new ConfigError("SNMP_V3_PRIV_WITHOUT_AUTH", "SNMPv3 privacy needs authentication too (authKey)");
    for (const k of [credentials.authKey, credentials.privKey])
      if (k !== undefined && k.length < 8)
        throw new ConfigError("SNMP_V3_KEY_TOO_SHORT", "SNMPv3 pass phrases must be at least 8 characters");
  } else if (credentials.version !== "v1" && credentials.version !== "v2c") {
    throw new ConfigError(
      "SNMP_VERSION",
      `unknown SNMP version "${String((credentials as { version: unknown }).version)}"`,
    );
  } else if (typeof credentials.community !== "string") {
    throw new ConfigError("SNMP_COMMUNITY", "a community string is required");
  }
}

/** Converts one net-snmp varbind into the SDK's {@link Varbind}. */
function fromNetSnmp(vb: NetSnmpVarbind): Varbind {
  const T = snmp.ObjectType;
  const oid = vb.oid;
  switch (vb.type) {
    case T.Integer:
      return { oid, type: "Integer", value: Number(vb.value) };
    case T.OctetString:
      return {
        oid,
        type: "OctetString",
        value: Buffer.isBuffer(vb.value) ? vb.value : Buffer.from(String(vb.value)),
      };
    case T.OID:
      return { oid, type: "ObjectIdentifier", value: String(vb.value) };
    case T.IpAddress:
      return { oid, type: "IpAddress", value: String(vb.value) };
    case T.Counter:
      return { oid, type: "Counter32", value: Number(vb.value) };
    case T.Gauge:
      return { oid, type: "Gauge32", value: Number(vb.value) };
    case T.TimeTicks:
      return { oid, type: "TimeTicks", value: Number(vb.value) };
    case T.Opaque:
      return { oid, type: "Opaque", value: Buffer.isBuffer(vb.value) ? vb.value : Buffer.alloc(0) };
    case T.Counter64: {
      const buf = Buffer.isBuffer(vb.value) ? vb.value : Buffer.alloc(0);
      return { oid, type: "Counter64", value: buf.length ? BigInt(`0x${buf.toString("hex")}`) : 0n };
    }
    case T.NoSuchObject:
      return { oid, type: "NoSuchObject", value: null };
    case T.NoSuchInstance:
      return { oid, type: "NoSuchInstance", value: null };
    case T.EndOfMibView:
      return { oid, type: "EndOfMibView", value: null };
    default:
      return { oid, type: "Null", value: null };
  }
}

/** What kind of failure a net-snmp error is, so callers can decide to split, fall back or give up. */
type Failure =
  | { kind: "timeout" }
  | { kind: "status"; status: number; name: string; oid: string | null }
  | { kind: "outOfOrder" }
  | { kind: "oidMismatch" }
  | { kind: "auth" }
  | { kind: "timeWindow" }
  | { kind: "closed" }
  | { kind: "other" };

function classify(err: unknown): Failure {
  const e = err as { name?: string; status?: number; code?: number; message?: string };
  const RIC = snmp.ResponseInvalidCode;
  if (e?.name === "RequestTimedOutError") return { kind: "timeout" };
  if (e?.name === "RequestFailedError" && typeof e.status === "number") {
    const m = /^(\w+): (\d+(?:\.\d+)+)$/.exec(e.message ?? "");
    return { kind: "status", status: e.status, name: m?.[1] ?? e.message ?? "error", oid: m?.[2] ?? null };
  }
  if (e?.name === "ResponseInvalidError") {
    // net-snmp's GETNEXT path reports out-of-order answers with an undefined code.
    if (e.code === RIC.EOutOfOrder || /does not precede/.test(e.message ?? "")) return { kind: "outOfOrder" };
    if (e.code === RIC.EReqResOidNoMatch) return { kind: "oidMismatch" };
    if (e.code === RIC.EAuthFailure || e.code === RIC.ECouldNotDecrypt) return { kind: "auth" };
    if (e.code === RIC.ENotInTimeWindow) return { kind: "timeWindow" };
    if (e.code === RIC.EUnexpectedReport) return { kind: "auth" };
  }
  if (/forcibly closed|Not running/i.test(e?.message ?? "")) return { kind: "closed" };
  if (e?.name === "RequestFailedError" && /user|auth|digest|engine/i.test(e.message ?? ""))
    return { kind: "auth" };
  return { kind: "other" };
}

/**
 * What an SNMP timeout means and what to check: v1/v2c agents stay silent on a wrong
 * community (RFC 3584 §4.1 — an unknown community is dropped, only counted in
 * `snmpInBadCommunityNames`), so a timeout cannot tell a wrong community from an absent device.
 */
export const SNMP_NO_ANSWER_REMEDY =
  "the device is off, unreachable (address, port, UDP filtered), or the community/v3 credentials are wrong (a v1/v2c agent stays silent on a wrong community)";

/**
 * The credentials of a list, for messages, without their secrets: the versions, how many
 * communities (never the strings) and the v3 user names, e.g. `v2c (2 communities), v3 user "ops"`.
 */
export function describeCredentials(list: readonly SnmpCredentials[]): string {
  const parts: string[] = [];
  for (const version of ["v1", "v2c"] as const) {
    const n = list.filter((c) => c.version === version).length;
    if (n > 0) parts.push(n === 1 ? `${version} community` : `${version} (${n} communities)`);
  }
  for (const c of list) if (c.version === "v3") parts.push(`v3 user ${JSON.stringify(c.user)}`);
  return parts.join(", ") || "no credentials";
}

/** What a session tried, for the timeout message. */
interface TimeoutFacts {
  credentials: SnmpCredentials;
  timeoutMs: number;
  retries: number;
}

function toSdkError(err: unknown, target: string, what: string, tried?: TimeoutFacts): SnmpError {
  const f = classify(err);
  const detail = (err as Error)?.message ?? String(err);
  switch (f.kind) {
    case "timeout": {
      const facts = tried
        ? ` within ${tried.timeoutMs} ms × ${tried.retries + 1} ${tried.retries === 0 ? "try" : "tries"} with ${describeCredentials([tried.credentials])}`
        : "";
      return new SnmpError(
        "SNMP_TIMEOUT",
        `${target}: no answer to ${what}${facts} — ${SNMP_NO_ANSWER_REMEDY}`,
        {
          cause: err,
          retryable: true,
        },
      );
    }
    case "status":
      return new SnmpError("SNMP_ERROR_STATUS", `${target}: agent answered ${f.name} to ${what}`, {
        cause: err,
      });
    case "outOfOrder":
      return new SnmpError(
        "SNMP_WALK_NOT_INCREASING",
        `${target}: agent answered OIDs out of order to ${what}`,
        {
          cause: err,
        },
      );
    case "oidMismatch":
      return new SnmpError("SNMP_OID_MISMATCH", `${target}: answer to ${what} is for other OIDs`, {
        cause: err,
      });
    case "auth":
      return new SnmpError("SNMP_AUTH_FAILED", `${target}: SNMPv3 authentication failed (${detail})`, {
        cause: err,
      });
    case "timeWindow":
      return new SnmpError("SNMP_NOT_IN_TIME_WINDOW", `${target}: SNMPv3 message outside the time window`, {
        cause: err,
        retryable: true,
      });
    case "closed":
      return new SnmpError("SNMP_SESSION_CLOSED", `${target}: session closed`, { cause: err });
    default:
      return new SnmpError("SNMP_FAILED", `${target}: ${what} failed: ${detail}`, {
        cause: err,
        retryable: true,
      });
  }
}

/**
 * A dgram module whose sockets drop datagrams that do not come from the target's own
 * address and port (net-snmp matches answers by request id only).
 */
function filteredDgram(host: string, port: number): typeof dgram {
  const normal = (a: string) => a.replace(/^::ffff:/, "").toLowerCase();
  const want = normal(host);
  return {
    ...dgram,
    createSocket: ((type: dgram.SocketType) => {
      const socket = dgram.createSocket(type);
      const on = socket.on.bind(socket);
      socket.on = ((event: string, listener: (...args: unknown[]) => void) => {
        if (event !== "message") return on(event, listener);
        return on("message", (msg: Buffer, rinfo: dgram.RemoteInfo) => {
          if (rinfo.port === port && normal(rinfo.address) === want) listener(msg, rinfo);
        });
      }) as typeof socket.on;
      return socket;
    }) as typeof dgram.createSocket,
  };
}

interface WalkState {
  root: string;
  cursor: string;
  count: number;
  done: boolean;
}

/**
 * One SNMP session to one device.
 *
 * @example
 * ```ts
 * const session = new SnmpSession({ host: "192.0.2.10", credentials: { version: "v2c", community: "public" } });
 * try {
 *   const [descr] = await session.get(["1.3.6.1.2.1.1.1.0"]);
 *   for await (const vb of session.walk("1.3.6.1.2.1.43.11.1.1")) console.log(vb.oid);
 * } finally {
 *   session.close();
 * }
 * ```
 */
export class SnmpSession {
  /** `host:port` of the device, for messages. */
  readonly target: string;
  /** What the session did so far. */
  readonly stats: SnmpSessionStats = {
    requests: 0,
    bulkFallback: false,
    malformedPackets: 0,
    varbindsReceived: 0,
  };

  private readonly host: string;
  private readonly port: number;
  private readonly credentials: SnmpCredentials;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly maxRowsPerTable: number;
  private readonly maxVarbindsPerRequest: number;
  private readonly maxBulkVarbinds: number;
  private maxRepetitions: number;
  private bulkConfirmed = false;
  private session: NetSnmpSession;
  private closed = false;

  constructor(options: SnmpSessionOptions) {
    const port = options.port ?? 161;
    if (!options.host) throw new ConfigError("SNMP_HOST_MISSING", "an SNMP session needs a host");
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new ConfigError("SNMP_PORT", `port ${String(options.port)} is not a UDP port (1..65535)`);
    this.host = options.host;
    this.port = port;
    this.target = `${isIP(options.host) === 6 ? `[${options.host}]` : options.host}:${port}`;
    this.credentials = options.credentials ?? { version: "v2c", community: "public" };
    checkCredentials(this.credentials, options.allowInsecureProtocols ?? false);
    this.timeoutMs = Math.max(1, options.timeoutMs ?? 2000);
    this.retries = Math.max(0, Math.floor(options.retries ?? 1));
    this.maxRepetitions = Math.min(50, Math.max(1, Math.floor(options.maxRepetitions ?? 20)));
    this.maxRowsPerTable = Math.max(1, options.maxRowsPerTable ?? 10_000);
    this.maxVarbindsPerRequest = Math.max(1, options.maxVarbindsPerRequest ?? 24);
    this.maxBulkVarbinds = Math.max(1, options.maxBulkVarbinds ?? 120);
    this.session = this.open();
  }

  private timeoutFacts(): TimeoutFacts {
    return { credentials: this.credentials, timeoutMs: this.timeoutMs, retries: this.retries };
  }

  private open(): NetSnmpSession {
    const family = isIP(this.host) === 6 ? "udp6" : "udp4";
    const options: Record<string, unknown> = {
      port: this.port,
      timeout: this.timeoutMs,
      retries: this.retries,
      transport: family,
      backwardsGetNexts: false,
      reportOidMismatchErrors: true,
    };
    if (isIP(this.host)) options.dgramModule = filteredDgram(this.host, this.port);
    const c = this.credentials;
    let s: NetSnmpSession;
    if (c.version === "v3") {
      const level = c.privKey
        ? snmp.SecurityLevel.authPriv
        : c.authKey
          ? snmp.SecurityLevel.authNoPriv
          : snmp.SecurityLevel.noAuthNoPriv;
      const user: Parameters<typeof snmp.createV3Session>[1] = { name: c.user, level: level ?? 1 };
      if (c.authKey) {
        user.authProtocol = snmp.AuthProtocols[AUTH[c.authProtocol ?? "sha"]] ?? "";
        user.authKey = c.authKey;
      }
      if (c.privKey) {
        user.privProtocol = snmp.PrivProtocols[PRIV[c.privProtocol ?? "aes"]] ?? "";
        user.privKey = c.privKey;
      }
      s = snmp.createV3Session(this.host, user, { ...options, version: snmp.Version3 });
    } else {
      s = snmp.createSession(this.host, c.community, {
        ...options,
        version: c.version === "v1" ? snmp.Version1 : snmp.Version2c,
      });
    }
    // net-snmp emits "error" for undecodable packets; without a listener the process dies.
    s.on("error", () => {
      this.stats.malformedPackets++;
    });
    return s;
  }

  /** Closes the socket; pending calls fail with `SNMP_SESSION_CLOSED`. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.session.close();
    } catch {
      // already closed by net-snmp after a socket error
    }
  }

  /** Runs one net-snmp request as a promise that honours `abortSignal`. */
  private call<T>(
    what: string,
    start: (cb: (error: Error | null, result: T) => void) => void,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(new AbortError());
    if (this.closed)
      return Promise.reject(new SnmpError("SNMP_SESSION_CLOSED", `${this.target}: session closed`));
    this.stats.requests++;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        reject(new AbortError(`${what} to ${this.target} was aborted`));
      };
      const unsubscribe = signal ? this.onAbort(signal, onAbort) : () => undefined;
      try {
        start((error, result) => {
          if (settled) return;
          settled = true;
          unsubscribe();
          if (error) reject(error);
          else resolve(result);
        });
      } catch (err) {
        settled = true;
        unsubscribe();
        reject(err);
      }
    });
  }

  /**
   * The requests in flight per caller signal. A session adds ONE abort listener to a
   * signal however many of its requests are in flight (a walk and a GET run side by
   * side), so a poll of N devices sharing one signal adds N listeners, not N × requests.
   */
  private readonly abortWaiters = new Map<AbortSignal, { listener: () => void; waiters: Set<() => void> }>();

  /** Calls `fn` once when `signal` aborts; the returned function unsubscribes. */
  private onAbort(signal: AbortSignal, fn: () => void): () => void {
    let entry = this.abortWaiters.get(signal);
    if (!entry) {
      const waiters = new Set<() => void>();
      const listener = () => {
        this.abortWaiters.delete(signal);
        for (const w of [...waiters]) w();
      };
      entry = { listener, waiters };
      this.abortWaiters.set(signal, entry);
      signal.addEventListener("abort", listener, { once: true });
    }
    const { waiters, listener } = entry;
    waiters.add(fn);
    return () => {
      if (!waiters.delete(fn) || waiters.size > 0) return;
      if (this.abortWaiters.get(signal)?.listener === listener) this.abortWaiters.delete(signal);
      signal.removeEventListener("abort", listener);
    };
  }

  /** A request with one SNMPv3 re-synchronisation when the agent rebooted (notInTimeWindow). */
  private async request<T>(
    what: string,
    start: (s: NetSnmpSession, cb: (error: Error | null, result: T) => void) => void,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    try {
      return await this.call(what, (cb) => start(this.session, cb), signal);
    } catch (err) {
      if (this.credentials.version === "v3" && classify(err).kind === "timeWindow" && !this.closed) {
        this.session.close();
        this.session = this.open();
        return await this.call(what, (cb) => start(this.session, cb), signal);
      }
      throw err;
    }
  }

  /**
   * GETs `oids`; the answer has one varbind per OID, in order. An OID the device does
   * not have comes back as `NoSuchObject`/`NoSuchInstance` — also from SNMPv1 agents,
   * whose `noSuchName` error for the whole request is split and retried.
   */
  async get(oids: readonly string[], options: SnmpCallOptions = {}): Promise<Varbind[]> {
    for (const oid of oids)
      if (!OID_RE.test(oid)) throw new ConfigError("SNMP_BAD_OID", `"${oid}" is not a dotted OID`);
    const out: Varbind[] = [];
    for (let i = 0; i < oids.length; i += this.maxVarbindsPerRequest) {
      out.push(...(await this.getChunk(oids.slice(i, i + this.maxVarbindsPerRequest), options.abortSignal)));
    }
    return out;
  }

  private async getChunk(oids: string[], signal: AbortSignal | undefined): Promise<Varbind[]> {
    if (oids.length === 0) return [];
    try {
      const vbs = await this.request<NetSnmpVarbind[]>("GET", (s, cb) => s.get(oids, cb), signal);
      this.stats.varbindsReceived += vbs.length;
      return vbs.map(fromNetSnmp);
    } catch (err) {
      const f = classify(err);
      const noSuchName = f.kind === "status" && f.status === snmp.ErrorStatus.NoSuchName;
      const tooBig = f.kind === "status" && f.status === snmp.ErrorStatus.TooBig;
      if (noSuchName && oids.length === 1) return [{ oid: oids[0] ?? "", type: "NoSuchObject", value: null }];
      if ((noSuchName || tooBig) && oids.length > 1) {
        const bad = f.kind === "status" && noSuchName ? f.oid : null;
        if (bad && oids.includes(bad)) {
          const rest = await this.getChunk(
            oids.filter((o) => o !== bad),
            signal,
          );
          const byOid = new Map(rest.map((v) => [v.oid, v]));
          return oids.map(
            (o): Varbind => (o === bad ? { oid: o, type: "NoSuchObject", value: null } : byOid.get(o)!),
          );
        }
        const half = Math.ceil(oids.length / 2);
        return [
          ...(await this.getChunk(oids.slice(0, half), signal)),
          ...(await this.getChunk(oids.slice(half), signal)),
        ];
      }
      throw err instanceof AbortError ? err : toSdkError(err, this.target, "GET", this.timeoutFacts());
    }
  }

  /**
   * Walks one subtree, yielding its varbinds in OID order. Throws an {@link SnmpError}
   * when the agent answers out of order (`SNMP_WALK_NOT_INCREASING`) or the subtree
   * exceeds `maxRowsPerTable` (`SNMP_TABLE_TOO_LARGE`).
   */
  async *walk(subtree: string, options: SnmpCallOptions = {}): AsyncIterable<Varbind> {
    const queue: Varbind[] = [];
    let problem: SnmpError | null = null;
    const state: WalkState = { root: subtree, cursor: subtree, count: 0, done: false };
    if (!OID_RE.test(subtree)) throw new ConfigError("SNMP_BAD_OID", `"${subtree}" is not a dotted OID`);
    while (!state.done) {
      const problems = await this.step([state], (_, vb) => queue.push(vb), options.abortSignal);
      problem = problems[0]?.error ?? null;
      while (queue.length) yield queue.shift()!;
      if (problem) throw problem;
    }
  }

  /**
   * Walks several subtrees at once, asking for all of them in each request (one
   * GETBULK carries every unfinished subtree), which keeps the number of round trips
   * per device low. A subtree that goes wrong is reported in `problems` and the others
   * go on; a failure of the whole exchange (timeout, auth) throws.
   */
  async walkSubtrees(subtrees: readonly string[], options: SnmpCallOptions = {}): Promise<SubtreeWalkResult> {
    for (const s of subtrees)
      if (!OID_RE.test(s)) throw new ConfigError("SNMP_BAD_OID", `"${s}" is not a dotted OID`);
    const states: WalkState[] = [...new Set(subtrees)].map((root) => ({
      root,
      cursor: root,
      count: 0,
      done: false,
    }));
    const varbinds: Varbind[] = [];
    const problems: WalkProblem[] = [];
    // Each step either finishes a subtree or advances one; bounded by the row limit.
    const maxSteps = states.length * (this.maxRowsPerTable + 2);
    for (let steps = 0; states.some((s) => !s.done) && steps < maxSteps; steps++) {
      problems.push(
        ...(await this.step(
          states.filter((s) => !s.done),
          (_, vb) => varbinds.push(vb),
          options.abortSignal,
        )),
      );
    }
    return { varbinds, problems };
  }

  /** One request for every active walk; updates their cursors. Returns per-subtree problems. */
  private async step(
    active: WalkState[],
    emit: (state: WalkState, vb: Varbind) => void,
    signal: AbortSignal | undefined,
  ): Promise<WalkProblem[]> {
    const problems: WalkProblem[] = [];
    const fail = (s: WalkState, code: SnmpErrorCode, message: string) => {
      s.done = true;
      problems.push({ subtree: s.root, error: new SnmpError(code, `${this.target}: ${message}`) });
    };
    // Returns whether this column made progress.
    const accept = (s: WalkState, column: Varbind[]): boolean => {
      let progressed = false;
      for (const vb of column) {
        if (s.done) break;
        if (vb.type === "EndOfMibView" || vb.type === "NoSuchObject" || vb.type === "NoSuchInstance") {
          s.done = true;
          break;
        }
        if (!isUnder(vb.oid, s.root)) {
          s.done = true;
          break;
        }
        if (compareOids(vb.oid, s.cursor) <= 0) {
          fail(s, "SNMP_WALK_NOT_INCREASING", `walk of ${s.root} went from ${s.cursor} back to ${vb.oid}`);
          break;
        }
        if (++s.count > this.maxRowsPerTable) {
          fail(s, "SNMP_TABLE_TOO_LARGE", `${s.root} has more than ${this.maxRowsPerTable} values; walk cut`);
          break;
        }
        s.cursor = vb.oid;
        progressed = true;
        emit(s, vb);
      }
      return progressed;
    };

    const useBulk = this.credentials.version !== "v1" && !this.stats.bulkFallback;
    if (useBulk) {
      const reps = Math.max(
        1,
        Math.min(this.maxRepetitions, Math.floor(this.maxBulkVarbinds / active.length)),
      );
      try {
        const page = await this.request<NetSnmpVarbind[][]>(
          "GETBULK",
          (s, cb) =>
            s.getBulk(
              active.map((a) => a.cursor),
              0,
              reps,
              cb,
            ),
          signal,
        );
        let any = false;
        active.forEach((s, i) => {
          const column = (page[i] ?? []).map(fromNetSnmp);
          this.stats.varbindsReceived += column.length;
          if (column.length > 0) any = true;
          accept(s, column);
        });
        if (!any) throw Object.assign(new Error("empty GETBULK answer"), { name: "EmptyBulk" });
        this.bulkConfirmed = true;
        return problems;
      } catch (err) {
        if (err instanceof AbortError) throw err;
        const f = classify(err);
        if (f.kind === "status" && f.status === snmp.ErrorStatus.TooBig && reps > 1) {
          this.maxRepetitions = Math.max(1, Math.floor(reps / 2));
          return problems;
        }
        // An agent that has answered GETBULK before is not "broken": this is a real failure.
        const bulkBroken =
          !this.bulkConfirmed &&
          (f.kind === "timeout" ||
            f.kind === "status" ||
            f.kind === "outOfOrder" ||
            f.kind === "oidMismatch" ||
            (err as Error).name === "EmptyBulk");
        if (!bulkBroken) {
          if (f.kind === "outOfOrder" || f.kind === "oidMismatch")
            return this.stepSingly(active, emit, signal);
          throw toSdkError(err, this.target, "GETBULK", this.timeoutFacts());
        }
        this.stats.bulkFallback = true;
      }
    }

    // GETNEXT: one OID per active walk.
    try {
      const vbs = await this.request<NetSnmpVarbind[]>(
        "GETNEXT",
        (s, cb) =>
          s.getNext(
            active.map((a) => a.cursor),
            cb,
          ),
        signal,
      );
      active.forEach((s, i) => {
        const vb = vbs[i];
        if (!vb) s.done = true;
        else accept(s, [fromNetSnmp(vb)]);
      });
      return problems;
    } catch (err) {
      if (err instanceof AbortError) throw err;
      const f = classify(err);
      if (f.kind === "status" && f.status === snmp.ErrorStatus.NoSuchName) {
        // SNMPv1 end of MIB: the named OID's walk is over; the others are asked again.
        const ended = active.find((a) => a.cursor === f.oid);
        if (ended) ended.done = true;
        else if (active.length === 1 && active[0]) active[0].done = true;
        else return this.stepSingly(active, emit, signal);
        return problems;
      }
      if ((f.kind === "outOfOrder" || f.kind === "oidMismatch") && active.length > 1)
        return this.stepSingly(active, emit, signal);
      if ((f.kind === "outOfOrder" || f.kind === "oidMismatch") && active[0]) {
        fail(
          active[0],
          "SNMP_WALK_NOT_INCREASING",
          `walk of ${active[0].root} answered out of order after ${active[0].cursor}`,
        );
        return problems;
      }
      throw toSdkError(err, this.target, "GETNEXT", this.timeoutFacts());
    }
  }

  /** Asks each walk alone, so that a bad answer is pinned on its own subtree. */
  private async stepSingly(
    active: WalkState[],
    emit: (state: WalkState, vb: Varbind) => void,
    signal: AbortSignal | undefined,
  ): Promise<WalkProblem[]> {
    const problems: WalkProblem[] = [];
    const wasFallback = this.stats.bulkFallback;
    this.stats.bulkFallback = true; // single GETNEXTs pin the culprit exactly
    try {
      for (const s of active) problems.push(...(await this.step([s], emit, signal)));
    } finally {
      this.stats.bulkFallback = wasFallback;
    }
    return problems;
  }
}
