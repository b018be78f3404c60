/**
 * Benchmark: how fast a synthetic fleet starts, what it costs in memory, and whether every
 * device answers a full reading (walk of the system group and the Printer-MIB).
 *
 *   node --import tsx bench/sim-start.ts [--sizes 1000,10000] [--read N|all]
 *
 * Each fleet runs in its own child process (clean RSS); the reader runs here, in the parent,
 * as a separate SNMP manager would. Baseline, measured in the same run: the same number of
 * bare UDP sockets bound by plain node:dgram (the floor any one-port-per-device simulator pays).
 * Ports: the fleet finds a free range itself; the baseline's sockets take theirs from the OS.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

const MB = 1024 * 1024;

interface ChildReport {
  startMs: number;
  rssBefore: number;
  rssAfter: number;
  heapAfter: number;
  expected?: number[];
  /** The fleet's first port (device i listens on firstPort + i). */
  firstPort?: number;
}

// ---------------------------------------------------------------- child side
async function child(kind: "sim" | "bare", count: number): Promise<void> {
  // Load the code first, so RSS growth is the devices' cost, not the modules'.
  const { startFleet } = await import("../src/sim/index.js");
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  let close: () => Promise<void>;
  let startMs: number;
  let expected: number[] | undefined;
  if (kind === "sim") {
    const fleet = await startFleet({ count, seed: 1 }, { clock: { rate: 0 } });
    startMs = performance.now() - t0;
    close = () => fleet.close();
    globalThis.gc?.();
    const mem = process.memoryUsage();
    // What a full reading must return per device: system group + Printer-MIB.
    expected = fleet.devices.map(
      (d) =>
        d
          .varbinds()
          .filter((vb) => vb.oid.startsWith("1.3.6.1.2.1.1.") || vb.oid.startsWith("1.3.6.1.2.1.43.")).length,
    );
    const report: ChildReport = {
      startMs,
      rssBefore,
      rssAfter: mem.rss,
      heapAfter: mem.heapUsed,
      expected,
      firstPort: fleet.firstPort,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    const sockets: Socket[] = [];
    await Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<void>((resolve, reject) => {
            const s = createSocket("udp4");
            s.once("error", reject);
            s.bind(0, "127.0.0.1", () => resolve());
            sockets.push(s);
          }),
      ),
    );
    startMs = performance.now() - t0;
    close = async () => {
      for (const s of sockets) s.close();
    };
    globalThis.gc?.();
    const mem = process.memoryUsage();
    const report: ChildReport = { startMs, rssBefore, rssAfter: mem.rss, heapAfter: mem.heapUsed };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  }
  // Wait for the parent to finish reading, then report RSS again and exit.
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === "rss") {
      globalThis.gc?.();
      const mem = process.memoryUsage();
      process.stdout.write(`${JSON.stringify({ rss: mem.rss, heap: mem.heapUsed })}\n`);
    }
    if (line === "stop") break;
  }
  await close();
  process.exit(0);
}

// ---------------------------------------------------------------- parent side
function spawnChild(kind: string, count: number): { proc: ChildProcess; next: () => Promise<string> } {
  const proc = spawn(
    process.execPath,
    ["--expose-gc", "--import", "tsx", "bench/sim-start.ts", "child", kind, String(count)],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
  const queue: string[] = [];
  const waiters: ((l: string) => void)[] = [];
  lines.on("line", (l) => {
    const w = waiters.shift();
    if (w) w(l);
    else queue.push(l);
  });
  return {
    proc,
    next: () =>
      new Promise<string>((resolve, reject) => {
        const q = queue.shift();
        if (q !== undefined) return resolve(q);
        waiters.push(resolve);
        proc.once("exit", (code) => reject(new Error(`child exited ${code}`)));
      }),
  };
}

const snmp = createRequire(import.meta.url)("net-snmp");

interface SubtreeSession {
  subtree(
    oid: string,
    maxRepetitions: number,
    feed: (vbs: unknown[]) => void,
    done: (err: Error | null) => void,
  ): void;
}

function subtreeCount(session: SubtreeSession, oid: string): Promise<number> {
  let n = 0;
  return new Promise((resolve, reject) =>
    session.subtree(
      oid,
      20,
      (vbs: unknown[]) => {
        n += vbs.length;
      },
      (err: Error | null) => (err ? reject(err) : resolve(n)),
    ),
  );
}

/** Reads devices [0, count) with `concurrency` parallel managers; returns ms and per-device counts. */
async function readFleet(
  firstPort: number,
  count: number,
  concurrency: number,
): Promise<{ ms: number; counts: number[]; failures: number }> {
  const counts = new Array<number>(count).fill(-1);
  let nextIndex = 0;
  let failures = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (nextIndex < count) {
        const i = nextIndex++;
        const session = snmp.createSession("127.0.0.1", "public", {
          port: firstPort + i,
          version: snmp.Version2c,
          timeout: 5000,
          retries: 1,
        });
        session.on("error", () => {});
        try {
          counts[i] =
            (await subtreeCount(session, "1.3.6.1.2.1.1")) + (await subtreeCount(session, "1.3.6.1.2.1.43"));
        } catch {
          failures++;
        } finally {
          session.close();
        }
      }
    }),
  );
  return { ms: performance.now() - t0, counts, failures };
}

interface Row {
  what: string;
  devices: number;
  startMs: number;
  rssMb: number;
  rssKbPerDevice: number;
  heapMb: number;
  readMs?: number;
  readsComplete?: string;
  rssAfterReadsMb?: string;
  heapAfterReadsMb?: string;
}

async function measure(kind: "sim" | "bare", count: number, readCount: number): Promise<Row> {
  const c = spawnChild(kind, count);
  const report = JSON.parse(await c.next()) as ChildReport;
  const row: Row = {
    what: kind === "sim" ? "sim fleet" : "baseline: bare dgram sockets",
    devices: count,
    startMs: Math.round(report.startMs),
    rssMb: Math.round((report.rssAfter / MB) * 10) / 10,
    rssKbPerDevice: Math.round(((report.rssAfter - report.rssBefore) / 1024 / count) * 10) / 10,
    heapMb: Math.round((report.heapAfter / MB) * 10) / 10,
  };
  if (kind === "sim" && readCount > 0) {
    const n = Math.min(readCount, count);
    // Two passes: if the second does not grow memory much, the first pass's growth is a
    // high-water mark (allocator, young generation), not a leak.
    const rss: string[] = [];
    const heap: string[] = [];
    for (let pass = 1; pass <= 2; pass++) {
      const read = await readFleet(report.firstPort ?? 0, n, 32);
      const complete = read.counts.filter((c, i) => c === report.expected?.[i]).length;
      if (pass === 1) {
        row.readMs = Math.round(read.ms);
        row.readsComplete = `${complete}/${n}`;
      } else row.readsComplete += `, ${complete}/${n}`;
      c.proc.stdin?.write("rss\n");
      const after = JSON.parse(await c.next()) as { rss: number; heap: number };
      rss.push((after.rss / MB).toFixed(0));
      heap.push((after.heap / MB).toFixed(0));
    }
    row.rssAfterReadsMb = rss.join(" / ");
    row.heapAfterReadsMb = heap.join(" / ");
  }
  c.proc.stdin?.write("stop\n");
  await new Promise((r) => c.proc.once("exit", r));
  return row;
}

/** A child that failed to start (out of file descriptors, say) is tried again a few times. */
async function measureWithRetry(kind: "sim" | "bare", count: number, readCount: number): Promise<Row> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await measure(kind, count, readCount);
    } catch (err) {
      if (attempt >= 6) throw err;
      console.error(`${kind} ${count}: ${(err as Error).message}; retrying in 3 s`);
      await new Promise((r) => setTimeout(r, 3000));
    }
  }
}

async function main(): Promise<void> {
  const arg = (name: string, fallback: string): string => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
  };
  const sizes = arg("--sizes", "1000,10000").split(",").map(Number);
  const readArg = arg("--read", "all");
  const readCount = readArg === "all" ? Number.POSITIVE_INFINITY : Number(readArg);
  const rows: Row[] = [];
  for (const size of sizes) {
    rows.push(await measureWithRetry("bare", size, 0));
    rows.push(await measureWithRetry("sim", size, readCount));
  }
  const ratios = sizes.map((size) => {
    const bare = rows.find((r) => r.devices === size && r.what.startsWith("baseline")) as Row;
    const sim = rows.find((r) => r.devices === size && r.what === "sim fleet") as Row;
    return {
      devices: size,
      startVsBare: Math.round((sim.startMs / Math.max(1, bare.startMs)) * 10) / 10,
      rssPerDeviceVsBare: Math.round((sim.rssKbPerDevice / Math.max(0.1, bare.rssKbPerDevice)) * 10) / 10,
    };
  });
  console.table(rows);
  console.table(ratios);
  let nofile = "unknown";
  try {
    const { execSync } = await import("node:child_process");
    nofile = execSync("ulimit -n", { shell: "/bin/bash" }).toString().trim();
  } catch {}
  console.log(`ulimit -n = ${nofile} (one UDP socket = one file descriptor per device)`);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(
    "bench/results/sim-start.json",
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, nofile, rows, ratios }, null, 2)}\n`,
  );
}

if (process.argv[2] === "child") await child(process.argv[3] as "sim" | "bare", Number(process.argv[4]));
else await main();
