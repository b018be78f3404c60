/**
 * The agent's SNMP traffic on the wire (issue 15): `esol agent --once` run several times against
 * `esol server` and simulated printers, every printer behind its own byte-counting UDP relay of
 * `esol impact`, so what is counted is the UDP payload the agent CLI really sent and received —
 * polls and the fresh reads of billing requests alike.
 *
 *   node --import tsx bench/agent-snmp.ts [--devices 20] [--runs 4] [--old /tmp/sdk-old]
 *
 * `--old DIR`: another tree of the SDK (e.g. `git archive main src | tar -x -C DIR` and a
 * node_modules link) runs the same runs in the same bench run, with its own server, outbox and
 * relays, against the same simulated printers: the baseline. Prints one row per run and tree and
 * writes bench/results/agent-snmp.json.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type ByteCountingRelay, startUdpRelay } from "../src/impact/relay.js";
import { finished, waitForLine } from "../test/helpers/esol.js";
import { testIdentity } from "../test/helpers/keys.js";
import { arg, intArg } from "./args.js";

const devices = intArg("devices", 20);
const runs = intArg("runs", 4);
const old = arg("old");
const children: ChildProcess[] = [];

function esolOf(root: string, args: string[]): ChildProcess {
  const p = spawn(process.execPath, ["--import", "tsx", join(root, "src/cli/main.ts"), ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(p);
  return p;
}

interface RunRow {
  tree: string;
  run: number;
  upBytes: number;
  downBytes: number;
  datagrams: number;
  bytesPerDevice: number;
  billingReads: number;
  exitCode: number | null;
}

/** One tree: its own server, outbox and relays; `runs` × `esol agent --once`. */
async function measureTree(name: string, root: string, simRange: [number, number]): Promise<RunRow[]> {
  const dir = mkdtempSync(join(tmpdir(), `esol-bench-agent-snmp-${name}-`));
  const relays: ByteCountingRelay[] = [];
  try {
    mkdirSync(join(dir, "keys"));
    mkdirSync(join(dir, "server"));
    const id = await testIdentity("ec-p256", `agent-snmp-${name}`);
    writeFileSync(join(dir, "keys", "proxy-key.pem"), id.keyPem);
    writeFileSync(join(dir, "keys", "proxy-cert.pem"), id.certPem);
    const server = esolOf(root, [
      "server",
      "--port",
      "0",
      "--db",
      join(dir, "server", "server.db"),
      "--trust",
      join(dir, "keys", "proxy-cert.pem"),
    ]);
    const url = (await waitForLine(server, "listening ")).slice("listening ".length).trim();
    for (let port = simRange[0]; port <= simRange[1]; port++)
      relays.push(await startUdpRelay({ targetPort: port }));
    const config = JSON.parse(readFileSync(join(root, "examples/agent.json"), "utf8"));
    config.server.url = url;
    config.devices.targets = relays.map((r) => `127.0.0.1:${r.port}`);
    config.log.level = "warn";
    writeFileSync(join(dir, "agent.json"), JSON.stringify(config, null, 2));
    const rows: RunRow[] = [];
    const total = () =>
      relays.reduce(
        (a, r) => {
          const c = r.count();
          return { up: a.up + c.upBytes, down: a.down + c.downBytes, units: a.units + c.units };
        },
        { up: 0, down: 0, units: 0 },
      );
    for (let i = 1; i <= runs; i++) {
      const before = total();
      const done = await finished(
        esolOf(root, ["agent", "--config", join(dir, "agent.json"), "--once"]),
        300_000,
      );
      const after = total();
      if (done.code !== 0)
        console.error(`${name} run ${i}: exit ${done.code}: ${done.stderr.trim().split("\n").at(-1)}`);
      const up = after.up - before.up;
      const down = after.down - before.down;
      rows.push({
        tree: name,
        run: i,
        upBytes: up,
        downBytes: down,
        datagrams: after.units - before.units,
        bytesPerDevice: Math.round((up + down) / relays.length),
        billingReads: Number(/^sent billing-read count=(\d+)/m.exec(done.stdout)?.[1] ?? 0),
        exitCode: done.code,
      });
    }
    server.kill("SIGTERM");
    return rows;
  } finally {
    await Promise.all(relays.map((r) => r.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  const sim = esolOf(process.cwd(), ["sim", "--count", String(devices)]);
  const line = await waitForLine(sim, "listening ");
  const m = /:(\d+)-(\d+)/.exec(line);
  if (!m) throw new Error(`unexpected sim line: ${line}`);
  const range: [number, number] = [Number(m[1]), Number(m[2])];
  const rows: RunRow[] = [];
  if (old) rows.push(...(await measureTree("old", resolve(old), range)));
  rows.push(...(await measureTree("new", process.cwd(), range)));
  const table = [
    ["tree", "run", "bytes out + back", "B / device", "datagrams", "billing reads", "exit"],
    ...rows.map((r) => [
      r.tree,
      String(r.run),
      `${r.upBytes} + ${r.downBytes}`,
      String(r.bytesPerDevice),
      String(r.datagrams),
      String(r.billingReads),
      String(r.exitCode),
    ]),
  ];
  const w = table[0]?.map((_, c) => Math.max(...table.map((r) => r[c]?.length ?? 0))) ?? [];
  for (const r of table) console.log(r.map((cell, c) => cell.padEnd(w[c] ?? 0)).join("  "));
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(
    "bench/results/agent-snmp.json",
    `${JSON.stringify({ bench: "agent-snmp", at: new Date().toISOString(), cpus: cpus().length, loadAverage: loadavg(), devices, runs: rows }, null, 2)}\n`,
  );
  console.log("wrote bench/results/agent-snmp.json");
} finally {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
}
