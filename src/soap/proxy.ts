/**
 * HTTP proxy support: which proxy (if any) an endpoint goes through, and an agent that
 * opens a CONNECT tunnel through it and keeps the tunnelled connection alive like any
 * other socket. TLS to the server runs end to end inside the tunnel.
 * @module
 */
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import { ConfigError, TransportError } from "../errors.js";

/**
 * True when `NO_PROXY` excludes `host:port`: entries are host names (matching the host
 * and its subdomains, a leading `.` or `*.` allowed), IP literals, optional `:port`, or `*`.
 */
export function noProxyMatches(hostname: string, port: string, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === "*") return true;
    let entryPort: string | undefined;
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (m?.[1] !== undefined && m[2] !== undefined) {
      entry = m[1];
      entryPort = m[2];
    }
    entry = entry.replace(/^\[|\]$/g, "").replace(/^\*?\./, "");
    if (entryPort !== undefined && entryPort !== port) continue;
    if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

// BlockList also matches IPv4-mapped IPv6 forms (::ffff:7f00:1) against the IPv4 rule.
const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/**
 * True for a loopback host: `localhost` (and `*.localhost`, RFC 6761), `127.0.0.0/8`,
 * `::1`, and IPv4-mapped `::ffff:127.x.y.z`. Brackets around IPv6 literals are allowed.
 * @example
 * ```ts
 * isLoopbackHost("127.0.0.53"); // true
 * isLoopbackHost("[::1]");      // true
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname
    .replace(/^\[|\]$/g, "")
    .toLowerCase()
    .replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  const family = net.isIP(host);
  return family !== 0 && LOOPBACK.check(host, family === 4 ? "ipv4" : "ipv6");
}

let proxyOptionWarned = false;

/**
 * The outbound HTTP proxy option of a client: `httpProxy`, else the deprecated `proxy` alias
 * (0.2: `proxy` / `proxyId` name the eSolutions client everywhere else). The first use of
 * `proxy` in a process emits one `DeprecationWarning` (code `ESOL_DEP_PROXY_OPTION`; node's
 * `--no-deprecation` silences it); the alias is removed in 0.3.
 */
export function outboundProxyOption(options: {
  httpProxy?: string | false;
  proxy?: string | false;
}): string | false | undefined {
  if (options.proxy !== undefined && !proxyOptionWarned) {
    proxyOptionWarned = true;
    process.emitWarning(
      "CommunicationClientOptions.proxy is deprecated: use httpProxy (the same value); proxy is removed in 0.3",
      { type: "DeprecationWarning", code: "ESOL_DEP_PROXY_OPTION" },
    );
  }
  return options.httpProxy ?? options.proxy;
}

/**
 * The proxy for `endpoint`: the explicit `proxy` option when given (the caller chose it
 * for this client), none when it is `false`, else `HTTPS_PROXY`/`https_proxy` (https
 * endpoints) or `HTTP_PROXY`/`http_proxy` unless the endpoint is a loopback host (a proxy
 * cannot reach the caller's own loopback) or `NO_PROXY`/`no_proxy` excludes it.
 * @throws ConfigError `CONFIG_PROXY` for a proxy URL that is not `http://host:port`.
 */
export function resolveProxy(
  endpoint: URL,
  explicit: string | false | undefined,
  env: NodeJS.ProcessEnv,
): URL | undefined {
  if (explicit === false) return undefined;
  let raw = explicit;
  if (raw === undefined) {
    if (isLoopbackHost(endpoint.hostname)) return undefined;
    const candidates =
      endpoint.protocol === "https:"
        ? [env.HTTPS_PROXY, env.https_proxy, env.HTTP_PROXY, env.http_proxy]
        : [env.HTTP_PROXY, env.http_proxy];
    raw = candidates.find((c) => c !== undefined && c.trim() !== "");
    if (raw === undefined) return undefined;
    const port = endpoint.port || (endpoint.protocol === "https:" ? "443" : "80");
    if (noProxyMatches(endpoint.hostname, port, env.NO_PROXY ?? env.no_proxy)) return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw.includes("://") ? raw : `http://${raw}`);
  } catch {
    throw new ConfigError("CONFIG_PROXY", "the proxy is not a valid URL");
  }
  if (url.protocol !== "http:") {
    throw new ConfigError(
      "CONFIG_PROXY",
      `the proxy must be an http:// URL (got ${url.protocol}//${url.host})`,
    );
  }
  return url;
}

function connectThroughProxy(
  proxy: URL,
  host: string,
  port: number,
  callback: (err: Error | null, socket?: Duplex) => void,
): void {
  const authority = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  const headers: Record<string, string> = { Host: authority };
  if (proxy.username) {
    const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    headers["Proxy-Authorization"] = `Basic ${Buffer.from(credentials).toString("base64")}`;
  }
  const req = http.request({
    host: proxy.hostname.replace(/^\[|\]$/g, ""),
    port: Number(proxy.port || 80),
    method: "CONNECT",
    path: authority,
    headers,
    agent: false,
  });
  // Only the proxy's host:port in messages: its URL may carry credentials.
  req.once("connect", (res, socket) => {
    if (res.statusCode !== 200) {
      socket.destroy();
      const status = res.statusCode ?? 0;
      callback(
        new TransportError(
          "PROXY_ERROR",
          `the proxy ${proxy.host} refused the tunnel to ${authority} (HTTP ${status})`,
          {
            status,
            retryable: status >= 500 || status === 429,
          },
        ),
      );
      return;
    }
    callback(null, socket);
  });
  req.once("error", (err: NodeJS.ErrnoException) => {
    callback(
      new TransportError("PROXY_ERROR", `cannot reach the proxy ${proxy.host} (${err.code ?? "error"})`, {
        cause: err,
        retryable: true,
      }),
    );
  });
  req.end();
}

/** An `https.Agent` whose connections are TLS sessions inside CONNECT tunnels through `proxy`. */
export class HttpsTunnelAgent extends https.Agent {
  readonly #proxy: URL;

  constructor(proxy: URL, options: https.AgentOptions) {
    super(options);
    this.#proxy = proxy;
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const host = String(options.host ?? options.hostname ?? "localhost");
    const port = Number(options.port ?? 443);
    connectThroughProxy(this.#proxy, host, port, (err, socket) => {
      if (err || !socket) {
        callback?.(err ?? new Error("no socket"), undefined as unknown as Duplex);
        return;
      }
      const servername = options.servername ?? (net.isIP(host) ? undefined : host);
      const secure = tls.connect({
        ...(options as tls.ConnectionOptions),
        socket,
        ...(servername ? { servername } : {}),
      });
      callback?.(null, secure);
    });
    return undefined;
  }
}

/** An `http.Agent` whose connections are CONNECT tunnels through `proxy` (plain-HTTP endpoints). */
export class HttpTunnelAgent extends http.Agent {
  readonly #proxy: URL;

  constructor(proxy: URL, options: http.AgentOptions) {
    super(options);
    this.#proxy = proxy;
  }

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const host = String(options.host ?? options.hostname ?? "localhost");
    const port = Number(options.port ?? 80);
    connectThroughProxy(this.#proxy, host, port, (err, socket) => {
      callback?.(err, socket ?? (undefined as unknown as Duplex));
    });
    return undefined;
  }
}
