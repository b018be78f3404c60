/**
 * Benchmark: what importing the package's entry points costs an integrator — how many
 * modules load and how long `await import()` takes — in fresh node processes, from the
 * built `dist/` (run `npm run build` first).
 *
 *   node --import tsx bench/root-import.ts [--runs 15] [--baseline-dist <dir>]
 *
 * Scenarios, each in its own process: plain node importing nothing (the floor), the root
 * `esolutions-sdk`, `esolutions-sdk/impact`, and root + impact together. Root + impact loads
 * exactly the module graph the root loaded before the impact measurer moved to its own
 * subpath, so it is this run's baseline; `--baseline-dist` adds a real older build's root
 * (e.g. a `git archive` of the previous commit, built) for a direct comparison.
 *
 * Module count: ES modules seen by a `load` hook (registered with `module.register`) united
 * with CommonJS modules in `Module._cache` (nested `require()`s do not pass the ESM hooks on
 * node 20); node's own built-ins are counted from `process.moduleLoadList`. Timing runs carry
 * no hook and interleave the scenarios. Times are the median of `--runs` processes each.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

interface Scenario {
  what: string;
  /** Absolute file URLs imported in order. */
  urls: string[];
}

interface Row {
  what: string;
  modules: number;
  ownModules: number;
  dependencyModules: number;
  nodeBuiltins: number;
  importMsMedian: number;
  importMsMin: number;
  heapMb: number;
}

interface ChildResult {
  ms: number;
  cjs: string[];
  builtins: number;
  heapUsed: number;
}

/** Imports `urls` in a fresh node process; with `log`, records every ES module loaded. */
async function importOnce(urls: string[], log?: string): Promise<ChildResult> {
  const code = `
const t0 = performance.now();
for (const u of ${JSON.stringify(urls)}) await import(u);
const ms = performance.now() - t0;
const { default: Module } = await import("node:module");
console.log(JSON.stringify({
  ms,
  cjs: Object.keys(Module._cache),
  builtins: process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).length,
  heapUsed: process.memoryUsage().heapUsed,
}));`;
  const args = log ? ["--import", pathToFileURL(log.replace(/\.log$/, ".register.mjs")).href] : [];
  const { stdout } = await run(process.execPath, [...args, "--input-type=module", "-e", code], {
    env: { ...process.env, ROOT_IMPORT_LOG: log ?? "" },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) as string) as ChildResult;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The package a loaded file belongs to (`soap`, `@xmldom/xmldom`), or undefined for our own. */
function packageOf(path: string): string | undefined {
  const parts = path.split(`${sep}node_modules${sep}`);
  if (parts.length < 2) return undefined;
  const rest = (parts.at(-1) as string).split(sep);
  return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
}

async function main(): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const runs = Number(arg("--runs") ?? 15);
  const dist = resolve("dist/src");
  if (!existsSync(join(dist, "index.js")))
    throw new Error("dist/src/index.js is missing: run npm run build first");
  const url = (file: string): string => pathToFileURL(join(dist, file)).href;
  const scenarios: Scenario[] = [
    { what: "node, no import (floor)", urls: [] },
    { what: "esolutions-sdk", urls: [url("index.js")] },
    { what: "esolutions-sdk/impact", urls: [url("impact/index.js")] },
    { what: "root + impact (the pre-split root's graph)", urls: [url("index.js"), url("impact/index.js")] },
  ];
  const baselineDist = arg("--baseline-dist");
  if (baselineDist)
    scenarios.push({
      what: `baseline build's root (${baselineDist})`,
      urls: [pathToFileURL(resolve(baselineDist, "src/index.js")).href],
    });

  const work = mkdtempSync(join(tmpdir(), "esol-root-import-"));
  const log = join(work, "load.log");
  writeFileSync(
    join(work, "hooks.mjs"),
    `import { appendFileSync } from "node:fs";
let out = "";
export async function initialize(data) { out = data.out; }
export async function load(url, context, next) {
  if (out) appendFileSync(out, url + "\\n");
  return next(url, context);
}
`,
  );
  writeFileSync(
    join(work, "load.register.mjs"),
    `import { register } from "node:module";
register(${JSON.stringify(pathToFileURL(join(work, "hooks.mjs")).href)}, { data: { out: process.env.ROOT_IMPORT_LOG } });
`,
  );

  const rows: Row[] = [];
  const detail: Array<{ what: string; packages: string[]; timesMs: number[] }> = [];
  try {
    const counts = [];
    for (const s of scenarios) {
      // Counting run (with the hook).
      writeFileSync(log, "");
      const counted = await importOnce(s.urls, log);
      const esm = readFileSync(log, "utf8")
        .split("\n")
        .filter((u) => u.startsWith("file:"))
        .map((u) => decodeURIComponent(new URL(u).pathname));
      const files = new Set([...esm, ...counted.cjs]);
      // Loaded by the hook machinery itself, not by the scenario.
      for (const f of files) if (f.startsWith(work)) files.delete(f);
      const dependencyFiles = [...files].filter((f) => packageOf(f) !== undefined);
      const packages = [...new Set(dependencyFiles.map((f) => packageOf(f) as string))].sort();
      counts.push({ files: files.size, dependencyFiles: dependencyFiles.length, builtins: counted.builtins });
      detail.push({ what: s.what, packages, timesMs: [] });
    }
    // Timing runs (no hook), scenarios interleaved so that load from other processes on the
    // machine spreads over all of them alike.
    const heap = scenarios.map(() => 0);
    for (let i = 0; i < runs; i++)
      for (const [k, s] of scenarios.entries()) {
        const r = await importOnce(s.urls);
        (detail[k] as { timesMs: number[] }).timesMs.push(Math.round(r.ms * 10) / 10);
        heap[k] = Math.max(heap[k] as number, r.heapUsed);
      }
    for (const [k, s] of scenarios.entries()) {
      const c = counts[k] as { files: number; dependencyFiles: number; builtins: number };
      const times = (detail[k] as { timesMs: number[] }).timesMs;
      rows.push({
        what: s.what,
        modules: c.files,
        ownModules: c.files - c.dependencyFiles,
        dependencyModules: c.dependencyFiles,
        nodeBuiltins: c.builtins,
        importMsMedian: Math.round(median(times) * 10) / 10,
        importMsMin: Math.round(Math.min(...times) * 10) / 10,
        heapMb: Math.round(((heap[k] as number) / 1024 / 1024) * 10) / 10,
      });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const root = rows[1] as Row;
  const before = rows[3] as Row;
  const ratios = {
    modulesRootVsPreSplit: Math.round((root.modules / before.modules) * 100) / 100,
    importMsRootVsPreSplit: Math.round((root.importMsMedian / before.importMsMedian) * 100) / 100,
  };
  console.table(rows);
  for (const d of detail)
    console.log(`${d.what}: packages ${(d.packages as string[]).join(", ") || "(none)"}`);
  console.log(
    `root vs the pre-split root's graph: ${ratios.modulesRootVsPreSplit}x the modules, ${ratios.importMsRootVsPreSplit}x the import time (median of ${runs})`,
  );
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(
    "bench/results/root-import.json",
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, runs, rows, ratios, detail }, null, 2)}\n`,
  );
}

await main();
