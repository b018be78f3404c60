/**
 * Test harness for the agent's integration suites: a real reference server (plain HTTP
 * or HTTPS), a real simulated fleet on UDP loopback, and an agent on a real SQLite outbox,
 * all sharing one ManualClock so a month runs deterministically in seconds.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, type AgentOptions } from "../../../src/agent/agent.js";
import { ManualClock } from "../../../src/agent/clock.js";
import { type AgentConfig, parseAgentConfig } from "../../../src/agent/config.js";
import { CommunicationServer, type CommunicationServerOptions } from "../../../src/server/index.js";
import { type FleetOptions, type PrinterFleet, SimClock, startFleet } from "../../../src/sim/index.js";

/** Nov 1st 2026, 00:00 UTC: a month boundary, so the first billing cycle is 2026-11. */
export const T0 = Date.parse("2026-11-01T00:00:00Z");

/** A silent logger for agents under test. */
export const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

export interface World {
  dir: string;
  clock: ManualClock;
  simClock: SimClock;
  server: CommunicationServer;
  url: string;
  fleet: PrinterFleet;
  config: AgentConfig;
  agent(extra?: Partial<AgentOptions>, patch?: (raw: Record<string, Record<string, unknown>>) => void): Agent;
  close(): Promise<void>;
}

export interface WorldOptions {
  devices: number;
  /** First UDP port of the fleet; default a free range the fleet finds itself. */
  basePort?: number;
  /** TCP port of the server; default 0 (from the OS). */
  serverPort?: number;
  server?: Partial<CommunicationServerOptions>;
  fleet?: Partial<FleetOptions>;
  schedule?: Record<string, string>;
  seed?: number;
}

export async function createWorld(options: WorldOptions): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), "esol-agent-it-"));
  const clock = new ManualClock(T0);
  const simClock = new SimClock({ rate: 1, startMs: T0, realNow: () => clock.now() });
  const server = new CommunicationServer({
    dbPath: join(dir, "server.db"),
    port: options.serverPort ?? 0,
    tls: false,
    signaturePolicy: "optional",
    clock,
    ...options.server,
  });
  const { url } = await server.start();
  const fleet = await startFleet(
    { count: options.devices, seed: options.seed ?? 7 },
    {
      ...(options.basePort !== undefined ? { basePort: options.basePort } : {}),
      clock: simClock,
      ...options.fleet,
    },
  );
  const raw = (): Record<string, Record<string, unknown>> => ({
    proxy: { id: "proxy-it-1", site: "integration" },
    server: { url, timeout: "5s", maxRetries: 0 },
    devices: {
      targets: [`127.0.0.1:${fleet.firstPort}-${fleet.lastPort}`],
      concurrency: 16,
      timeout: "300ms",
      retries: 0,
      silentAfterPolls: 2,
    },
    schedule: {
      pollInterval: "1d",
      syncWindow: "01:00-05:00",
      syncJitter: "30m",
      retryDelay: "10m",
      maxRetryDelay: "6h",
      ...options.schedule,
    },
    outbox: { path: join(dir, "outbox.db") },
    log: { level: "silent" },
  });
  const config = parseAgentConfig(raw());
  const agents: Agent[] = [];
  return {
    dir,
    clock,
    simClock,
    server,
    url,
    fleet,
    config,
    agent(extra = {}, patch) {
      const r = raw();
      patch?.(r);
      const a = new Agent(parseAgentConfig(r), { clock, logger: quietLogger, random: () => 0.5, ...extra });
      agents.push(a);
      return a;
    },
    async close() {
      for (const a of agents) await a.stop().catch(() => undefined);
      await fleet.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
