/**
 * First-run setup of an agent folder (`esol init`): a working `agent.json` and a new
 * signing identity for the proxy, written without overwriting anything unless asked.
 * @module
 */
import { X509Certificate } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { generate } from "selfsigned";
import { ConfigError } from "../errors.js";
import { parseAgentConfig } from "./config.js";

/** Key types `esol init` generates. */
export type ProxyKeyType = "ec-p256" | "rsa";

/** What {@link writeAgentSetup} needs. */
export interface AgentSetupOptions {
  /** Folder that receives `agent.json` and `keys/`. Created when absent. */
  dir: string;
  /** Communication Server endpoint URL. */
  serverUrl: string;
  /** PEM text of the CA (or self-signed certificate) the server's TLS certificate chains to. */
  serverCaPem?: string;
  /**
   * Outbound HTTP proxy URL (`http://[user:pass@]host:port`), written as `server.httpProxy`.
   * Default: none written (the agent then honours `HTTPS_PROXY` / `NO_PROXY`).
   */
  httpProxy?: string;
  /** Target specs (host, host:port, host:p1-p2, IPv4 CIDR). */
  targets: string[];
  /** SNMP v2c community. Default `public`. */
  community?: string;
  /** Proxy id. Default `proxy-<host name>`. */
  proxyId?: string;
  /** Key type: ECDSA P-256 (default) or RSA 3072. */
  keyType?: ProxyKeyType;
  /** Overwrite existing files. */
  force?: boolean;
  /** Now, for the certificate's validity (epoch ms). Default `Date.now()`. */
  nowMs?: number;
}

/** What {@link writeAgentSetup} wrote. */
export interface AgentSetupResult {
  /** Absolute path of `agent.json`. */
  configPath: string;
  /** Absolute path of the private key (mode 0600). */
  keyPath: string;
  /** Absolute path of the certificate. */
  certPath: string;
  /** Absolute path of the copied server CA, when one was given. */
  serverCaPath?: string;
  /** SHA-256 thumbprint of the certificate, `AB:CD:…` (what the server pins). */
  thumbprintSha256: string;
  /** Subject of the certificate. */
  subject: string;
  /** End of the certificate's validity (ISO 8601). */
  validTo: string;
  /** The proxy id written. */
  proxyId: string;
}

/** Certificate lifetime: two years, then rotate (`esol server unbind`, new `esol init --force`). */
const VALIDITY_MS = 2 * 365 * 86_400_000;

/** A proxy id from the host name: the server takes 1–128 characters; the config 1–64. */
export function defaultProxyId(host = hostname()): string {
  const clean = host.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 58) || "agent";
  return `proxy-${clean}`;
}

/** The `agent.json` object `esol init` writes (paths relative to the folder). */
export function agentSetupConfig(options: AgentSetupOptions, hasCa: boolean): Record<string, unknown> {
  return {
    $comment:
      "Written by esol init. Run: esol agent check --config agent.json, then esol agent --config agent.json. Relative paths are relative to this file's folder; every field is documented in examples/README.md.",
    proxy: { id: options.proxyId ?? defaultProxyId() },
    server: {
      url: options.serverUrl,
      ...(hasCa ? { ca: "./keys/server-ca.pem" } : {}),
      ...(options.httpProxy !== undefined ? { httpProxy: options.httpProxy } : {}),
    },
    security: { key: "./keys/proxy-key.pem", cert: "./keys/proxy-cert.pem" },
    devices: {
      targets: options.targets,
      profiles: [{ credentials: [{ version: "v2c", community: options.community ?? "public" }] }],
    },
    schedule: { pollInterval: "2h", syncWindow: "01:00-05:00", syncJitter: "1h" },
    outbox: { path: "./esol-agent.db" },
    log: { level: "info" },
  };
}

/**
 * Validates the options, refuses to overwrite existing files (unless `force`), generates
 * the proxy's key pair and self-signed certificate, and writes `agent.json`,
 * `keys/proxy-key.pem` (mode 0600), `keys/proxy-cert.pem` and `keys/server-ca.pem`.
 * @throws ConfigError `CONFIG_INVALID` (a bad URL or target), `FILE_EXISTS` (naming every file
 *   that is already there).
 */
export async function writeAgentSetup(options: AgentSetupOptions): Promise<AgentSetupResult> {
  const dir = resolve(options.dir);
  const hasCa = options.serverCaPem !== undefined;
  const config = agentSetupConfig(options, hasCa);
  const proxyId = (config.proxy as { id: string }).id;
  const now = options.nowMs ?? Date.now();
  const rsa = options.keyType === "rsa";
  const pair = await generate([{ name: "commonName", value: proxyId }], {
    keyType: rsa ? "rsa" : "ec",
    ...(rsa ? { keySize: 3072 } : { curve: "P-256" }),
    algorithm: "sha256",
    notBeforeDate: new Date(now - 3_600_000),
    notAfterDate: new Date(now + VALIDITY_MS),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, critical: true },
    ],
  });
  const configPath = join(dir, "agent.json");
  const keyPath = join(dir, "keys", "proxy-key.pem");
  const certPath = join(dir, "keys", "proxy-cert.pem");
  const caPath = join(dir, "keys", "server-ca.pem");
  const targets = [configPath, keyPath, certPath, ...(hasCa ? [caPath] : [])];
  // Same validation as `esol agent`, before anything is written: the files it names are the
  // ones about to be written, read from memory.
  const pending = new Map<string, string>([
    [keyPath, pair.private],
    [certPath, pair.cert],
    ...(options.serverCaPem !== undefined ? ([[caPath, options.serverCaPem]] as const) : []),
  ]);
  parseAgentConfig(config, {
    baseDir: dir,
    readFile: (p) => {
      const text = pending.get(resolve(dir, p)) ?? pending.get(p);
      if (text === undefined) throw new ConfigError("CONFIG_INVALID", `${p} is not a file esol init writes`);
      return text;
    },
  });
  const existing = targets.filter((p) => existsSync(p));
  if (existing.length > 0 && !options.force)
    throw new ConfigError(
      "FILE_EXISTS",
      `${existing.join(", ")} already exist${existing.length === 1 ? "s" : ""}; nothing was written (--force overwrites)`,
    );
  mkdirSync(join(dir, "keys"), { recursive: true, mode: 0o700 });
  // The key file is always created anew with mode 0600 (`mode` is ignored for a file that exists,
  // which --force would otherwise overwrite readable for a moment), and chmod'ed again for umask.
  rmSync(keyPath, { force: true });
  writeFileSync(keyPath, pair.private, { mode: 0o600, flag: "wx" });
  chmodSync(keyPath, 0o600);
  writeFileSync(certPath, pair.cert);
  if (options.serverCaPem !== undefined) writeFileSync(caPath, options.serverCaPem);
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  const x509 = new X509Certificate(pair.cert);
  return {
    configPath,
    keyPath,
    certPath,
    ...(hasCa ? { serverCaPath: caPath } : {}),
    thumbprintSha256: x509.fingerprint256,
    subject: x509.subject,
    validTo: new Date(x509.validTo).toISOString(),
    proxyId,
  };
}
