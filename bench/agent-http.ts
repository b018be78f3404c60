/**
 * Benchmark: what `esol agent --http` costs an agent that polls a fleet (issue 17 target: the
 * HTTP endpoints add < 2 % CPU to an agent polling 1,000 simulated printers, scraped every 15 s).
 *
 *   node --import tsx bench/agent-http.ts [--devices 1000] [--scrapes 50] [--cold 5] [--rounds 3] [--round-s 30] [--scrape-ms 15000]
 *   node --import tsx bench/agent-http.ts --devices 50 --scrapes 20 --cold 2 --rounds 1 --round-s 5   (smoke run, < 1 min)
 *
 * The fleet runs in its own process (`esol sim`, a free port range) and so does the scraper,
 * so this process's CPU time (`process.cpuUsage`: user + system, all threads) is the agent's own.
 *
 * 1. Direct cost of a scrape. An agent that has polled the fleet twice (a full, then a steady
 *    poll: every device known, with meters and supplies) serves its endpoints while idle
 *    (`autoSchedule: false`, nothing else runs); the scraper GETs one path `--scrapes` times back
 *    to back, then each path in turn, then all four (`/metrics`, `/healthz`, `/status.json`, `/`)
 *    as one scrape, `--scrapes` times. CPU per scrape = the agent's CPU over those requests,
 *    less its CPU while idle for as long, divided by their number. Then `--cold` times: a poll,
 *    and one scrape of the four paths — the first scrape after a poll re-reads each device's
 *    newest reading (kept between scrapes otherwise), so it is the dearer one; a full garbage
 *    collection before it leaves the poll's garbage out of its figure.
 * 2. The agent's CPU per second while polling without `--http`: polls back to back for
 *    `--round-s` seconds (the rounds without HTTP of 3).
 * 3. HTTP share = (CPU per scrape / scrape interval) / (CPU per second while polling), with
 *    the first-after-a-poll cost (an agent polling back to back has a poll between scrapes). Also
 *    given: the same cost as a share of one core, and against the agent's average CPU at its
 *    default poll interval (2 h), where it is idle nearly all the time.
 * 4. A/B of the whole process: `--rounds` rounds, each polling back to back for `--round-s`
 *    seconds without and with the HTTP server scraped every `--scrape-ms` (all four paths), the
 *    order swapped every round so machine load falls on both alike; the per-round overheads give the spread
 *    (the noise floor of a whole-process comparison on a shared machine).
 *
 * Prints tables and a verdict; writes bench/results/agent-http.json.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Agent } from "../src/agent/agent.js";
import { parseAgentConfig } from "../src/agent/config.js";
import { startAgentHttpServer } from "../src/agent/http.js";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  return v;
};
const devices = arg("devices", 1000);
const scrapes = arg("scrapes", 50);
const coldScrapes = arg("cold", 5);
const rounds = arg("rounds", 3);
const roundMs = arg("round-s", 30) * 1000;
const scrapeMs = arg("scrape-ms", 15_000);
/** The agent's default `schedule.pollInterval` (src/agent/config.ts). */
const DEFAULT_POLL_INTERVAL_MS = 7_200_000;
const PATHS = ["/metrics", "/healthz", "/status.json", "/"] as const;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

// A full garbage collection on demand (as `node --expose-gc` gives), for the scrapes after a poll.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const cpuMsSince = (from: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};

/** `esol sim --count N` on a free range; resolves with the child and its `host:first-last`. */
async function startSim(): Promise<{ child: ChildProcess; range: string }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "sim", "--count", String(devices)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const range = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("esol sim did not start in 180 s")), 180_000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^listening (\S+)\n/m.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => reject(new Error(`esol sim exited ${code}`)));
  });
  return { child, range };
}

/**
 * A scraper process driven over stdin: each line `{"n":N,"paths":[…]}` makes it GET the paths
 * N times back to back (keep-alive, bodies read in full), then print the bytes of one round.
 */
function startDrivenScraper(base: string): {
  run(n: number, paths: readonly string[]): Promise<number>;
  stop(): void;
} {
  const script = `
    const base = ${JSON.stringify(base)};
    const rl = require("node:readline").createInterface({ input: process.stdin });
    rl.on("line", async (line) => {
      const { n, paths } = JSON.parse(line);
      let bytes = 0;
      for (let i = 0; i < n; i++) {
        bytes = 0;
        for (const p of paths) {
          const res = await fetch(base + p);
          if (res.status !== 200 && res.status !== 503) throw new Error(p + " answered " + res.status);
          bytes += (await res.arrayBuffer()).byteLength;
        }
      }
      process.stdout.write(JSON.stringify({ bytes }) + "\\n");
    });`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const waiting: Array<{ resolve: (line: string) => void; reject: (err: Error) => void }> = [];
  lines.on("line", (line) => waiting.shift()?.resolve(line));
  child.once("exit", (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`scraper exited ${code}`));
  });
  return {
    run: (n, paths) =>
      new Promise<number>((resolve, reject) => {
        waiting.push({ resolve: (line) => resolve((JSON.parse(line) as { bytes: number }).bytes), reject });
        child.stdin?.write(`${JSON.stringify({ n, paths })}\n`);
      }),
    stop: () => child.kill(),
  };
}

/** A separate process that scrapes the four paths every `scrapeMs` until killed. */
function startIntervalScraper(base: string): ChildProcess {
  const script = `
    const base = ${JSON.stringify(base)};
    const once = async () => { for (const p of ${JSON.stringify(PATHS)}) await (await fetch(base + p)).arrayBuffer(); };
    once(); setInterval(once, ${scrapeMs});`;
  return spawn(process.execPath, ["-e", script], { stdio: "ignore" });
}

function newAgent(range: string): { agent: Agent; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "esol-bench-http-"));
  const config = parseAgentConfig({
    proxy: { id: "bench-http" },
    server: { url: "http://127.0.0.1:9/esolutions/v1" },
    devices: { targets: [range], concurrency: 64, timeout: "2s", retries: 1 },
    outbox: { path: join(dir, "outbox.db") },
  });
  return { agent: new Agent(config, { logger: quiet, autoSchedule: false }), dir };
}

interface ScrapeRow {
  paths: string;
  requests: number;
  bytes: number;
  wallMs: number;
  cpuMs: number;
  idleCpuMs: number;
  cpuMsPerScrape: number;
}

/** Part 1: the agent's CPU per scrape while it does nothing else. */
async function measureScrapes(
  range: string,
): Promise<{ rows: ScrapeRow[]; pollCpuMs: number[]; idleCpuMsPerS: number }> {
  const { agent, dir } = newAgent(range);
  await agent.start();
  const pollCpuMs: number[] = [];
  const poll = async (): Promise<void> => {
    const c0 = process.cpuUsage();
    const p = await agent.pollNow();
    pollCpuMs.push(cpuMsSince(c0));
    if (p.read !== devices) throw new Error(`poll ${pollCpuMs.length} read ${p.read} of ${devices} devices`);
  };
  await poll(); // full
  await poll(); // steady
  const http = await startAgentHttpServer(agent, { port: 0 });
  const scraper = startDrivenScraper(http.url);
  const rows: ScrapeRow[] = [];
  try {
    // The idle agent's own CPU (timers, GC), subtracted from each measurement pro rata.
    const i0 = process.cpuUsage();
    const iw0 = performance.now();
    await new Promise((r) => setTimeout(r, 2000));
    const idleCpuMsPerS = (cpuMsSince(i0) / (performance.now() - iw0)) * 1000;
    const measure = async (label: string, n: number, paths: readonly string[]): Promise<void> => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const bytes = await scraper.run(n, paths);
      const wallMs = performance.now() - t0;
      const cpuMs = cpuMsSince(c0);
      const idleCpuMs = (idleCpuMsPerS * wallMs) / 1000;
      rows.push({
        paths: label,
        requests: n * paths.length,
        bytes,
        wallMs,
        cpuMs,
        idleCpuMs,
        cpuMsPerScrape: Math.max(0, cpuMs - idleCpuMs) / n,
      });
    };
    await scraper.run(Math.max(5, Math.ceil(scrapes / 10)), PATHS); // warm-up (JIT, connection)
    for (const path of PATHS) await measure(path, scrapes, [path]);
    await measure(PATHS.join(" "), scrapes, PATHS);
    // The first scrape after a poll reads each device's newest reading again (kept until then).
    // A full collection after the poll leaves the poll's garbage out of the scrape's figure (the
    // scrape's own is collected as it goes, by the young-generation collections it triggers).
    const first: ScrapeRow[] = [];
    for (let i = 0; i < coldScrapes; i++) {
      await poll();
      gc();
      await measure("", 1, PATHS);
      first.push(rows.pop() as ScrapeRow);
    }
    const sum = (k: "wallMs" | "cpuMs" | "idleCpuMs"): number => first.reduce((a, x) => a + x[k], 0);
    rows.push({
      paths: `${PATHS.join(" ")} (first after a poll)`,
      requests: coldScrapes * PATHS.length,
      bytes: first[0]?.bytes ?? 0,
      wallMs: sum("wallMs"),
      cpuMs: sum("cpuMs"),
      idleCpuMs: sum("idleCpuMs"),
      cpuMsPerScrape: first.reduce((a, x) => a + x.cpuMsPerScrape, 0) / coldScrapes,
    });
    return { rows, pollCpuMs, idleCpuMsPerS };
  } finally {
    scraper.stop();
    await http.close();
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface RoundRow {
  round: number;
  http: boolean;
  polls: number;
  read: number;
  cpuMs: number;
  wallMs: number;
  cpuMsPerS: number;
}

/** Part 2/4: CPU of this process over polls back to back for `roundMs`, with or without `--http`. */
async function measureRound(range: string, round: number, withHttp: boolean): Promise<RoundRow> {
  const { agent, dir } = newAgent(range);
  await agent.start();
  const http = withHttp ? await startAgentHttpServer(agent, { port: 0 }) : undefined;
  const scraper = http ? startIntervalScraper(http.url) : undefined;
  let read = 0;
  let polls = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < roundMs) {
    read += (await agent.pollNow()).read;
    polls++;
  }
  const wallMs = performance.now() - t0;
  const cpuMs = cpuMsSince(c0);
  scraper?.kill();
  await http?.close();
  await agent.stop();
  rmSync(dir, { recursive: true, force: true });
  return { round, http: withHttp, polls, read, cpuMs, wallMs, cpuMsPerS: (cpuMs / wallMs) * 1000 };
}

const round1 = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const sim = await startSim();
try {
  const direct = await measureScrapes(sim.range);
  const ab: RoundRow[] = [];
  // Without then with in odd rounds, with then without in even ones: a drift of the machine's
  // load (or of the simulator warming up) falls on both alike.
  for (let r = 1; r <= rounds; r++)
    for (const http of r % 2 ? [false, true] : [true, false]) ab.push(await measureRound(sim.range, r, http));

  const scrape = direct.rows[direct.rows.length - 1] as ScrapeRow; // first after a poll: the dearer
  const warm = direct.rows[direct.rows.length - 2] as ScrapeRow;
  const without = ab.filter((x) => !x.http);
  const pollingCpuMsPerS =
    (without.reduce((a, x) => a + x.cpuMs, 0) / without.reduce((a, x) => a + x.wallMs, 0)) * 1000;
  const httpCpuMsPerS = scrape.cpuMsPerScrape / (scrapeMs / 1000);
  const sharePct = (httpCpuMsPerS / pollingCpuMsPerS) * 100;
  const coreSharePct = (httpCpuMsPerS / 1000) * 100;
  const steadyPollCpuMs = median(direct.pollCpuMs.slice(1));
  const defaultScheduleCpuMsPerS = steadyPollCpuMs / (DEFAULT_POLL_INTERVAL_MS / 1000);
  const defaultSchedulePct = (httpCpuMsPerS / defaultScheduleCpuMsPerS) * 100;
  const pairs = Array.from({ length: rounds }, (_, i) => {
    const pair = ab.filter((x) => x.round === i + 1);
    const a = pair.find((x) => !x.http) as RoundRow;
    const b = pair.find((x) => x.http) as RoundRow;
    return ((b.cpuMsPerS - a.cpuMsPerS) / a.cpuMsPerS) * 100;
  });

  console.log(`\n1. CPU of the idle agent per scrape, ${devices} devices, ${scrapes} scrapes back to back`);
  console.table(
    direct.rows.map((x) => ({
      paths: x.paths,
      requests: x.requests,
      "bytes/scrape": x.bytes,
      "wall ms": Math.round(x.wallMs),
      "cpu ms": Math.round(x.cpuMs),
      "idle cpu ms": round1(x.idleCpuMs),
      "cpu ms/scrape": round1(x.cpuMsPerScrape, 2),
    })),
  );
  console.log(
    `polls: full ${Math.round(direct.pollCpuMs[0] as number)} ms CPU, steady (median of ${direct.pollCpuMs.length - 1}) ${Math.round(steadyPollCpuMs)} ms CPU; idle agent ${direct.idleCpuMsPerS.toFixed(2)} ms CPU per second`,
  );
  console.log(
    `\n2./4. polls back to back for ${roundMs / 1000} s, without and with --http scraped every ${scrapeMs / 1000} s`,
  );
  console.table(
    ab.map((x) => ({
      round: x.round,
      http: x.http,
      polls: x.polls,
      read: x.read,
      "cpu ms": Math.round(x.cpuMs),
      "wall ms": Math.round(x.wallMs),
      "cpu ms/s": Math.round(x.cpuMsPerS),
    })),
  );
  console.log(
    `A/B overhead per round: ${pairs.map((p) => `${p.toFixed(1)} %`).join(", ")} (median ${median(pairs).toFixed(1)} %, spread ${Math.min(...pairs).toFixed(1)} … ${Math.max(...pairs).toFixed(1)} %): the noise of a whole-process comparison`,
  );
  console.log(`\n3. HTTP share`);
  console.log(
    `  one scrape of the four paths: ${scrape.cpuMsPerScrape.toFixed(2)} ms CPU the first after a poll (${warm.cpuMsPerScrape.toFixed(2)} ms when nothing was polled since); every ${scrapeMs / 1000} s: ${httpCpuMsPerS.toFixed(3)} ms CPU per second (${coreSharePct.toFixed(3)} % of one core)`,
  );
  console.log(
    `  agent polling ${devices} printers without --http: ${pollingCpuMsPerS.toFixed(0)} ms CPU per second`,
  );
  console.log(
    `  => the HTTP endpoints add ${sharePct.toFixed(3)} % CPU to the polling agent: ${sharePct < 2 ? "PASS" : "FAIL"} (target < 2 %)`,
  );
  console.log(
    `  at the default 2 h poll interval (one steady poll, ${Math.round(steadyPollCpuMs)} ms CPU, per 7200 s = ${defaultScheduleCpuMsPerS.toFixed(3)} ms/s) the scrapes are ${defaultSchedulePct.toFixed(0)} % of the agent's average CPU (the agent is idle between polls)`,
  );
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(
    "bench/results/agent-http.json",
    `${JSON.stringify(
      {
        bench: "agent-http",
        at: new Date().toISOString(),
        node: process.version,
        cpus: cpus().length,
        loadAverage: loadavg(),
        devices,
        scrapes,
        scrapeMs,
        roundMs,
        coldScrapes,
        scrapeCost: direct.rows,
        idleCpuMsPerS: direct.idleCpuMsPerS,
        warmScrapeCpuMs: warm.cpuMsPerScrape,
        firstAfterPollScrapeCpuMs: scrape.cpuMsPerScrape,
        pollCpuMs: direct.pollCpuMs,
        rounds: ab,
        abOverheadPct: pairs,
        pollingCpuMsPerS,
        httpCpuMsPerS,
        httpSharePct: sharePct,
        httpShareOfOneCorePct: coreSharePct,
        defaultScheduleSharePct: defaultSchedulePct,
        verdict: sharePct < 2 ? "pass" : "fail",
      },
      null,
      2,
    )}\n`,
  );
  console.log("wrote bench/results/agent-http.json");
} finally {
  sim.child.kill("SIGTERM");
}
