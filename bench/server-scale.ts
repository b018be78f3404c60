/**
 * Benchmark: the reference server scaled out on PostgreSQL (issue 16).
 *
 *   node --import tsx bench/server-scale.ts [--agents 16] [--calls 12] [--reads 100]
 *
 * Signed `SubmitBillingReads` of `--reads` reads per call from `--agents` concurrent
 * simulated agents (distinct proxies, each with its own certificate and devices), every
 * agent sending `--calls` calls one after the other, spread round-robin over the server
 * processes (a load balancer). Cases, in the same run: 1 `esol server` process on SQLite,
 * and 1, 2 and 4 processes on one PostgreSQL database. Each case gets a fresh store;
 * registration (signed RegisterProxy + RegisterDevices) is done first and not timed. Bodies
 * are signed before the clock starts, so the client's signing does not compete with the
 * servers for the CPU; the servers verify every signature (`--http`: signed requests are
 * checked, the first registration binds the proxy's certificate).
 *
 * Figures: requests/s, reads/s, p50/p99 latency of a call, and the cross-check that the
 * store holds every read once (`esol server export`-equivalent read of the store). Uses
 * `ESOL_TEST_PG_URL` when set, else starts a throwaway cluster with scripts/pg-cluster.sh.
 * Writes bench/results/server-scale.json.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { exportServerStore } from "../src/server/index.js";
import { createMessageSigner } from "../src/wssec/index.js";
import { createTestIdentity } from "../test/helpers/keys.js";
import { createDatabase } from "../test/helpers/pg.js";
import { ops, post } from "../test/integration/server/raw.js";

const argNumber = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const AGENTS = argNumber("--agents", 16);
const CALLS = argNumber("--calls", 12);
const READS = argNumber("--reads", 100);
const DEVICES = 20;

let ownCluster: string | undefined;
if (!process.env.ESOL_TEST_PG_URL) {
  const out = execFileSync("bash", ["scripts/pg-cluster.sh", "start"], { encoding: "utf8" });
  for (const line of out.split("\n")) {
    const m = /^export (\w+)=(.*)$/.exec(line);
    if (m) process.env[m[1] as string] = m[2];
  }
  ownCluster = process.env.ESOL_TEST_PG_DIR;
}

const running: ChildProcess[] = [];
function startServer(db: string): Promise<string> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/cli/main.ts",
      "server",
      "--db",
      db,
      "--http",
      "--port",
      "0",
      "--supplies-interval",
      "off",
      "--db-pool",
      "8",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  running.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const t = setTimeout(() => reject(new Error(`no listening line: ${err}`)), 60_000);
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^listening (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1] as string);
      }
    });
    child.on("exit", (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

async function stopServers(): Promise<void> {
  await Promise.all(
    running.splice(0).map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          c.once("exit", () => resolve());
          c.kill("SIGTERM");
        }),
    ),
  );
}

const identities = await Promise.all(
  Array.from({ length: AGENTS }, (_, i) => createTestIdentity("ec-p256", { commonName: `bench-agent-${i}` })),
);
const signers = identities.map((id) => createMessageSigner({ key: id.keyPem, cert: id.certPem }));
const operationOf = (envelope: string): string => /<t:(\w+)>/.exec(envelope)?.[1] ?? "unknown";
const sign = (agent: number, envelope: string) =>
  (signers[agent] as (typeof signers)[number]).secureRequest(envelope, {
    operation: operationOf(envelope),
    attempt: 1,
  });

interface Row {
  case: string;
  processes: number;
  requests: number;
  reads: number;
  seconds: number;
  requestsPerSecond: number;
  readsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  storedOnce: boolean;
}
const rows: Row[] = [];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function runCase(name: string, db: string, processes: number): Promise<void> {
  const urls = [await startServer(db)]; // the first one creates the schema
  urls.push(...(await Promise.all(Array.from({ length: processes - 1 }, () => startServer(db)))));
  const at = (i: number) => urls[i % urls.length] as string;
  const tag = name.replace(/\W+/g, "");
  // Registration, not timed (also warms every process up).
  await Promise.all(
    identities.map(async (_, a) => {
      const proxy = `${tag}-proxy-${a}`;
      const serials = Array.from({ length: DEVICES }, (_, d) => `${tag}-${a}-SN${d}`);
      for (const body of [
        ops.registerProxy(`${tag}-reg-${a}`, proxy),
        ops.registerDevices(`${tag}-dev-${a}`, proxy, serials),
      ]) {
        const r = await post(at(a), await sign(a, body));
        if (r.status !== 200) throw new Error(`${name}: setup failed: ${r.body.slice(0, 300)}`);
      }
    }),
  );
  const bodies = await Promise.all(
    identities.map(async (_, a) => {
      const out: string[] = [];
      for (let c = 0; c < CALLS; c++) {
        const reads = Array.from({ length: READS }, (_, i) =>
          ops.read(`${tag}-key-${a}-${c}-${i}`, `${tag}-${a}-SN${i % DEVICES}`, 1000 * c + i),
        );
        out.push(await sign(a, ops.submitBillingReads(`${tag}-proxy-${a}`, reads)));
      }
      return out;
    }),
  );
  const latencies: number[] = [];
  let n = 0;
  const start = performance.now();
  await Promise.all(
    bodies.map(async (agentBodies, a) => {
      for (const [c, body] of agentBodies.entries()) {
        const t = performance.now();
        const r = await post(at(a + c), body);
        latencies.push(performance.now() - t);
        if (r.status !== 200) throw new Error(`${name}: submit failed: ${r.body.slice(0, 300)}`);
        n++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await stopServers();
  const keys = (await exportServerStore(db)).billingReads.map((r) => r.key);
  const expected = AGENTS * CALLS * READS;
  latencies.sort((x, y) => x - y);
  rows.push({
    case: name,
    processes,
    requests: n,
    reads: n * READS,
    seconds: Math.round(seconds * 100) / 100,
    requestsPerSecond: Math.round((n / seconds) * 10) / 10,
    readsPerSecond: Math.round((n * READS) / seconds),
    p50Ms: Math.round(percentile(latencies, 50)),
    p99Ms: Math.round(percentile(latencies, 99)),
    storedOnce: keys.length === expected && new Set(keys).size === expected,
  });
  console.error(`${name}: done`);
}

const dir = mkdtempSync(join(tmpdir(), "esol-bench-scale-"));
try {
  await runCase("sqlite, 1 process", join(dir, "server.db"), 1);
  for (const processes of [1, 2, 4]) {
    const db = await createDatabase();
    try {
      await runCase(`postgres, ${processes} process${processes > 1 ? "es" : ""}`, db.url, processes);
    } finally {
      await db.drop();
    }
  }
} finally {
  await stopServers();
  rmSync(dir, { recursive: true, force: true });
  if (ownCluster) execFileSync("bash", ["scripts/pg-cluster.sh", "stop", ownCluster], { stdio: "inherit" });
}

const pg1 = rows.find((r) => r.case === "postgres, 1 process") as Row;
const pg2 = rows.find((r) => r.case === "postgres, 2 processes") as Row;
const ratio2to1 = Math.round((pg2.requestsPerSecond / pg1.requestsPerSecond) * 100) / 100;
const w = Math.max(...rows.map((r) => r.case.length));
console.log(
  `${"case".padEnd(w)}  ${"req/s".padStart(7)}  ${"reads/s".padStart(8)}  ${"p50 ms".padStart(7)}  ${"p99 ms".padStart(7)}  stored once`,
);
for (const r of rows)
  console.log(
    `${r.case.padEnd(w)}  ${String(r.requestsPerSecond).padStart(7)}  ${String(r.readsPerSecond).padStart(8)}  ${String(r.p50Ms).padStart(7)}  ${String(r.p99Ms).padStart(7)}  ${r.storedOnce}`,
  );
console.log(`ratio 2 processes / 1 process (PostgreSQL, requests/s): ${ratio2to1} on ${cpus().length} CPUs`);
mkdirSync("bench/results", { recursive: true });
writeFileSync(
  "bench/results/server-scale.json",
  `${JSON.stringify(
    {
      bench: "server-scale",
      at: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      agents: AGENTS,
      callsPerAgent: CALLS,
      readsPerCall: READS,
      rows,
      ratio2to1,
    },
    null,
    2,
  )}\n`,
);
