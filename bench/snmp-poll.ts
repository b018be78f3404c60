/**
 * Fleet poll benchmark: a full reading (identity, meters, supplies, status, alerts) of
 * 1,000 simulated printers by PrinterReader, next to Net-SNMP doing the same work in the
 * same run (one `snmpget` of the identity scalars, then one `snmpbulkwalk` per subtree the
 * reader walks, 16 devices in parallel); then the poller's peak RSS for 1,000 vs 10,000
 * printers (memory should stay flat: targets are expanded lazily, results streamed).
 *
 *   node --import tsx bench/snmp-poll.ts [--devices 1000] [--big 10000] [--runs 3] [--baseline-devices 1000]
 *
 * The simulator (`esol sim`) runs in its own processes; each poll runs in a fresh child
 * process so its peak RSS is its own. Ports: free ranges the simulators find on 127.0.0.1 and ::1.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { IDENTITY_OIDS, PrinterReader, subtreesFor, vendorOf } from "../src/snmp/index.js";
import { intArg } from "./args.js";

const run = promisify(execFile);
const PORTS = 5000;

interface WorkerResult {
  targets: number;
  ok: number;
  failed: number;
  elapsedMs: number;
  cpuMs: number;
  maxRssMb: number;
}

/** Child-process side: poll the given targets, print one JSON line. */
async function worker(targets: string[]): Promise<void> {
  const reader = new PrinterReader({ timeoutMs: 2000, retries: 1 });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let ok = 0;
  let failed = 0;
  for await (const r of reader.poll(targets, { concurrency: 64 })) {
    if (r.reading) ok++;
    else failed++;
  }
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const result: WorkerResult = {
    targets: ok + failed,
    ok,
    failed,
    elapsedMs: Math.round(elapsedMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** First port of the simulator on 127.0.0.1 and on ::1 (from their `listening` lines). */
const basePorts = { v4: 0, v6: 0 };

function rangesFor(count: number): string[] {
  const v4 = Math.min(count, PORTS);
  const v6 = count - v4;
  const out = [`127.0.0.1:${basePorts.v4}-${basePorts.v4 + v4 - 1}`];
  if (v6 > 0) out.push(`[::1]:${basePorts.v6}-${basePorts.v6 + v6 - 1}`);
  return out;
}

async function pollInChild(count: number): Promise<WorkerResult> {
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", "bench/snmp-poll.ts", "--worker", ...rangesFor(count)],
    { maxBuffer: 1 << 20, timeout: 600_000 },
  );
  return JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as WorkerResult;
}

/** Starts `esol sim` on a free range of `host`; resolves with the process and its first port. */
async function startSim(host: string, count: number): Promise<{ child: ChildProcess; firstPort: number }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "sim", "--count", String(count), "--host", host],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const firstPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`sim on ${host} did not start in 180 s: ${err}`)),
      180_000,
    );
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening \S+:(\d+)-\d+\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`sim on ${host} exited with ${code}: ${err}`));
    });
  });
  return { child, firstPort };
}

/** Net-SNMP doing the reader's work for one device: one snmpget, one snmpbulkwalk per subtree. */
async function netSnmpDevice(port: number): Promise<{ ok: boolean; values: number }> {
  const common = ["-m", "", "-v2c", "-c", "public", "-On", "-Oq", "-t", "2", "-r", "1"];
  const env = { ...process.env, MIBS: "" };
  const target = `127.0.0.1:${port}`;
  let values = 0;
  try {
    const { stdout } = await run("snmpget", [...common, target, ...IDENTITY_OIDS], { env });
    const sysObjectID = /^\.1\.3\.6\.1\.2\.1\.1\.2\.0 \.?([\d.]+)$/m.exec(stdout)?.[1] ?? null;
    values += stdout.split("\n").filter(Boolean).length;
    const subtrees = subtreesFor({ ...vendorOf(sysObjectID), model: null });
    for (const oid of subtrees) {
      const walk = await run("snmpbulkwalk", [...common, "-Cr20", target, oid], { env });
      values += walk.stdout.split("\n").filter(Boolean).length;
    }
    return { ok: sysObjectID !== null, values };
  } catch {
    return { ok: false, values };
  }
}

async function netSnmpFleet(count: number, parallel: number): Promise<{ elapsedMs: number; ok: number }> {
  let next = 0;
  let ok = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const port = basePorts.v4 + next++;
        if ((await netSnmpDevice(port)).ok) ok++;
      }
    }),
  );
  return { elapsedMs: Math.round(performance.now() - t0), ok };
}

async function main(): Promise<void> {
  const devices = intArg("devices", 1000);
  const big = intArg("big", 10_000);
  const runs = intArg("runs", 3);
  const baselineDevices = Math.min(intArg("baseline-devices", devices), devices);
  if (big > 2 * PORTS || devices > PORTS) throw new Error(`at most ${PORTS} devices per loopback address`);

  const sims: ChildProcess[] = [];
  const stopSims = () => {
    for (const s of sims) if (s.exitCode === null) s.kill("SIGTERM");
  };
  process.once("SIGINT", () => {
    stopSims();
    process.exit(130);
  });
  try {
    const t0 = performance.now();
    const v4 = await startSim("127.0.0.1", Math.min(Math.max(devices, big), PORTS));
    sims.push(v4.child);
    basePorts.v4 = v4.firstPort;
    if (big > PORTS) {
      const v6 = await startSim("::1", big - PORTS);
      sims.push(v6.child);
      basePorts.v6 = v6.firstPort;
    }
    const simStartMs = Math.round(performance.now() - t0);

    const ours: WorkerResult[] = [];
    for (let i = 0; i < runs; i++) ours.push(await pollInChild(devices));
    const sorted = [...ours].sort((a, b) => a.elapsedMs - b.elapsedMs);
    const median = sorted[Math.floor(sorted.length / 2)] as WorkerResult;

    const baseline = await netSnmpFleet(baselineDevices, 16);
    const baselineFor = Math.round((baseline.elapsedMs * devices) / baselineDevices);

    const bigRun = await pollInChild(big);
    const smallRss = Math.max(...ours.map((r) => r.maxRssMb));

    const rows: [string, string, string][] = [
      ["what", "result", "note"],
      [
        `PrinterReader, ${devices} printers (median of ${runs})`,
        `${median.elapsedMs} ms`,
        `${median.ok} ok, ${median.failed} failed, CPU ${median.cpuMs} ms`,
      ],
      [`PrinterReader, best run`, `${sorted[0]?.elapsedMs} ms`, `target < 3000 ms`],
      [
        `Net-SNMP snmpget + snmpbulkwalk, 16 parallel`,
        `${baselineFor} ms`,
        baselineDevices === devices
          ? `${baseline.ok} ok`
          : `${baselineDevices} devices measured (${baseline.elapsedMs} ms), scaled`,
      ],
      [
        `ratio Net-SNMP / PrinterReader`,
        `${(baselineFor / median.elapsedMs).toFixed(1)}x`,
        "higher = PrinterReader faster",
      ],
      [`peak RSS, ${devices} printers`, `${smallRss} MB`, "poller process"],
      [`peak RSS, ${big} printers`, `${bigRun.maxRssMb} MB`, `${bigRun.ok} ok in ${bigRun.elapsedMs} ms`],
      [`RSS ratio ${big} / ${devices}`, `${(bigRun.maxRssMb / smallRss).toFixed(2)}x`, "1.0 = flat"],
      [`simulator start`, `${simStartMs} ms`, `${sims.length} process(es)`],
    ];
    const w = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]?.length ?? 0)));
    for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(w[c] ?? 0)).join("  "));

    mkdirSync("bench/results", { recursive: true });
    const result = {
      bench: "snmp-poll",
      at: new Date().toISOString(),
      cpus: (await import("node:os")).cpus().length,
      loadAverage: (await import("node:os")).loadavg(),
      devices,
      runs: ours,
      medianMs: median.elapsedMs,
      netSnmp: { ...baseline, devices: baselineDevices, scaledMs: baselineFor, parallel: 16 },
      ratio: baselineFor / median.elapsedMs,
      rss: { [devices]: smallRss, [big]: bigRun.maxRssMb, ratio: bigRun.maxRssMb / smallRss },
      big: bigRun,
    };
    writeFileSync("bench/results/snmp-poll.json", `${JSON.stringify(result, null, 2)}\n`);
    console.log("wrote bench/results/snmp-poll.json");
  } finally {
    stopSims();
  }
}

if (process.argv.includes("--worker")) {
  await worker(process.argv.slice(process.argv.indexOf("--worker") + 1));
} else {
  await main();
}
