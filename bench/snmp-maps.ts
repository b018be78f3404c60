/**
 * Vendor-map benchmark: time per full reading and bytes per reading with the vendor maps
 * and identity objects of this tree, next to another tree of the SDK (the code before the
 * maps grew) in the same run. Both read the same simulated printers: every recording of
 * test/fixtures/snmp/vendors (one per vendor, Lexmark's paper and scan tables included),
 * the real devices of test/fixtures/snmprec (Xerox, Brother, Sharp) and a synthetic fleet.
 *
 *   git archive <base> src | tar -x -C /tmp/sdk-old && ln -s "$PWD/node_modules" /tmp/sdk-old/node_modules
 *   node --import tsx bench/snmp-maps.ts --old /tmp/sdk-old [--runs 5] [--synthetic 50]
 *
 * Each measurement runs in a fresh child process; old and new alternate run by run so that
 * load on the machine hits both alike. Prints a table and writes bench/results/snmp-maps.json.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { arg, intArg } from "./args.js";

const run = promisify(execFile);
const RECORDINGS = resolve("test/fixtures/snmp/vendors");
const REAL_RECORDINGS = resolve("test/fixtures/snmprec");
const snmprecs = (dir: string) => readdirSync(dir).filter((n) => n.endsWith(".snmprec"));

interface WorkerResult {
  readings: number;
  failed: number;
  elapsedMs: number;
  msPerReading: number;
  /** CPU (user + system) of the worker per reading, simulator included: less sensitive to a busy machine than wall time. */
  cpuMsPerReading: number;
  /** Vendor meters found over all recordings. */
  vendorMeters: number;
  /** UDP payload bytes (request + response) of one full reading, per recording. */
  bytes: Record<string, number>;
}

/** Child side: start a fleet with the tree at `root`, poll it, measure bytes per recording. */
async function worker(root: string, synthetic: number, withBytes: boolean): Promise<void> {
  const src = (p: string) => pathToFileURL(join(root, "src", p)).href;
  const sim = (await import(src("sim/index.ts"))) as typeof import("../src/sim/index.js");
  const snmp = (await import(src("snmp/index.ts"))) as typeof import("../src/snmp/index.js");
  const recordings = await sim.startFleet({ recordings: RECORDINGS }, { clock: { rate: 0 } });
  const real = await sim.startFleet({ recordings: REAL_RECORDINGS }, { clock: { rate: 0 } });
  const fleet = await sim.startFleet({ count: synthetic, seed: 7 }, { clock: { rate: 0 } });
  try {
    const targets = [recordings, real, fleet].map(
      (f) => `127.0.0.1:${f.firstPort}-${f.firstPort + f.devices.length - 1}`,
    );
    const reader = new snmp.PrinterReader({ timeoutMs: 2000, retries: 1 });
    let readings = 0;
    let failed = 0;
    let vendorMeters = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for await (const r of reader.poll(targets, { concurrency: 16 })) {
      if (r.reading) {
        readings++;
        vendorMeters += r.reading.meters.filter((m) => m.source === "vendor").length;
      } else failed++;
    }
    const elapsedMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const bytes: Record<string, number> = {};
    if (withBytes) {
      const impact = (await import(src("impact/snmp.ts"))) as typeof import("../src/impact/snmp.js");
      for (const dir of [RECORDINGS, REAL_RECORDINGS])
        for (const f of snmprecs(dir)) {
          const m = await impact.measureSnmpPoll({ recording: join(dir, f) });
          bytes[f.replace(/\.snmprec$/, "")] = m.requestBytes + m.responseBytes;
        }
    }
    const result: WorkerResult = {
      readings,
      failed,
      elapsedMs: Math.round(elapsedMs),
      msPerReading: Number((elapsedMs / Math.max(1, readings)).toFixed(2)),
      cpuMsPerReading: Number(((cpu.user + cpu.system) / 1000 / Math.max(1, readings)).toFixed(2)),
      vendorMeters,
      bytes,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await recordings.close();
    await real.close();
    await fleet.close();
  }
}

async function inChild(root: string, synthetic: number, withBytes: boolean): Promise<WorkerResult> {
  const { stdout } = await run(
    process.execPath,
    [
      "--import",
      "tsx",
      "bench/snmp-maps.ts",
      "--worker",
      root,
      "--synthetic",
      String(synthetic),
      ...(withBytes ? ["--bytes", "1"] : []),
    ],
    { maxBuffer: 1 << 20, timeout: 600_000 },
  );
  return JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as WorkerResult;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<void> {
  const runs = intArg("runs", 5);
  const synthetic = intArg("synthetic", 50);
  const old = arg("old");
  const trees: [string, string][] = [
    ["new", resolve(".")],
    ...(old ? [["old", resolve(old)] as [string, string]] : []),
  ];
  const results: Record<string, WorkerResult[]> = { new: [], old: [] };
  for (let i = 0; i < runs; i++)
    for (const [name, root] of i % 2 === 0 ? trees : [...trees].reverse())
      results[name]?.push(await inChild(root, synthetic, i === 0));

  const summary = Object.fromEntries(
    trees.map(([name]) => {
      const rs = results[name] ?? [];
      return [
        name,
        {
          msPerReading: median(rs.map((r) => r.msPerReading)),
          bestMsPerReading: Math.min(...rs.map((r) => r.msPerReading)),
          cpuMsPerReading: median(rs.map((r) => r.cpuMsPerReading)),
          readings: rs[0]?.readings ?? 0,
          failed: rs.reduce((a, r) => a + r.failed, 0),
          vendorMeters: rs[0]?.vendorMeters ?? 0,
          bytes: rs[0]?.bytes ?? {},
          runs: rs.map((r) => r.msPerReading),
        },
      ];
    }),
  );
  const n = summary.new;
  const o = summary.old;
  console.log(
    `readings per run: ${n?.readings} (${snmprecs(RECORDINGS).length} vendor recordings + ${snmprecs(REAL_RECORDINGS).length} real devices + ${synthetic} synthetic)`,
  );
  console.log(
    "tree | ms per reading (median) | best | CPU ms per reading (median) | runs | vendor meters found | failed",
  );
  for (const [name] of trees) {
    const s = summary[name];
    console.log(
      `${name} | ${s?.msPerReading} | ${s?.bestMsPerReading} | ${s?.cpuMsPerReading} | ${s?.runs.join(", ")} | ${s?.vendorMeters} | ${s?.failed}`,
    );
  }
  if (n && o) {
    const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(1)} %`;
    console.log(
      `new / old: median ${pct(n.msPerReading, o.msPerReading)}, best ${pct(n.bestMsPerReading, o.bestMsPerReading)}, CPU ${pct(n.cpuMsPerReading, o.cpuMsPerReading)}`,
    );
  }
  console.log("\nbytes of one full reading (UDP payloads, both ways)");
  console.log("recording | new | old");
  for (const rec of Object.keys(n?.bytes ?? {}))
    console.log(`${rec} | ${n?.bytes[rec]} | ${o?.bytes[rec] ?? "-"}`);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/snmp-maps.json", `${JSON.stringify({ runs, synthetic, summary }, null, 2)}\n`);
}

if (process.argv.includes("--worker")) {
  const root = process.argv[process.argv.indexOf("--worker") + 1] ?? ".";
  await worker(root, intArg("synthetic", 50), process.argv.includes("--bytes"));
} else await main();
