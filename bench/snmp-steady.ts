/**
 * Frugal polling benchmark (issue 15): full readings against steady polls (one GET of a
 * device's poll plan) of the same simulated printers in the same run — wall time, reader
 * CPU, SNMP requests and UDP payload bytes (both directions) per device.
 *
 *   node --import tsx bench/snmp-steady.ts [--devices 1000] [--runs 3] [--concurrency 64]
 *
 * Three processes: `esol sim` (the printers, every built-in model in turn), a relay process
 * (one byte-counting UDP relay of `esol impact` per printer, so bytes are counted on the
 * wire and not by the reader) and this one, the reader. Each run is a full pass (no plans:
 * what every 2-hour poll cost before) followed by a steady pass with the plans the full
 * pass returned; the table shows the median run. Prints a table and writes
 * bench/results/snmp-steady.json.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { createInterface } from "node:readline";
import { type ByteCountingRelay, startUdpRelay } from "../src/impact/relay.js";
import { type PollPlan, PrinterReader } from "../src/snmp/index.js";
import { intArg } from "./args.js";

interface RelayTotals {
  upBytes: number;
  downBytes: number;
  units: number;
}

/** Relay-process side: one relay per printer port; prints the relay ports, then totals on each "count" line. */
async function relays(firstPort: number, count: number): Promise<void> {
  const started: ByteCountingRelay[] = [];
  for (let i = 0; i < count; i++) started.push(await startUdpRelay({ targetPort: firstPort + i }));
  process.stdout.write(`${JSON.stringify({ ports: started.map((r) => r.port) })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() !== "count") continue;
    const totals: RelayTotals = { upBytes: 0, downBytes: 0, units: 0 };
    for (const r of started) {
      const c = r.count();
      totals.upBytes += c.upBytes;
      totals.downBytes += c.downBytes;
      totals.units += c.units;
    }
    process.stdout.write(`${JSON.stringify(totals)}\n`);
  }
  await Promise.all(started.map((r) => r.close()));
}

/** Starts a child and resolves with it and its first stdout line that `match` accepts. */
function startChild<T>(
  args: string[],
  match: (line: string) => T | null,
): Promise<{ child: ChildProcess; value: T; lines: AsyncIterator<string> }> {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${args.join(" ")} did not start in 180 s: ${err}`)),
      180_000,
    );
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}: ${err}`)));
    void (async () => {
      for (;;) {
        const next = await lines.next();
        if (next.done) return;
        const value = match(next.value);
        if (value !== null) {
          clearTimeout(timer);
          resolve({ child, value, lines });
          return;
        }
      }
    })();
  });
}

interface Pass {
  kind: "full" | "steady";
  devices: number;
  ok: number;
  steady: number;
  elapsedMs: number;
  cpuMs: number;
  requests: number;
  upBytes: number;
  downBytes: number;
  datagrams: number;
}

async function main(): Promise<void> {
  const devices = intArg("devices", 1000);
  const runs = intArg("runs", 3);
  const concurrency = intArg("concurrency", 64);
  const children: ChildProcess[] = [];
  const stop = () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  };
  process.once("SIGINT", () => {
    stop();
    process.exit(130);
  });
  try {
    const sim = await startChild(["src/cli/main.ts", "sim", "--count", String(devices)], (line) => {
      const m = /listening \S+:(\d+)-\d+/.exec(line);
      return m ? Number(m[1]) : null;
    });
    children.push(sim.child);
    const relay = await startChild(
      ["bench/snmp-steady.ts", "--relays", String(sim.value), String(devices)],
      (line) => (line.startsWith("{") ? (JSON.parse(line) as { ports: number[] }).ports : null),
    );
    children.push(relay.child);
    const countRelays = async (): Promise<RelayTotals> => {
      relay.child.stdin?.write("count\n");
      const next = await relay.lines.next();
      return JSON.parse(String(next.value)) as RelayTotals;
    };
    const targets = relay.value.map((p) => `127.0.0.1:${p}`);
    const reader = new PrinterReader({ timeoutMs: 2000, retries: 1 });

    const pass = async (kind: Pass["kind"], plans: Map<string, PollPlan>): Promise<Pass> => {
      const before = await countRelays();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let ok = 0;
      let steady = 0;
      let requests = 0;
      for await (const r of reader.pollPlanned(targets, {
        concurrency,
        planFor: (t) => (kind === "steady" ? (plans.get(t) ?? null) : null),
      })) {
        if (!r.planned) continue;
        ok++;
        requests += r.planned.requests;
        if (r.planned.kind === "steady") steady++;
        if (r.planned.plan) plans.set(r.target, r.planned.plan);
      }
      const elapsedMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const after = await countRelays();
      return {
        kind,
        devices: targets.length,
        ok,
        steady,
        elapsedMs: Math.round(elapsedMs),
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
        requests,
        upBytes: after.upBytes - before.upBytes,
        downBytes: after.downBytes - before.downBytes,
        datagrams: after.units - before.units,
      };
    };

    const results: { full: Pass; steady: Pass }[] = [];
    for (let i = 0; i < runs; i++) {
      const plans = new Map<string, PollPlan>();
      const full = await pass("full", plans);
      const steady = await pass("steady", plans);
      results.push({ full, steady });
    }
    const median = (k: "full" | "steady"): Pass => {
      const sorted = results.map((r) => r[k]).sort((a, b) => a.elapsedMs - b.elapsedMs);
      return sorted[Math.floor(sorted.length / 2)] as Pass;
    };
    const full = median("full");
    const steady = median("steady");
    const per = (p: Pass) => ({
      msPerDevice: p.elapsedMs / p.ok,
      requestsPerDevice: p.requests / p.ok,
      bytesPerDevice: (p.upBytes + p.downBytes) / p.ok,
      upPerDevice: p.upBytes / p.ok,
      downPerDevice: p.downBytes / p.ok,
    });
    const f = per(full);
    const s = per(steady);
    const rows: string[][] = [
      ["per device", "full reading", "steady poll", "steady / full"],
      [
        "wall time, ms (pass / devices)",
        f.msPerDevice.toFixed(2),
        s.msPerDevice.toFixed(2),
        `${((100 * s.msPerDevice) / f.msPerDevice).toFixed(1)} %`,
      ],
      [
        "reader CPU, ms",
        (full.cpuMs / full.ok).toFixed(2),
        (steady.cpuMs / steady.ok).toFixed(2),
        `${((100 * steady.cpuMs) / full.cpuMs).toFixed(1)} %`,
      ],
      [
        "SNMP requests",
        f.requestsPerDevice.toFixed(2),
        s.requestsPerDevice.toFixed(2),
        `${((100 * s.requestsPerDevice) / f.requestsPerDevice).toFixed(1)} %`,
      ],
      [
        "UDP payload bytes out + back",
        `${f.upPerDevice.toFixed(0)} + ${f.downPerDevice.toFixed(0)} = ${f.bytesPerDevice.toFixed(0)}`,
        `${s.upPerDevice.toFixed(0)} + ${s.downPerDevice.toFixed(0)} = ${s.bytesPerDevice.toFixed(0)}`,
        `${((100 * s.bytesPerDevice) / f.bytesPerDevice).toFixed(1)} %`,
      ],
      [`devices read (of ${devices})`, String(full.ok), `${steady.ok} (${steady.steady} steady)`, ""],
      [`pass wall time, ms (median of ${runs})`, String(full.elapsedMs), String(steady.elapsedMs), ""],
    ];
    const w = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]?.length ?? 0)));
    for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(w[c] ?? 0)).join("  "));

    mkdirSync("bench/results", { recursive: true });
    writeFileSync(
      "bench/results/snmp-steady.json",
      `${JSON.stringify(
        {
          bench: "snmp-steady",
          at: new Date().toISOString(),
          cpus: cpus().length,
          loadAverage: loadavg(),
          devices,
          concurrency,
          runs: results,
          median: { full: { ...full, ...f }, steady: { ...steady, ...s } },
          steadyBytesShare: s.bytesPerDevice / f.bytesPerDevice,
        },
        null,
        2,
      )}\n`,
    );
    console.log("wrote bench/results/snmp-steady.json");
    relay.child.stdin?.end();
  } finally {
    stop();
  }
}

if (process.argv.includes("--relays")) {
  const i = process.argv.indexOf("--relays");
  await relays(Number(process.argv[i + 1]), Number(process.argv[i + 2]));
} else {
  await main();
}
