/**
 * The agent's HTTP surface: `/healthz`, `/metrics` (Prometheus text format), `/status.json`
 * and the status page `/`. {@link createAgentHttpHandler} is a plain node `http` request
 * listener, so an embedder mounts it in their own server; {@link startAgentHttpServer} runs it
 * on its own (loopback by default).
 * @module
 */
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { TransportError } from "../errors.js";
import type { Agent, AgentStatus } from "./agent.js";
import { type AgentMetrics, agentMetrics } from "./metrics.js";
import { renderStatusPage } from "./status-page.js";
import { type AgentStatusReport, deviceStatusRow, outboxStatusReport } from "./status-report.js";

/**
 * Default health threshold: the longest gap between two daily syncs in the default
 * 01:00–05:00 window is 28 h; two hours of slack on top.
 */
export const DEFAULT_MAX_SYNC_AGE_MS = 30 * 3_600_000;

/** Options of {@link createAgentHttpHandler}. */
export interface AgentHttpOptions {
  /**
   * `/healthz` answers 503 when the last successful sync is older than this (on the agent's
   * clock). Default `config.health.maxSyncAgeMs`, else {@link DEFAULT_MAX_SYNC_AGE_MS}.
   */
  maxSyncAgeMs?: number;
  /** Metrics to serve. Default {@link agentMetrics}(agent). */
  metrics?: AgentMetrics;
}

/** `93784000` → `"26h3m4s"`: the largest units first, zero parts left out. */
function spell(ms: number): string {
  let s = Math.round(ms / 1000);
  if (s === 0) return "0s";
  let out = "";
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (s >= size) {
      out += `${Math.floor(s / size)}${unit}`;
      s %= size;
    }
  }
  return out;
}

/** What `/healthz` answers. */
export interface AgentHealth {
  /** 200 healthy, 503 not. */
  status: 200 | 503;
  /** One line: `ok: …` or why not. */
  reason: string;
}

/**
 * Healthy when the agent runs, is not stuck (a failure no retry can fix, see `Agent` `stuck`)
 * and its last successful sync is at most `maxSyncAgeMs` old on the agent's clock. A freshly
 * started agent that has not synced yet is not healthy.
 */
export function agentHealth(agent: Agent, maxSyncAgeMs: number, metrics?: AgentMetrics): AgentHealth {
  return healthOf(agent, statusOf(agent), maxSyncAgeMs, metrics);
}

/** `agent.status()`, or undefined when the agent is not started (its outbox is closed). */
function statusOf(agent: Agent): AgentStatus | undefined {
  try {
    return agent.status();
  } catch {
    return undefined;
  }
}

const NOT_RUNNING = "the agent is not running";

/** {@link agentHealth} from a status already taken (one `agent.status()` per request). */
function healthOf(
  agent: Agent,
  status: AgentStatus | undefined,
  maxSyncAgeMs: number,
  metrics: AgentMetrics | undefined,
): AgentHealth {
  if (!status?.running) return { status: 503, reason: NOT_RUNNING };
  // Stuck: nothing will be delivered until the config or the server changes, whatever the last sync.
  if (status.stuck)
    return {
      status: 503,
      reason: `stuck since ${new Date(status.stuck.sinceMs).toISOString()} on ${status.stuck.code}: ${status.stuck.message} — ${status.stuck.remedy}`,
    };
  const last = metrics?.lastError
    ? `; last error ${metrics.lastError.code}: ${metrics.lastError.message.split("\n")[0]}`
    : "";
  if (status.lastSyncAtMs === null) return { status: 503, reason: `no successful sync yet${last}` };
  const age = Math.max(0, agent.clock.now() - status.lastSyncAtMs);
  const ago = `${spell(age)} ago (${new Date(status.lastSyncAtMs).toISOString()})`;
  if (age > maxSyncAgeMs)
    return {
      status: 503,
      reason: `last successful sync ${ago}, more than ${spell(maxSyncAgeMs)}${last}`,
    };
  return { status: 200, reason: `ok: last successful sync ${ago}` };
}

/** The running agent's status report (what `/status.json` serves). */
export function agentStatusReport(agent: Agent): AgentStatusReport {
  return statusReportOf(agent, agent.status());
}

/** {@link agentStatusReport} from a status already taken. */
function statusReportOf(agent: Agent, status: AgentStatus): AgentStatusReport {
  const now = agent.clock.now();
  const outbox = agent.outbox;
  return {
    proxyId: agent.config.proxy.id,
    running: status.running,
    now: new Date(now).toISOString(),
    nextSyncAt: status.nextSyncAtMs === null ? null : new Date(status.nextSyncAtMs).toISOString(),
    ...outboxStatusReport(outbox, agent.config),
    // Each device's newest reading comes from the outbox's memory (kept as the poll commits it).
    devices: status.devices.map((d) => deviceStatusRow(outbox, d, now)),
    alarms: status.alarms,
  };
}

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(head ? undefined : body);
}

/**
 * A node `http` request listener serving the agent's health, metrics and status. Mount it in
 * your own server (it answers every path it knows, 404 for others).
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * createServer(createAgentHttpHandler(agent)).listen(9464, "127.0.0.1"); // the same as agent.httpHandler()
 * ```
 */
export function createAgentHttpHandler(agent: Agent, options: AgentHttpOptions = {}): RequestListener {
  const metrics = options.metrics ?? agentMetrics(agent);
  const maxAge = options.maxSyncAgeMs ?? agent.config.health?.maxSyncAgeMs ?? DEFAULT_MAX_SYNC_AGE_MS;
  return (req: IncomingMessage, res: ServerResponse) => {
    const head = req.method === "HEAD";
    if (req.method !== "GET" && !head) {
      res.setHeader("allow", "GET, HEAD");
      return send(res, 405, "text/plain; charset=utf-8", "method not allowed\n", false);
    }
    const [path, query = ""] = (req.url ?? "/").split("?", 2);
    const run = async (): Promise<void> => {
      switch (path) {
        case "/healthz": {
          const h = healthOf(agent, statusOf(agent), maxAge, metrics);
          return send(res, h.status, "text/plain; charset=utf-8", `${h.reason}\n`, head);
        }
        case "/metrics":
          return send(res, 200, metrics.contentType, await metrics.text(), head);
        case "/status.json": {
          const status = statusOf(agent);
          if (!status?.running)
            return send(res, 503, "application/json", `${JSON.stringify({ running: false })}\n`, head);
          // Compact by default (a third smaller, and cheaper to build); `?pretty` indents it.
          const pretty = new URLSearchParams(query).has("pretty");
          return send(
            res,
            200,
            "application/json",
            `${JSON.stringify(statusReportOf(agent, status), null, pretty ? 2 : undefined)}\n`,
            head,
          );
        }
        case "/": {
          const status = statusOf(agent);
          if (!status?.running) return send(res, 503, "text/plain; charset=utf-8", `${NOT_RUNNING}\n`, head);
          return send(
            res,
            200,
            "text/html; charset=utf-8",
            renderStatusPage(statusReportOf(agent, status), healthOf(agent, status, maxAge, metrics)),
            head,
          );
        }
        default:
          return send(
            res,
            404,
            "text/plain; charset=utf-8",
            "not found: try /healthz, /metrics, /status.json or /\n",
            head,
          );
      }
    };
    run().catch((err: unknown) => {
      if (!res.headersSent)
        send(
          res,
          500,
          "text/plain; charset=utf-8",
          `error: ${(err as Error)?.message ?? String(err)}\n`,
          head,
        );
      else res.destroy();
    });
  };
}

/** A running {@link startAgentHttpServer}. */
export interface AgentHttpServer {
  /** `http://HOST:PORT` as bound (the OS's port when 0 was asked). */
  url: string;
  /** The bound address. */
  address: AddressInfo;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** An address to listen on. */
export interface ListenAddress {
  /** Host or IP (default `127.0.0.1`). */
  host: string;
  /** TCP port (0: one from the OS). */
  port: number;
}

/**
 * Parses `HOST:PORT`, `[IPV6]:PORT` or a bare `PORT` (then on 127.0.0.1).
 * @throws TransportError `HTTP_LISTEN` for anything else.
 */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:(?:\[([^\]]+)\]|([^:[\]]+)):)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535)
    throw new TransportError("HTTP_LISTEN", `"${text}" is not HOST:PORT (e.g. 127.0.0.1:9464, [::1]:9464)`);
  return { host: m[1] ?? m[2] ?? "127.0.0.1", port };
}

/**
 * Serves {@link createAgentHttpHandler} on `host:port` (port 0: one from the OS).
 * @throws TransportError `HTTP_LISTEN` when the address cannot be bound.
 */
export async function startAgentHttpServer(
  agent: Agent,
  listen: { host?: string; port: number },
  options: AgentHttpOptions = {},
): Promise<AgentHttpServer> {
  const server = createServer(createAgentHttpHandler(agent, options));
  const host = listen.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new TransportError(
          "HTTP_LISTEN",
          `cannot listen on ${host}:${listen.port}: ${err.code ?? err.message}`,
          {
            cause: err,
          },
        ),
      ),
    );
    server.listen(listen.port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const h = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${h}:${address.port}`,
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
