/**
 * Benchmark: does the simulator stay flat under soak? A synthetic fleet runs in a child
 * process (as `esol sim` would, clock rate 1 by default); this process polls every device in
 * full with the project's own {@link PrinterReader}, round after round, and after each round
 * asks the child for its memory after a full GC (`--expose-gc`).
 *
 *   node --import tsx bench/sim-soak.ts [--devices 1000] [--rounds 30] [--concurrency 64]
 *                                       [--clock-rate 1] [--fleet library|cli]
 *
 * `--fleet library` (default) runs `startFleet` in a child started with `--expose-gc`;
 * `--fleet cli` runs the built `esol sim` (npm run build first) and reads its RSS from /proc,
 * the way the problem was first seen.
 *
 * Baseline, same run: the fleet process's memory right after the fleet started, before any
 * request. Verdict: memory levels off when its growth over the second half of the rounds is
 * under `max(1 MiB, 2 %)` of the heap after GC (library) or `max(5 MiB, 5 %)` of RSS (cli), i.e.
 * no growth proportional to the requests served; a leak grows with every round. V8 and glibc
 * return freed pages lazily, so RSS is a high-water mark of the garbage made per round.
 *
 * Ports: the fleet finds a free range itself (no basePort / `esol sim` without --base-port).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";

const MB = 1024 * 1024;

interface Memory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** Memory after a full collection (twice: weak callbacks and finalizers run in between). */
function memoryAfterGc(): Memory {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heapTotal: m.heapTotal,
    heapUsed: m.heapUsed,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  };
}

// ---------------------------------------------------------------- child side: the fleet
async function child(devices: number, clockRate: number): Promise<void> {
  const { startFleet } = await import("../src/sim/index.js");
  const fleet = await startFleet({ count: devices, seed: 1 }, { clock: { rate: clockRate } });
  const started = memoryAfterGc();
  process.stdout.write(`${JSON.stringify({ basePort: fleet.firstPort, started })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === "mem") process.stdout.write(`${JSON.stringify(memoryAfterGc())}\n`);
    if (line === "stop") break;
  }
  await fleet.close();
  process.exit(0);
}

// ---------------------------------------------------------------- parent side: the poller
/** A running fleet in another process, seen from here. */
interface FleetProcess {
  basePort: number;
  /** Memory at start, before any request. */
  started: Memory;
  /** Memory now (after a full GC for the library fleet; RSS only for `esol sim`). */
  memory(): Promise<Memory>;
  stop(): Promise<void>;
}

function lineReader(proc: ChildProcess): () => Promise<string> {
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
  const queue: string[] = [];
  const waiters: ((l: string) => void)[] = [];
  lines.on("line", (l) => {
    const w = waiters.shift();
    if (w) w(l);
    else queue.push(l);
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const q = queue.shift();
      if (q !== undefined) return resolve(q);
      waiters.push(resolve);
      proc.once("exit", (code) => reject(new Error(`fleet process exited ${code}`)));
    });
}

/** `startFleet` in a child process that answers `mem` with its memory after a full GC. */
async function libraryFleet(devices: number, clockRate: number): Promise<FleetProcess> {
  const proc = spawn(
    process.execPath,
    ["--expose-gc", "--import", "tsx", "bench/sim-soak.ts", "child", String(devices), String(clockRate)],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const next = lineReader(proc);
  const ready = JSON.parse(await next()) as { basePort: number; started: Memory };
  return {
    basePort: ready.basePort,
    started: ready.started,
    memory: async () => {
      proc.stdin?.write("mem\n");
      return JSON.parse(await next()) as Memory;
    },
    stop: async () => {
      proc.stdin?.write("stop\n");
      await new Promise((r) => proc.once("exit", r));
    },
  };
}

/** Resident set of a process from /proc (Linux), in bytes. */
function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? Number.NaN) * 1024;
}

/** `esol sim --count N` from the built CLI, as the issue measured it: RSS only. */
async function cliFleet(devices: number, clockRate: number): Promise<FleetProcess> {
  if (!existsSync("dist/src/cli/main.js")) throw new Error("dist/src/cli/main.js is missing: npm run build");
  const args = ["dist/src/cli/main.js", "sim", "--count", String(devices)];
  const proc = spawn(process.execPath, [...args, "--clock-rate", String(clockRate)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  proc.stderr?.on("data", (d) => {
    stderr += d;
  });
  const line = await lineReader(proc)().catch(() => "");
  const basePort = Number(/^listening \S+:(\d+)-\d+$/.exec(line.trim())?.[1]);
  if (!Number.isInteger(basePort) || basePort <= 0)
    throw new Error(`esol sim did not start: ${stderr.trim()}`);
  const pid = proc.pid as number;
  const sample = (): Memory => ({
    rss: rssOf(pid),
    heapTotal: Number.NaN,
    heapUsed: Number.NaN,
    external: Number.NaN,
    arrayBuffers: Number.NaN,
  });
  return {
    basePort,
    started: sample(),
    memory: async () => sample(),
    stop: async () => {
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
    },
  };
}

interface Round {
  round: number | string;
  pollMs: number;
  read: string;
  rssMb: number;
  heapTotalMb: number;
  heapMb: number;
  externalMb: number;
}

const mb = (bytes: number): number => Math.round((bytes / MB) * 10) / 10;

async function main(): Promise<void> {
  const arg = (name: string, fallback: string): string => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
  };
  const devices = Number(arg("--devices", "1000"));
  const rounds = Number(arg("--rounds", "30"));
  const concurrency = Number(arg("--concurrency", "64"));
  const clockRate = Number(arg("--clock-rate", "1"));
  const mode = arg("--fleet", "library");
  if (!(devices >= 1 && devices <= 10000 && rounds >= 2 && rounds <= 1000))
    throw new Error("--devices 1..10000, --rounds 2..1000");
  if (mode !== "library" && mode !== "cli") throw new Error("--fleet library|cli");

  const { PrinterReader } = await import("../src/snmp/index.js");
  const fleet = mode === "cli" ? await cliFleet(devices, clockRate) : await libraryFleet(devices, clockRate);
  const targets = Array.from({ length: devices }, (_, i) => `127.0.0.1:${fleet.basePort + i}`);
  const reader = new PrinterReader({ timeoutMs: 5000, retries: 1 });
  const rowOf = (round: number | string, pollMs: number, read: string, m: Memory): Round => ({
    round,
    pollMs: Math.round(pollMs),
    read,
    rssMb: mb(m.rss),
    heapTotalMb: mb(m.heapTotal),
    heapMb: mb(m.heapUsed),
    externalMb: mb(m.external),
  });
  const rows: Round[] = [rowOf("started (baseline)", 0, "-", fleet.started)];
  // Judged: the heap after GC for the library fleet; RSS for `esol sim` (no GC from outside).
  const judged: number[] = [];
  const judge = (m: Memory): number => (mode === "cli" ? m.rss : m.heapUsed);
  try {
    for (let round = 1; round <= rounds; round++) {
      const t0 = performance.now();
      let ok = 0;
      for await (const r of reader.poll(targets, { concurrency })) if (r.reading) ok++;
      const pollMs = performance.now() - t0;
      const m = await fleet.memory();
      judged.push(judge(m));
      const row = rowOf(round, pollMs, `${ok}/${devices}`, m);
      rows.push(row);
      console.error(
        `round ${round}/${rounds}: ${row.read} read in ${row.pollMs} ms, heap ${row.heapMb} MB, rss ${row.rssMb} MB`,
      );
    }
  } finally {
    await fleet.stop();
  }

  const half = Math.floor(rounds / 2);
  const last = judged[rounds - 1] as number;
  const firstHalfGrowth = (judged[half - 1] as number) - judge(fleet.started);
  const secondHalfGrowth = last - (judged[half - 1] as number);
  // RSS moves with the allocator's free lists: a wider band than the heap after GC.
  const tolerance = mode === "cli" ? Math.max(5 * MB, 0.05 * last) : Math.max(MB, 0.02 * last);
  const summary = {
    fleet: mode === "cli" ? "esol sim (RSS)" : "startFleet (heap after GC)",
    devices,
    rounds,
    clockRate,
    concurrency,
    judgedStartedMb: mb(judge(fleet.started)),
    judgedAfterRound1Mb: mb(judged[0] as number),
    judgedLastMb: mb(last),
    growthFirstHalfMb: mb(firstHalfGrowth),
    growthSecondHalfMb: mb(secondHalfGrowth),
    growthPerRoundSecondHalfKb: Math.round(secondHalfGrowth / 1024 / (rounds - half)),
    rssStartedMb: mb(fleet.started.rss),
    rssMaxMb: Math.max(...rows.map((r) => r.rssMb)),
    rssLastMb: (rows.at(-1) as Round).rssMb,
    verdict: secondHalfGrowth < tolerance ? "levels off" : "grows (leak)",
  };
  console.table(rows);
  console.table([summary]);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(
    `bench/results/sim-soak${mode === "cli" ? "-cli" : ""}.json`,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, summary, rows }, null, 2)}\n`,
  );
}

if (process.argv[2] === "child") await child(Number(process.argv[3]), Number(process.argv[4]));
else await main();
