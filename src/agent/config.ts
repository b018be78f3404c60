/**
 * The agent's configuration file (JSON or YAML), validated into a resolved
 * {@link AgentConfig}. Every problem is a `ConfigError` `CONFIG_INVALID` whose message
 * starts with the path of the offending field, e.g.
 * `devices.targets[2]: "10.0.0.1/33" is not a valid IPv4 CIDR block`.
 * Validation is pure ({@link parseAgentConfig}); {@link loadAgentConfig} adds the file I/O
 * (reading the file and the PEM files it names, relative to the config file's folder).
 * @module
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError, isSdkError } from "../errors.js";
import { DEFAULT_LOW_SUPPLY_PERCENT } from "../snmp/mib/supplies.js";
import type { SnmpCredentials } from "../snmp/session.js";
import { type CredentialProfile, checkProfiles, countTargets } from "../snmp/targets.js";
import { createMessageSigner } from "../wssec/index.js";
import { parseDurationMs, parseWindow, type TransmissionWindow } from "./duration.js";
import type { FallbackIdentity } from "./readings.js";

/** Log levels pino understands. */
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** Signature algorithms the WS-Security signer supports. */
export type AgentSignatureAlgorithm = "rsa-sha256" | "rsa-sha512" | "ecdsa-sha256" | "ecdsa-sha384";

/** The resolved configuration of an {@link Agent}: durations in ms, PEM files read. */
export interface AgentConfig {
  /** Who this client is. */
  proxy: {
    /** Proxy id registered with the server, 1–64 characters. */
    id: string;
    /** Customer site name. */
    site?: string;
    /** Host name reported at registration. */
    host?: string;
  };
  /** The Communication Server. */
  server: {
    /** Endpoint URL (`https://…/esolutions/v1`). */
    url: string;
    /** CA certificate(s), PEM, trusted for the server's TLS certificate. */
    ca?: string;
    /** Refuse TLS certificates that do not chain to `ca` / the system store. Default true. */
    rejectUnauthorized: boolean;
    /** Per-attempt timeout. Default 30 s. */
    timeoutMs: number;
    /** Immediate retries inside one delivery attempt (the outbox retries later). Default 2. */
    maxRetries: number;
    /** First delay of the in-call retry backoff. Default 1 s. */
    retryDelayMs: number;
    /** HTTP(S) proxy URL; default from HTTPS_PROXY / NO_PROXY. */
    httpProxy?: string;
    /**
     * HTTP compression: `"auto"` (default) asks for gzip responses and gzips request bodies once the
     * server has advertised support; `true` gzips from the first request; `false` never compresses.
     */
    gzip: boolean | "auto";
  };
  /** WS-Security signing of requests and verification of responses; absent = unsigned. */
  security?: {
    /** Client private key, PEM. */
    key: string;
    /** Client certificate, PEM. */
    cert: string;
    /** Signature algorithm; default from the key type. */
    algorithm?: AgentSignatureAlgorithm;
    /** Server signing certificate, PEM: responses must be signed by it. */
    serverCert?: string;
  };
  /** What to poll, and how. */
  devices: {
    /** Target specs: host, host:port, host:p1-p2, IPv4 CIDR. */
    targets: string[];
    /** SNMP credentials per address range (see the MIB reader). */
    profiles: CredentialProfile[];
    /** Devices read at once. Default 16. */
    concurrency: number;
    /** SNMP per-request timeout. Default 2 s. */
    timeoutMs: number;
    /** SNMP retries per request. Default 1. */
    retries: number;
    /** Polls without a successful read before a device is reported silent. Default 3. */
    silentAfterPolls: number;
    /**
     * How a device that answers without any serial number is identified: `none` (default: it
     * is reported with `SNMP_NO_SERIAL` and not billed) or `mac` (`MAC-<hex>`, marked as such).
     */
    fallbackIdentity: FallbackIdentity;
    /**
     * Percent at or below which a consumable's supply state is `low` and a waste
     * container's (whose level is its remaining space, RFC 3805) is `nearlyFull`. Default 10.
     */
    lowSupplyPercent: number;
  };
  /** When things happen. */
  schedule: {
    /** Poll interval. Default 2 h. */
    pollIntervalMs: number;
    /** Daily transmission window (UTC). Default 01:00–05:00. */
    syncWindow: TransmissionWindow;
    /** Random delay after the window opens, bounded by the window. Default 1 h. */
    syncJitterMs: number;
    /** First outbox retry delay. Default 1 min. */
    retryDelayMs: number;
    /** Longest outbox retry delay. Default 6 h. */
    maxRetryDelayMs: number;
  };
  /** The durable outbox. */
  outbox: {
    /** SQLite file. */
    path: string;
    /** Unsent entries allowed before new readings are refused. Default 100 000. */
    maxEntries: number;
    /** File size limit. Default 256 MiB. */
    maxBytes: number;
  };
  /** Health checks (`/healthz` of `esol agent --http`); absent = defaults. */
  health?: {
    /** `/healthz` fails when the last successful sync is older than this. Default 30 h. */
    maxSyncAgeMs: number;
  };
  /** Alarms (see src/agent/alarms.ts and docs/running-the-agent.md "Alarms"); absent = defaults. */
  alarms?: {
    /** `communication-lost` when no sync succeeded for this long. Default 26 h. */
    communicationLostAfterMs: number;
    /** `storage-nearly-full` at this share (1–100 %) of `outbox.maxEntries` or `outbox.maxBytes`. Default 80. */
    storageNearlyFullPercent: number;
    /** `http(s)://` URL that receives a JSON POST per alarm raised or cleared (src/agent/alarms.ts `postAlarmWebhook`). */
    webhook?: string;
  };
  /**
   * Structured logs: `esol agent` writes pino JSON on stderr at this level. An embedded
   * `Agent` logs only through its `logger` option (none by default).
   */
  log: {
    /** Default `info`. */
    level: LogLevel;
  };
}

/** Options of {@link parseAgentConfig}. */
export interface ParseAgentConfigOptions {
  /** Folder relative paths are resolved against (the config file's folder). Default `process.cwd()`. */
  baseDir?: string;
  /** Reads a PEM file; default `readFileSync(path, "utf8")`. */
  readFile?: (path: string) => string;
  /**
   * Whether to load the signing key pair and refuse one whose key does not fit its certificate
   * (`CONFIG_KEY`/`CONFIG_CERT`). Default true; `esol agent check` turns it off to report the
   * key pair as a check of its own.
   */
  checkKeyPair?: boolean;
}

type Obj = Record<string, unknown>;

function fail(path: string, message: string): never {
  throw new ConfigError("CONFIG_INVALID", `${path}: ${message}`);
}

function show(value: unknown): string {
  const s = JSON.stringify(value);
  return s === undefined ? String(value) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function obj(value: unknown, path: string, keys: readonly string[]): Obj {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    fail(path, `expected an object, got ${show(value)}`);
  // `$comment` keys document a JSON file (which has no comments) and are ignored anywhere.
  for (const k of Object.keys(value as Obj))
    if (!keys.includes(k) && !k.startsWith("$comment"))
      fail(path ? `${path}.${k}` : k, `unknown field (expected one of ${keys.join(", ")})`);
  return value as Obj;
}

function str(o: Obj, key: string, path: string, required: true): string;
function str(o: Obj, key: string, path: string, required?: false): string | undefined;
function str(o: Obj, key: string, path: string, required = false): string | undefined {
  const v = o[key];
  const p = path ? `${path}.${key}` : key;
  if (v === undefined || v === null) {
    if (required) fail(p, "is required");
    return undefined;
  }
  if (typeof v !== "string" || v.trim() === "") fail(p, `expected a non-empty string, got ${show(v)}`);
  return v;
}

function duration(o: Obj, key: string, path: string, fallback: number, min = 1): number {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  const p = `${path}.${key}`;
  if (typeof v !== "string" && typeof v !== "number")
    fail(p, `expected a duration like "2h", "30s" or "500ms", got ${show(v)}`);
  const ms = parseDurationMs(v);
  if (ms === undefined) fail(p, `${show(v)} is not a duration (use e.g. "2h", "30s", "500ms")`);
  if (ms < min) fail(p, `${show(v)} is too short (at least ${min} ms)`);
  return ms;
}

function int(o: Obj, key: string, path: string, fallback: number, min: number, max: number): number {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
    fail(`${path}.${key}`, `expected an integer from ${min} to ${max}, got ${show(v)}`);
  return v;
}

function bool(o: Obj, key: string, path: string, fallback: boolean): boolean {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "boolean") fail(`${path}.${key}`, `expected true or false, got ${show(v)}`);
  return v;
}

/** `server.gzip`: true, false or "auto" (the default). */
function gzipSetting(o: Obj): boolean | "auto" {
  const v = o.gzip;
  if (v === undefined || v === null || v === "auto") return "auto";
  if (typeof v !== "boolean") fail("server.gzip", `expected true, false or "auto", got ${show(v)}`);
  return v;
}

/** A PEM given inline or as a path (relative to the config file). */
function pem(
  o: Obj,
  key: string,
  path: string,
  opts: Required<ParseAgentConfigOptions>,
  required: true,
): string;
function pem(
  o: Obj,
  key: string,
  path: string,
  opts: Required<ParseAgentConfigOptions>,
  required?: false,
): string | undefined;
function pem(
  o: Obj,
  key: string,
  path: string,
  opts: Required<ParseAgentConfigOptions>,
  required = false,
): string | undefined {
  const v = required ? str(o, key, path, true) : str(o, key, path);
  if (v === undefined) return undefined;
  if (v.includes("-----BEGIN ")) return v;
  const file = isAbsolute(v) ? v : resolve(opts.baseDir, v);
  let text: string;
  try {
    text = opts.readFile(file);
  } catch (err) {
    fail(`${path}.${key}`, `cannot read ${show(v)} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (!text.includes("-----BEGIN ")) fail(`${path}.${key}`, `${show(v)} is not a PEM file`);
  return text;
}

/** Where a PEM field came from, for messages: the resolved file, or `inline PEM`. */
function pemSource(o: Obj, key: string, opts: Required<ParseAgentConfigOptions>): string {
  const v = o[key];
  if (typeof v !== "string") return "absent";
  if (v.includes("-----BEGIN ")) return "inline PEM";
  return isAbsolute(v) ? v : resolve(opts.baseDir, v);
}

const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const ALGORITHMS: readonly AgentSignatureAlgorithm[] = [
  "rsa-sha256",
  "rsa-sha512",
  "ecdsa-sha256",
  "ecdsa-sha384",
];

function credentials(value: unknown, path: string): SnmpCredentials {
  const c = obj(value, path, [
    "version",
    "community",
    "user",
    "authProtocol",
    "authKey",
    "privProtocol",
    "privKey",
  ]);
  const version = str(c, "version", path, true);
  if (version === "v1" || version === "v2c") {
    const community = str(c, "community", path) ?? "public";
    return { version, community };
  }
  if (version === "v3") {
    const out: SnmpCredentials = { version, user: str(c, "user", path, true) };
    const authProtocol = str(c, "authProtocol", path);
    const authKey = str(c, "authKey", path);
    const privProtocol = str(c, "privProtocol", path);
    const privKey = str(c, "privKey", path);
    if (authProtocol !== undefined) {
      if (!["sha", "sha224", "sha256", "sha384", "sha512", "md5"].includes(authProtocol))
        fail(
          `${path}.authProtocol`,
          `${show(authProtocol)} is not sha, sha224, sha256, sha384, sha512 or md5`,
        );
      out.authProtocol = authProtocol as NonNullable<typeof out.authProtocol>;
    }
    if (authKey !== undefined) out.authKey = authKey;
    if (privProtocol !== undefined) {
      if (!["aes", "aes256b", "aes256r", "des"].includes(privProtocol))
        fail(`${path}.privProtocol`, `${show(privProtocol)} is not aes, aes256b, aes256r or des`);
      out.privProtocol = privProtocol as NonNullable<typeof out.privProtocol>;
    }
    if (privKey !== undefined) out.privKey = privKey;
    if (privKey !== undefined && authKey === undefined) fail(`${path}.privKey`, "privacy needs authKey too");
    return out;
  }
  fail(`${path}.version`, `${show(version)} is not "v1", "v2c" or "v3"`);
}

function fallbackIdentity(value: unknown): FallbackIdentity {
  if (value === undefined || value === "none") return "none";
  if (value === "mac") return "mac";
  return fail("devices.fallbackIdentity", `${show(value)} is not "none" or "mac"`);
}

/**
 * Validates a parsed configuration object and resolves it (durations → ms, PEM paths →
 * contents, outbox path → absolute).
 * @throws ConfigError `CONFIG_INVALID` naming the field, e.g. `schedule.pollInterval: "2x" is not a duration`;
 * `CONFIG_KEY`, `CONFIG_CERT` or `CONFIG_ALGORITHM` naming the PEM files when the signing key
 * does not load or does not fit its certificate.
 */
export function parseAgentConfig(input: unknown, options: ParseAgentConfigOptions = {}): AgentConfig {
  const opts: Required<ParseAgentConfigOptions> = {
    baseDir: options.baseDir ?? process.cwd(),
    readFile: options.readFile ?? ((p) => readFileSync(p, "utf8")),
    checkKeyPair: options.checkKeyPair ?? true,
  };
  const root = obj(input, "", [
    "$schema",
    "$comment",
    "proxy",
    "server",
    "security",
    "devices",
    "schedule",
    "outbox",
    "health",
    "alarms",
    "log",
  ]);

  const proxyIn = obj(root.proxy, "proxy", ["id", "site", "host"]);
  const id = str(proxyIn, "id", "proxy", true);
  if (id.length > 64) fail("proxy.id", "must be at most 64 characters");
  const site = str(proxyIn, "site", "proxy");
  const host = str(proxyIn, "host", "proxy");

  const serverIn = obj(root.server, "server", [
    "url",
    "ca",
    "rejectUnauthorized",
    "timeout",
    "maxRetries",
    "retryDelay",
    "httpProxy",
    "gzip",
  ]);
  const url = str(serverIn, "url", "server", true);
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    fail("server.url", `${show(url)} is not a URL`);
  }
  if (parsedUrl.protocol !== "https:" && parsedUrl.protocol !== "http:")
    fail("server.url", `${show(url)} must be an https:// (or http://) URL`);
  const ca = pem(serverIn, "ca", "server", opts);
  const httpProxy = str(serverIn, "httpProxy", "server");
  const server: AgentConfig["server"] = {
    url,
    rejectUnauthorized: bool(serverIn, "rejectUnauthorized", "server", true),
    timeoutMs: duration(serverIn, "timeout", "server", 30_000),
    maxRetries: int(serverIn, "maxRetries", "server", 2, 0, 10),
    retryDelayMs: duration(serverIn, "retryDelay", "server", 1000),
    gzip: gzipSetting(serverIn),
    ...(ca !== undefined ? { ca } : {}),
    ...(httpProxy !== undefined ? { httpProxy } : {}),
  };

  let security: AgentConfig["security"];
  if (root.security !== undefined && root.security !== null) {
    const secIn = obj(root.security, "security", ["key", "cert", "algorithm", "serverCert"]);
    const algorithm = str(secIn, "algorithm", "security");
    if (algorithm !== undefined && !ALGORITHMS.includes(algorithm as AgentSignatureAlgorithm))
      fail("security.algorithm", `${show(algorithm)} is not one of ${ALGORITHMS.join(", ")}`);
    const serverCert = pem(secIn, "serverCert", "security", opts);
    security = {
      key: pem(secIn, "key", "security", opts, true),
      cert: pem(secIn, "cert", "security", opts, true),
      ...(algorithm !== undefined ? { algorithm: algorithm as AgentSignatureAlgorithm } : {}),
      ...(serverCert !== undefined ? { serverCert } : {}),
    };
    // Load the key pair now, so a key that does not fit its certificate is reported with its files.
    if (opts.checkKeyPair)
      try {
        createMessageSigner({
          key: security.key,
          cert: security.cert,
          ...(security.algorithm ? { algorithm: security.algorithm } : {}),
        });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        throw new ConfigError(
          err.code,
          `security.key (${pemSource(secIn, "key", opts)}), security.cert (${pemSource(secIn, "cert", opts)}): ${err.message}`,
          { cause: err },
        );
      }
  }

  const devIn = obj(root.devices, "devices", [
    "targets",
    "profiles",
    "concurrency",
    "timeout",
    "retries",
    "silentAfterPolls",
    "fallbackIdentity",
    "lowSupplyPercent",
  ]);
  if (!Array.isArray(devIn.targets) || devIn.targets.length === 0)
    fail("devices.targets", `expected a non-empty list of targets, got ${show(devIn.targets)}`);
  const targets = devIn.targets.map((t, i) => {
    if (typeof t !== "string") fail(`devices.targets[${i}]`, `expected a string, got ${show(t)}`);
    try {
      countTargets([t]);
    } catch (err) {
      const reason = isSdkError(err) ? err.message : String(err);
      fail(`devices.targets[${i}]`, reason.replace(/^"[^"]*":\s*/, `${show(t)}: `));
    }
    return t;
  });
  try {
    countTargets(targets);
  } catch (err) {
    fail("devices.targets", isSdkError(err) ? err.message : String(err));
  }
  const profilesIn = devIn.profiles ?? [{ credentials: [{ version: "v2c", community: "public" }] }];
  if (!Array.isArray(profilesIn)) fail("devices.profiles", `expected a list, got ${show(profilesIn)}`);
  const profiles: CredentialProfile[] = profilesIn.map((p, i) => {
    const path = `devices.profiles[${i}]`;
    const pIn = obj(p, path, ["ranges", "credentials"]);
    if (!Array.isArray(pIn.credentials) || pIn.credentials.length === 0)
      fail(`${path}.credentials`, "expected a non-empty list of credentials");
    const creds = pIn.credentials.map((c, j) => credentials(c, `${path}.credentials[${j}]`));
    const out: CredentialProfile = { credentials: creds };
    if (pIn.ranges !== undefined) {
      if (!Array.isArray(pIn.ranges) || pIn.ranges.some((r) => typeof r !== "string"))
        fail(`${path}.ranges`, "expected a list of CIDR blocks or hosts");
      out.ranges = pIn.ranges as string[];
    }
    try {
      checkProfiles([out]);
    } catch (err) {
      fail(path, (isSdkError(err) ? err.message : String(err)).replace(/^credential profile 1:?\s*/, ""));
    }
    return out;
  });
  const devices: AgentConfig["devices"] = {
    targets,
    profiles,
    concurrency: int(devIn, "concurrency", "devices", 16, 1, 1024),
    timeoutMs: duration(devIn, "timeout", "devices", 2000),
    retries: int(devIn, "retries", "devices", 1, 0, 10),
    silentAfterPolls: int(devIn, "silentAfterPolls", "devices", 3, 1, 1000),
    fallbackIdentity: fallbackIdentity(devIn.fallbackIdentity),
    lowSupplyPercent: int(devIn, "lowSupplyPercent", "devices", DEFAULT_LOW_SUPPLY_PERCENT, 0, 100),
  };

  const schedIn = obj(root.schedule ?? {}, "schedule", [
    "pollInterval",
    "syncWindow",
    "syncJitter",
    "retryDelay",
    "maxRetryDelay",
  ]);
  const windowText = str(schedIn, "syncWindow", "schedule") ?? "01:00-05:00";
  const syncWindow = parseWindow(windowText);
  if (!syncWindow) fail("schedule.syncWindow", `${show(windowText)} is not a window like "01:00-05:00"`);
  const schedule: AgentConfig["schedule"] = {
    pollIntervalMs: duration(schedIn, "pollInterval", "schedule", 7_200_000, 100),
    syncWindow,
    syncJitterMs: duration(schedIn, "syncJitter", "schedule", 3_600_000, 0),
    retryDelayMs: duration(schedIn, "retryDelay", "schedule", 60_000),
    maxRetryDelayMs: duration(schedIn, "maxRetryDelay", "schedule", 6 * 3_600_000),
  };
  if (schedule.maxRetryDelayMs < schedule.retryDelayMs)
    fail("schedule.maxRetryDelay", "must not be shorter than schedule.retryDelay");

  const outIn = obj(root.outbox, "outbox", ["path", "maxEntries", "maxBytes"]);
  const outPath = str(outIn, "path", "outbox", true);
  const outbox: AgentConfig["outbox"] = {
    path: isAbsolute(outPath) ? outPath : resolve(opts.baseDir, outPath),
    maxEntries: int(outIn, "maxEntries", "outbox", 100_000, 1, 100_000_000),
    maxBytes: int(outIn, "maxBytes", "outbox", 256 * 1024 * 1024, 65_536, Number.MAX_SAFE_INTEGER),
  };

  let health: AgentConfig["health"];
  if (root.health !== undefined && root.health !== null) {
    const healthIn = obj(root.health, "health", ["maxSyncAge"]);
    health = { maxSyncAgeMs: duration(healthIn, "maxSyncAge", "health", 30 * 3_600_000) };
  }

  let alarms: AgentConfig["alarms"];
  if (root.alarms !== undefined && root.alarms !== null) {
    const alarmsIn = obj(root.alarms, "alarms", [
      "communicationLostAfter",
      "storageNearlyFullPercent",
      "webhook",
    ]);
    const webhook = str(alarmsIn, "webhook", "alarms");
    if (webhook !== undefined) {
      let u: URL | undefined;
      try {
        u = new URL(webhook);
      } catch {
        u = undefined;
      }
      if (!u || (u.protocol !== "http:" && u.protocol !== "https:"))
        fail("alarms.webhook", `${show(webhook)} must be an https:// (or http://) URL`);
    }
    alarms = {
      ...(webhook !== undefined ? { webhook } : {}),
      communicationLostAfterMs: duration(
        alarmsIn,
        "communicationLostAfter",
        "alarms",
        26 * 3_600_000,
        60_000,
      ),
      storageNearlyFullPercent: int(alarmsIn, "storageNearlyFullPercent", "alarms", 80, 1, 100),
    };
  }

  const logIn = obj(root.log ?? {}, "log", ["level"]);
  const level = str(logIn, "level", "log") ?? "info";
  if (!LOG_LEVELS.includes(level as LogLevel))
    fail("log.level", `${show(level)} is not one of ${LOG_LEVELS.join(", ")}`);

  return {
    proxy: { id, ...(site !== undefined ? { site } : {}), ...(host !== undefined ? { host } : {}) },
    server,
    ...(security ? { security } : {}),
    devices,
    schedule,
    outbox,
    ...(health ? { health } : {}),
    ...(alarms ? { alarms } : {}),
    log: { level: level as LogLevel },
  };
}

/**
 * Reads and validates a configuration file: `.json` as JSON, anything else as YAML
 * (a superset of JSON). Relative paths inside resolve against the file's folder.
 * @throws ConfigError `CONFIG_NOT_FOUND`, `CONFIG_SYNTAX` or `CONFIG_INVALID` (or the
 * signer's `CONFIG_KEY`, `CONFIG_CERT`, `CONFIG_ALGORITHM`), the message starting with `path`.
 * @example
 * ```ts
 * const config = loadAgentConfig("examples/agent.json");
 * const agent = new Agent(config);
 * ```
 */
export function loadAgentConfig(
  path: string,
  options: Omit<ParseAgentConfigOptions, "baseDir"> = {},
): AgentConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(
      "CONFIG_NOT_FOUND",
      `cannot read the config file ${path} (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  let data: unknown;
  try {
    data = path.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(
      "CONFIG_SYNTAX",
      `${path}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`,
    );
  }
  try {
    return parseAgentConfig(data, { ...options, baseDir: dirname(resolve(path)) });
  } catch (err) {
    // Name the file: "agent.json: security.key (…): the private key does not match the certificate".
    if (err instanceof ConfigError)
      throw new ConfigError(err.code, `${path}: ${err.message}`, { cause: err });
    throw err;
  }
}
