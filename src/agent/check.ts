/**
 * `esol agent check`: tests everything an agent needs before its first run, one result per
 * check — the config, the key against its certificate, the server over TLS with the
 * configured trust, a signed call, and every target range over SNMP.
 * @module
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { connect as netConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { type Clock, epochMsOf } from "../clock.js";
import { isSdkError } from "../errors.js";
import { describeCredentials } from "../snmp/session.js";
import { CommunicationClient } from "../soap/client.js";
import { createMessageSigner } from "../wssec/index.js";
import { type AgentConfig, loadAgentConfig } from "./config.js";
import { readerForDevices } from "./device-reader.js";

/** The outcome of one check. */
export interface AgentCheckResult {
  /** Which check: `config`, `key`, `server`, `signature`, `snmp <target spec>`. */
  name: string;
  /** `ok`, `fail`, or `skip` (could not run because an earlier check failed). */
  outcome: "ok" | "fail" | "skip";
  /** One line saying what was found (on failure: what is broken, with the error code). */
  detail: string;
}

/** Options of {@link checkAgent}. */
export interface AgentCheckOptions {
  /** Clock of the certificate validity checks. Default wall time. */
  clock?: Clock;
  /**
   * Now (epoch ms) for certificate validity.
   * @deprecated Pass {@link AgentCheckOptions.clock}; accepted until 0.3, ignored when `clock` is given.
   */
  now?: () => number;
  /** Time allowed to open the TLS connection. Default the config's `server.timeout`. */
  connectTimeoutMs?: number;
  /** Names at most this many silent targets per range. Default 10. */
  maxNamedTimeouts?: number;
}

function reason(err: unknown): string {
  if (isSdkError(err)) {
    // Client errors often repeat the server's code inside their message: say it once.
    const message = (err.message.split("\n")[0] ?? "").replace(
      /^.*?\b([A-Z][A-Z0-9_]+): (?=\S)/,
      (m, code) => (code === err.code ? "" : m),
    );
    return `${err.code}: ${message}`;
  }
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code}: ${e.message}` : String((err as Error)?.message ?? err);
}

/** Host name or IP for a TLS/TCP connection (URL hosts keep IPv6 brackets). */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

/** Opens a TLS (or TCP for http://) connection with the configured trust, then closes it. */
function probeServer(config: AgentConfig, timeoutMs: number): Promise<AgentCheckResult> {
  const url = new URL(config.server.url);
  const host = hostOf(url);
  const port = portOf(url);
  return new Promise((resolve) => {
    const done = (r: AgentCheckResult): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const isIp = /^[\d.]+$|:/.test(host);
    const trust = config.server.ca ? "the configured server.ca" : "the system CA store";
    const socket =
      url.protocol === "https:"
        ? tlsConnect(
            {
              host,
              port,
              ...(isIp ? {} : { servername: host }),
              ...(config.server.ca ? { ca: config.server.ca } : {}),
              rejectUnauthorized: config.server.rejectUnauthorized,
            },
            () => {
              const tls = socket as ReturnType<typeof tlsConnect>;
              const peer = tls.getPeerX509Certificate();
              const who = peer ? peer.subject.replace(/\n/g, ", ") : "no certificate";
              done({
                name: "server",
                outcome: "ok",
                detail: `${host}:${port} over ${tls.getProtocol() ?? "TLS"}, certificate ${who}${
                  tls.authorized
                    ? `, trusted by ${trust}`
                    : " (NOT verified: server.rejectUnauthorized is false)"
                }`,
              });
            },
          )
        : netConnect({ host, port }, () =>
            done({ name: "server", outcome: "ok", detail: `${host}:${port} over plain HTTP (no TLS)` }),
          );
    socket.on("error", (err: NodeJS.ErrnoException) => {
      const tlsTrust = url.protocol === "https:" && /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS/.test(err.code ?? "");
      done({
        name: "server",
        outcome: "fail",
        detail: `${host}:${port}: ${reason(err)}${tlsTrust ? ` (the server's certificate is not trusted by ${trust})` : ""}`,
      });
    });
    const timer = setTimeout(
      () =>
        done({
          name: "server",
          outcome: "fail",
          detail: `${host}:${port}: no answer within ${timeoutMs} ms`,
        }),
      timeoutMs,
    );
  });
}

/**
 * A signed `Sync` with no statuses: it changes nothing the next real sync would not. A
 * refusal that comes after the signature was verified (unknown proxy; under trust on first
 * use, a proxy whose certificate is not bound yet) proves the signature is acceptable.
 */
async function signedCall(config: AgentConfig): Promise<AgentCheckResult> {
  const s = config.server;
  const security = config.security
    ? createMessageSigner({
        key: config.security.key,
        cert: config.security.cert,
        ...(config.security.algorithm ? { algorithm: config.security.algorithm } : {}),
        ...(config.security.serverCert ? { verifyResponsesWith: config.security.serverCert } : {}),
      })
    : undefined;
  const client = new CommunicationClient({
    endpoint: s.url,
    rejectUnauthorized: s.rejectUnauthorized,
    timeoutMs: s.timeoutMs,
    maxRetries: 0,
    gzip: false,
    ...(s.ca ? { ca: s.ca } : {}),
    ...(s.httpProxy ? { httpProxy: s.httpProxy } : {}),
    ...(security ? { security } : {}),
  });
  const what = security ? "signed Sync" : "unsigned Sync (no security section)";
  try {
    const result = await client.sync({ proxyId: config.proxy.id, clientTime: new Date() });
    return {
      name: "signature",
      outcome: "ok",
      detail: `${what} accepted (proxy ${config.proxy.id} registered, ${result.directives.length} directive(s) pending)`,
    };
  } catch (err) {
    const code = isSdkError(err) ? err.code : "";
    if (code === "UNKNOWN_PROXY")
      return {
        name: "signature",
        outcome: "ok",
        detail: `${what} accepted; proxy ${config.proxy.id} is not registered yet (the first run registers it)`,
      };
    if (code === "WSS_UNTRUSTED_KEY" && /has no bound certificate/.test((err as Error).message))
      return {
        name: "signature",
        outcome: "ok",
        detail: `${what} verified; the server trusts on first use: the first run's RegisterProxy binds this certificate to ${config.proxy.id}`,
      };
    return { name: "signature", outcome: "fail", detail: `the server refused the ${what}: ${reason(err)}` };
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function probeTargets(config: AgentConfig, spec: string, maxNamed: number): Promise<AgentCheckResult> {
  const d = config.devices;
  const reader = readerForDevices(d);
  let tried = 0;
  let answered = 0;
  const silent: string[] = [];
  const others = new Map<string, string[]>();
  for await (const r of reader.poll([spec], { concurrency: d.concurrency })) {
    tried++;
    if (r.reading) answered++;
    else {
      const code = r.error?.code ?? "NO_ANSWER";
      if (code === "SNMP_TIMEOUT") silent.push(r.target);
      else others.set(code, [...(others.get(code) ?? []), r.target]);
    }
  }
  const parts = [`${answered}/${tried} answered`];
  if (silent.length > 0)
    parts.push(
      `timed out (SNMP_TIMEOUT: no answer, wrong community or filtered): ${silent.slice(0, maxNamed).join(", ")}${
        silent.length > maxNamed ? ` and ${silent.length - maxNamed} more` : ""
      }`,
    );
  for (const [code, targets] of others)
    parts.push(
      `${code}: ${targets.slice(0, maxNamed).join(", ")}${targets.length > maxNamed ? ` and ${targets.length - maxNamed} more` : ""}`,
    );
  // Which kinds of credentials were tried, never the community strings themselves.
  const creds = describeCredentials(d.profiles.flatMap((p) => p.credentials));
  return {
    name: `snmp ${spec}`,
    outcome: answered > 0 ? "ok" : "fail",
    detail: `${parts.join("; ")} (credentials: ${creds})`,
  };
}

/**
 * Runs every check in order, yielding each result as soon as it is known. Never throws for a
 * broken setup: a problem is a `fail` result naming it; checks that depend on a failed one are
 * `skip`.
 * @example
 * ```ts
 * for await (const r of checkAgent("agent.json")) console.log(r.outcome, r.name, r.detail);
 * ```
 */
export async function* checkAgent(
  configPath: string,
  options: AgentCheckOptions = {},
): AsyncGenerator<AgentCheckResult> {
  const now = epochMsOf(options.clock ?? options.now);
  let config: AgentConfig;
  try {
    // The key pair is a check of its own (below), so the config check does not refuse it.
    config = loadAgentConfig(configPath, { checkKeyPair: false });
  } catch (err) {
    // The loader's messages already start with the file's path: name it once.
    const why = reason(err).replace(`${configPath}: `, "");
    yield { name: "config", outcome: "fail", detail: `${configPath}: ${why}` };
    return;
  }
  yield {
    name: "config",
    outcome: "ok",
    detail: `${configPath}: proxy ${config.proxy.id}, server ${config.server.url}, ${config.devices.targets.length} target spec(s)`,
  };

  let keyOk = true;
  if (!config.security) {
    yield { name: "key", outcome: "skip", detail: "no security section: requests are sent unsigned" };
  } else {
    try {
      const cert = new X509Certificate(config.security.cert);
      const key = createPrivateKey(config.security.key);
      const t = now();
      if (!cert.checkPrivateKey(key)) {
        keyOk = false;
        yield {
          name: "key",
          outcome: "fail",
          detail: `security.key does not belong to security.cert (certificate sha256 ${cert.fingerprint256}): the server would refuse every signature`,
        };
      } else if (t < Date.parse(cert.validFrom) || t > Date.parse(cert.validTo)) {
        keyOk = false;
        yield {
          name: "key",
          outcome: "fail",
          detail: `the certificate is valid from ${new Date(cert.validFrom).toISOString()} to ${new Date(cert.validTo).toISOString()}, not now`,
        };
      } else
        yield {
          name: "key",
          outcome: "ok",
          detail: `key matches certificate ${cert.subject.replace(/\n/g, ", ")} (sha256 ${cert.fingerprint256}), valid until ${new Date(cert.validTo).toISOString()}`,
        };
    } catch (err) {
      keyOk = false;
      yield { name: "key", outcome: "fail", detail: `cannot read the key or certificate: ${reason(err)}` };
    }
  }

  const server = await probeServer(config, options.connectTimeoutMs ?? config.server.timeoutMs);
  yield server;
  if (server.outcome !== "ok")
    yield {
      name: "signature",
      outcome: "skip",
      detail: "the server is not reachable with the configured trust",
    };
  else if (!keyOk)
    yield { name: "signature", outcome: "skip", detail: "the key or certificate is broken (see above)" };
  else yield await signedCall(config);

  for (const spec of config.devices.targets)
    yield await probeTargets(config, spec, options.maxNamedTimeouts ?? 10);
}
