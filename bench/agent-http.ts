/**
 * Benchmark: what `esol agent --http` costs an agent that polls a fleet (issue target: the HTTP
 * endpoints add < 2 % CPU to an agent polling 1,000 simulated printers, scraped every 15 s).
 *
 *   node --import tsx bench/agent-http.ts [--devices 1000] [--polls 3] [--rounds 2] [--scrape-ms 15000]
 *
 * The fleet runs in its own process (`esol sim`, a free port range) and so does the scraper (a
 * child that GETs /metrics, /healthz and /status.json every `--scrape-ms`, like Prometheus and
 * a load balancer would), so this process's CPU time (`process.cpuUsage`) is the agent's own.
 * Each round measures the same polls without and then with the HTTP server and its scraper;
 * rounds alternate so machine load falls on both alike. Baseline = the rounds without HTTP.
 * Writes bench/results/agent-http.json.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
const polls = arg("polls", 3);
const rounds = arg("rounds", 2);
const scrapeMs = arg("scrape-ms", 15_000);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** `esol sim --count N` on a free range; resolves with the child and its `host:first-last`. */
async function startSim(): Promise<{ child: ChildProcess; range: string }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "sim", "--count", String(devices)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
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

/** A separate process that scrapes the three endpoints every `scrapeMs` until killed. */
function startScraper(base: string): ChildProcess {
  const script = `
    const base = ${JSON.stringify(base)};
    const once = async () => { for (const p of ["/metrics", "/healthz", "/status.json"]) await (await fetch(base + p)).arrayBuffer(); };
    once(); setInterval(once, ${scrapeMs});`;
  return spawn(process.execPath, ["-e", script], { stdio: "ignore" });
}

/** CPU ms of this process over `polls` full polls of the fleet, with or without `--http`. */
async function measure(
  range: string,
  withHttp: boolean,
): Promise<{ cpuMs: number; wallMs: number; read: number }> {
  const dir = mkdtempSync(join(tmpdir(), "esol-bench-http-"));
  const config = parseAgentConfig({
    proxy: { id: "bench-http" },
    server: { url: "http://127.0.0.1:9/esolutions/v1" },
    devices: { targets: [range], concurrency: 64, timeout: "2s", retries: 1 },
    outbox: { path: join(dir, "outbox.db") },
  });
  const agent = new Agent(config, { logger: quiet, autoSchedule: false });
  await agent.start();
  const http = withHttp ? await startAgentHttpServer(agent, { port: 0 }) : undefined;
  const scraper = http ? startScraper(http.url.replace(/\/$/, "")) : undefined;
  let read = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < polls; i++) read += (await agent.pollNow()).read;
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  scraper?.kill();
  await http?.close();
  await agent.stop();
  rmSync(dir, { recursive: true, force: true });
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs, read };
}

const sim = await startSim();
try {
  const rows: Array<{ round: number; http: boolean; cpuMs: number; wallMs: number; read: number }> = [];
  for (let r = 1; r <= rounds; r++)
    for (const http of [false, true]) rows.push({ round: r, http, ...(await measure(sim.range, http)) });
  const sum = (http: boolean) => rows.filter((x) => x.http === http).reduce((a, x) => a + x.cpuMs, 0);
  const overheadPct = ((sum(true) - sum(false)) / sum(false)) * 100;
  console.table(rows.map((x) => ({ ...x, cpuMs: Math.round(x.cpuMs), wallMs: Math.round(x.wallMs) })));
  console.log(
    `devices ${devices}, ${polls} polls a round, scraped every ${scrapeMs} ms: CPU with --http / without = ${(sum(true) / sum(false)).toFixed(3)} (${overheadPct.toFixed(1)} %, target < 2 %)`,
  );
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(
    "bench/results/agent-http.json",
    `${JSON.stringify({ devices, polls, rounds, scrapeMs, rows, overheadPct }, null, 2)}\n`,
  );
  console.log("wrote bench/results/agent-http.json");
} finally {
  sim.child.kill("SIGTERM");
}
