import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Outbox } from "../../../src/agent/outbox.js";
import { CommunicationServer } from "../../../src/server/index.js";
import { type PrinterFleet, SimClock, startFleet } from "../../../src/sim/index.js";

// Simulated time runs RATE× faster than real time in the parent (server, fleet) and in every
// agent child, all anchored at the same real instant, so they agree on "now" across restarts.
const RATE = 40_000;
// Five simulated days before a month ends, so the run always crosses into a second billing cycle.
const T0 = Date.parse("2026-11-26T00:00:00Z");
const DEVICES = 20;
const KILLS = 30;

const child = join(import.meta.dirname, "fixtures", "agent-child.ts");
let dir: string;
let server: CommunicationServer;
let fleet: PrinterFleet;
let anchor: number;
const simNow = () => T0 + (Date.now() - anchor) * RATE;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "esol-agent-kill-"));
  anchor = Date.now();
  server = new CommunicationServer({
    dbPath: join(dir, "server.db"),
    port: 0,
    tls: false,
    signaturePolicy: "optional",
    clock: () => new Date(simNow()),
  });
  const { url } = await server.start();
  fleet = await startFleet(
    { count: DEVICES, seed: 3 },
    { clock: new SimClock({ rate: RATE, startMs: simNow() }) },
  );
  writeFileSync(
    join(dir, "agent.json"),
    JSON.stringify({
      proxy: { id: "proxy-kill-loop" },
      server: { url, timeout: "2s", maxRetries: 0 },
      devices: {
        targets: [`127.0.0.1:${fleet.firstPort}-${fleet.lastPort}`],
        timeout: "500ms",
        retries: 0,
      },
      schedule: {
        pollInterval: "2h",
        syncWindow: "00:00-23:59",
        syncJitter: "2h",
        retryDelay: "5m",
        maxRetryDelay: "2h",
      },
      outbox: { path: join(dir, "outbox.db") },
      log: { level: "silent" },
    }),
  );
  // Some resends must meet a server that already stored the batch.
  server.injectFaults([
    { operation: "SubmitSuppliesReport", kind: "drop-after-store", count: 5 },
    { operation: "SubmitBillingReads", kind: "drop-after-store", count: 2 },
  ]);
});

afterAll(async () => {
  await fleet?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  committed: string[];
  lines: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
}

function runChild(mode: "run" | "finish", killAfterMs: number, untilMs = 0): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        child,
        join(dir, "agent.json"),
        String(RATE),
        String(T0),
        String(anchor),
        mode,
        String(untilMs),
      ],
      { cwd: process.cwd(), stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    let timer: NodeJS.Timeout | undefined;
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (mode === "run" && !timer && out.includes("started\n"))
        timer = setTimeout(() => p.kill("SIGKILL"), killAfterMs);
    });
    p.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const guard = setTimeout(() => p.kill("SIGKILL"), 60_000);
    p.on("error", reject);
    p.on("exit", (code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      const lines = out.split("\n");
      const complete = out.endsWith("\n") ? lines : lines.slice(0, -1);
      if (code !== 0 && signal !== "SIGKILL")
        reject(new Error(`child failed (${code}): ${err.slice(-2000)}`));
      resolve({
        committed: complete.filter((l) => l.startsWith("committed ")),
        lines: complete,
        code,
        signal,
      });
    });
  });
}

describe("Agent under kill -9", () => {
  it(`loses no reading and duplicates none at the server across ${KILLS} kills at random moments`, async () => {
    const committed = new Map<string, string>(); // key → kind
    let kills = 0;
    for (let i = 0; i < KILLS; i++) {
      const run = await runChild("run", 100 + Math.floor(Math.random() * 900));
      if (run.signal === "SIGKILL") kills++;
      for (const l of run.committed) {
        const [, kind, key] = l.split(" ");
        committed.set(key as string, kind as string);
      }
    }
    expect(kills).toBe(KILLS);
    // Let it finish: a clean run that syncs and drains the outbox.
    const final = await runChild("finish", 0, simNow() + 86_400_000);
    for (const l of final.committed) {
      const [, kind, key] = l.split(" ");
      committed.set(key as string, kind as string);
    }
    expect(final.code).toBe(0);
    const exp = server.exportStore();

    // The outbox is intact and holds nothing unsent (acknowledged entries older than a week are pruned).
    const outbox = Outbox.open(join(dir, "outbox.db"), { integrityCheck: "full" });
    expect(outbox.openReport.integrity).toBe("ok");
    expect(outbox.stats()).toMatchObject({ pending: 0, parked: 0, quarantined: 0 });
    outbox.close();

    // Zero lost: every reading a child reported committed is stored at the server.
    const storedBilling = new Set(exp.billingReads.map((r) => r.key));
    const storedSupplies = new Set(exp.suppliesReports.map((r) => r.key));
    const billingKeys = [...committed].filter(([, kind]) => kind === "billing-read").map(([key]) => key);
    const suppliesKeys = [...committed].filter(([, kind]) => kind === "supplies-report").map(([key]) => key);
    const lost = [
      ...billingKeys.filter((k) => !storedBilling.has(k)),
      ...suppliesKeys.filter((k) => !storedSupplies.has(k)),
    ];
    expect(lost).toEqual([]);
    // Zero duplicates: one billing read per device and cycle, one supplies report per device and reading time.
    const perCycle = new Set(exp.billingReads.map((r) => `${r.serial}/${r.cycle}`));
    expect(perCycle.size).toBe(exp.billingReads.length);
    const perReading = new Set(exp.suppliesReports.map((r) => `${r.serial}/${r.readAt}`));
    expect(perReading.size).toBe(exp.suppliesReports.length);
    expect(exp.billingRequests.every((r) => r.fulfilledAt !== null)).toBe(true);
    // Every request answered by exactly one read; the run always reaches December's cycle (whether
    // November's was requested depends on how soon the first registration survived the kills).
    expect(exp.billingReads).toHaveLength(exp.billingRequests.length);
    expect(exp.billingReads.filter((r) => r.cycle === "2026-12")).toHaveLength(DEVICES);
    expect(exp.suppliesReports.length).toBeGreaterThan(DEVICES);
    console.log(
      `kill loop: ${kills} kills survived; ${committed.size} commits reported by children; ` +
        `${exp.billingReads.length} billing reads and ${exp.suppliesReports.length} supplies reports at the server, ` +
        `${billingKeys.length + suppliesKeys.length} reported commits all found; sim ${new Date(simNow()).toISOString()}`,
    );
  }, 300_000);
});
