/**
 * Benchmark: what durability costs in the agent's outbox.
 *
 *   node --import tsx bench/agent-outbox.ts [--entries 2000]
 *
 * Measured in the same run, on the same disk:
 * - baseline: plain better-sqlite3 INSERTs, WAL, synchronous=NORMAL (no fsync per commit, no checksum);
 * - outbox, one reading per commit (what a poll does: fsync'd before any network I/O);
 * - outbox, 50 readings per commit (a batch);
 * - markSent of everything, and the integrity check + checksum scan at open.
 * Figures are entries per second and ratios to the baseline. Writes bench/results/agent-outbox.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Outbox } from "../src/agent/outbox.js";

const arg = process.argv.indexOf("--entries");
const N = arg > 0 ? Number(process.argv[arg + 1]) : 2000;
const dir = mkdtempSync(join(tmpdir(), "esol-bench-outbox-"));

const payload = (i: number) => ({
  serial: `SN${i % 50}`,
  readAt: new Date(1_700_000_000_000 + i * 1000).toISOString(),
  meters: [
    { name: "Total Impressions", value: 100_000 + i, unit: "impressions" },
    { name: "Black Impressions", value: 80_000 + i, unit: "impressions" },
    { name: "Color Impressions", value: 20_000 + i, unit: "impressions" },
  ],
});

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

interface Row {
  case: string;
  entries: number;
  ms: number;
  perSecond: number;
  ratioToBaseline: number;
}
const rows: Row[] = [];
let baselinePerSecond = 0;
function record(name: string, entries: number, ms: number): void {
  const perSecond = Math.round((entries / ms) * 1000);
  if (rows.length === 0) baselinePerSecond = perSecond;
  rows.push({
    case: name,
    entries,
    ms: Math.round(ms),
    perSecond,
    ratioToBaseline: Math.round((perSecond / baselinePerSecond) * 1000) / 1000,
  });
}

try {
  // Baseline: no fsync per commit, no checksum, no idempotency key bookkeeping.
  const raw = new Database(join(dir, "raw.db"));
  raw.pragma("journal_mode = WAL");
  raw.pragma("synchronous = NORMAL");
  raw.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
  const ins = raw.prepare("INSERT INTO t (payload) VALUES (?)");
  record(
    "baseline: INSERT, WAL, synchronous=NORMAL",
    N,
    time(() => {
      for (let i = 0; i < N; i++) ins.run(JSON.stringify(payload(i)));
    }),
  );
  raw.close();

  const single = Outbox.open(join(dir, "single.db"));
  record(
    "outbox.append, 1 per commit (fsync)",
    N,
    time(() => {
      for (let i = 0; i < N; i++)
        single.append([
          {
            kind: "billing-read",
            serial: `SN${i % 50}`,
            readAtMs: 1_700_000_000_000 + i * 1000,
            payload: payload(i),
          },
        ]);
    }),
  );
  const seqs = single.list().map((e) => e.seq);
  record(
    "outbox.markSent, 500 per commit",
    N,
    time(() => {
      for (let i = 0; i < seqs.length; i += 500) single.markSent(seqs.slice(i, i + 500));
    }),
  );
  single.close();

  const batched = Outbox.open(join(dir, "batched.db"));
  record(
    "outbox.append, 50 per commit",
    N,
    time(() => {
      for (let i = 0; i < N; i += 50)
        batched.append(
          Array.from({ length: Math.min(50, N - i) }, (_, j) => ({
            kind: "billing-read" as const,
            serial: `SN${(i + j) % 50}`,
            readAtMs: 1_700_000_000_000 + (i + j) * 1000,
            payload: payload(i + j),
          })),
        );
    }),
  );
  batched.close();
  record(
    "Outbox.open: quick_check + checksum scan of unsent",
    N,
    time(() => Outbox.open(join(dir, "batched.db")).close()),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const w = Math.max(...rows.map((r) => r.case.length));
console.log(
  `${"case".padEnd(w)}  ${"entries".padStart(7)}  ${"ms".padStart(7)}  ${"per s".padStart(9)}  ratio`,
);
for (const r of rows)
  console.log(
    `${r.case.padEnd(w)}  ${String(r.entries).padStart(7)}  ${String(r.ms).padStart(7)}  ${String(r.perSecond).padStart(9)}  ${r.ratioToBaseline}`,
  );
mkdirSync("bench/results", { recursive: true });
writeFileSync(
  "bench/results/agent-outbox.json",
  `${JSON.stringify({ bench: "agent-outbox", at: new Date().toISOString(), node: process.version, entries: N, rows }, null, 2)}\n`,
);
