/**
 * Benchmark: one billing cycle through the agent, against the same work done without it.
 *
 *   node --import tsx bench/agent-cycle.ts [--devices 100,400]
 *
 * For N simulated printers (a free UDP range) and the reference server (a free TCP port, plain HTTP):
 * - agent: the Sync that carries N BillingRequests, answered end to end (concurrent fresh SNMP
 *   reads, each reading and billing read committed with fsync, one SubmitBillingReads, acks);
 * - baseline, same run: an SNMP poll of the same N devices plus one SubmitBillingReads of N
 *   reads sent directly by a CommunicationClient (no outbox, nothing durable).
 * The ratio agent / baseline is what durability and bookkeeping cost. Writes bench/results/agent-cycle.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "../src/agent/agent.js";
import { ManualClock } from "../src/agent/clock.js";
import { parseAgentConfig } from "../src/agent/config.js";
import { CommunicationServer } from "../src/server/index.js";
import { SimClock, startFleet } from "../src/sim/index.js";
import { PrinterReader } from "../src/snmp/reader.js";
import { CommunicationClient } from "../src/soap/client.js";

const arg = process.argv.indexOf("--devices");
const sizes = (arg > 0 ? (process.argv[arg + 1] as string) : "100,400").split(",").map(Number);
const T0 = Date.parse("2026-11-01T00:00:00Z");
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

interface Row {
  devices: number;
  agentMs: number;
  pollMs: number;
  submitMs: number;
  baselineMs: number;
  ratio: number;
}
const rows: Row[] = [];

for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), "esol-bench-cycle-"));
  const clock = new ManualClock(T0);
  // Supplies off: the baseline covers the billing cycle only.
  const server = new CommunicationServer({
    supplies: false,
    dbPath: join(dir, "server.db"),
    port: 0,
    tls: false,
    signaturePolicy: "optional",
    clock,
  });
  const { url } = await server.start();
  const fleet = await startFleet(
    { count: n, seed: 5 },
    { clock: new SimClock({ rate: 1, startMs: T0, realNow: () => clock.now() }) },
  );
  const targets = [`127.0.0.1:${fleet.firstPort}-${fleet.lastPort}`];
  try {
    const config = parseAgentConfig({
      proxy: { id: "bench-proxy" },
      server: { url },
      devices: { targets, concurrency: 32, timeout: "2s" },
      outbox: { path: join(dir, "outbox.db") },
      log: { level: "silent" },
    });
    const agent = new Agent(config, { clock, logger: quiet, autoSchedule: false });
    await agent.start();
    await agent.pollNow();
    await agent.syncNow(); // registration, EnableService, ReportSyncStatus
    await clock.advance(3_600_000);
    let t = performance.now();
    await agent.syncNow(); // BillingRequest × n → reads → commits → SubmitBillingReads
    const agentMs = performance.now() - t;
    const billed = agent.outbox.list("sent").filter((e) => e.kind === "billing-read").length;
    await agent.stop();
    if (billed !== n) throw new Error(`expected ${n} billing reads acknowledged, got ${billed}`);

    const reader = new PrinterReader({ timeoutMs: 2000 });
    t = performance.now();
    const serials: string[] = [];
    for await (const r of reader.poll(targets, { concurrency: 32 }))
      if (r.reading?.identity.serial) serials.push(r.reading.identity.serial);
    const pollMs = performance.now() - t;
    const client = new CommunicationClient({ endpoint: url });
    const reads = serials.map((serial, i) => ({
      key: `bench-${i}-${serial}`,
      serial,
      readAt: new Date(clock.now()),
      cycle: "2026-10",
      meters: [{ name: "Total", value: 1000 + i }],
    }));
    t = performance.now();
    await client.submitBillingReads({ proxyId: "bench-proxy", reads });
    const submitMs = performance.now() - t;
    await client.close();
    const baselineMs = pollMs + submitMs;
    rows.push({
      devices: n,
      agentMs: Math.round(agentMs),
      pollMs: Math.round(pollMs),
      submitMs: Math.round(submitMs),
      baselineMs: Math.round(baselineMs),
      ratio: Math.round((agentMs / baselineMs) * 100) / 100,
    });
  } finally {
    await fleet.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log("devices  agent ms  poll ms  submit ms  baseline ms  agent/baseline");
for (const r of rows)
  console.log(
    `${String(r.devices).padStart(7)}  ${String(r.agentMs).padStart(8)}  ${String(r.pollMs).padStart(7)}  ${String(r.submitMs).padStart(9)}  ${String(r.baselineMs).padStart(11)}  ${r.ratio}`,
  );
mkdirSync("bench/results", { recursive: true });
writeFileSync(
  "bench/results/agent-cycle.json",
  `${JSON.stringify({ bench: "agent-cycle", at: new Date().toISOString(), node: process.version, rows }, null, 2)}\n`,
);
