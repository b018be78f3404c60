import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { closeAll, get, type Session, snmp, v2Session, v3Session } from "./snmp-client.js";

// Every simulator here finds its own free ports; tests read them from the listening line.
const children: ChildProcess[] = [];
const sessions: Session[] = [];
const dirs: string[] = [];

afterEach(() => {
  closeAll(sessions);
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function esol(args: string[]): {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: process.cwd(),
  });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    err += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** The first port of a `listening HOST:FIRST-LAST` line, checking that the range holds `count` ports. */
function firstPort(line: string, count: number): number {
  const m = /^listening (?:127\.0\.0\.1|\[::1\]):(\d+)-(\d+)$/.exec(line);
  if (!m) throw new Error(`not a listening line: ${line}`);
  expect(Number(m[2]) - Number(m[1])).toBe(count - 1);
  return Number(m[1]);
}

async function listening(run: ReturnType<typeof esol>): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const line = run.stdout().split("\n")[0] ?? "";
    if (run.stdout().includes("\n")) return line;
    if (run.child.exitCode !== null) throw new Error(`exited: ${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("never listening");
}

describe("esol sim", () => {
  it("prints `listening HOST:FIRST-LAST`, serves the fleet with its faults, and stops cleanly on SIGTERM", async () => {
    // No --base-port: the simulator finds a free range and names it on the listening line.
    const run = esol(["sim", "--count", "3", "--faults", "1:timeout", "--seed", "5"]);
    const line = await listening(run);
    const base = firstPort(line, 3);
    const s0 = v2Session(base);
    const s1 = v2Session(base + 1, "public", { timeout: 300 });
    sessions.push(s0, s1);
    const [descr] = await get(s0, ["1.3.6.1.2.1.1.1.0"]);
    expect(String(descr?.value)).toContain("(simulated)");
    await expect(get(s1, ["1.3.6.1.2.1.1.1.0"])).rejects.toThrow(snmp.RequestTimedOutError);
    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toBe(`${line}\n`);
  });

  it("plays a --scenario: no-serial serves device 1 without serial OIDs and names the agent side on stderr", async () => {
    const run = esol(["sim", "--scenario", "no-serial", "--count", "2"]);
    const base = firstPort(await listening(run), 2);
    const s0 = v2Session(base);
    const s1 = v2Session(base + 1);
    sessions.push(s0, s1);
    const serialOid = "1.3.6.1.2.1.43.5.1.1.17.1";
    const [healthy] = await get(s0, [serialOid]);
    expect(healthy?.type).toBe(snmp.ObjectType.OctetString);
    const [missing] = await get(s1, [serialOid]);
    expect(missing?.type).toBe(snmp.ObjectType.NoSuchObject);
    expect(run.stderr()).toMatch(/^scenario no-serial \(alarm device-not-billable\): device 1 answers SNMP/m);
    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(0);
  });

  it("refuses an unknown --scenario, and --scenario with --faults", async () => {
    const unknown = esol(["sim", "--scenario", "meteor"]);
    expect(await unknown.exit).not.toBe(0);
    expect(unknown.stderr()).toMatch(
      /SIM_SCENARIO: unknown scenario "meteor" \(known: serial-swap, no-serial, outbox-near-limit\)/,
    );
    const both = esol(["sim", "--scenario", "serial-swap", "--faults", "0:timeout"]);
    expect(await both.exit).not.toBe(0);
    expect(both.stderr()).toMatch(/ARG_INVALID: --scenario sets the fleet and its faults/);
  });

  it("advances meters with --clock-rate (a month per second)", async () => {
    const run = esol(["sim", "--count", "2", "--models", "xerox", "--clock-rate", "2592000"]);
    const s = v2Session(firstPort(await listening(run), 2));
    sessions.push(s);
    const total = "1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.1";
    const [first] = await get(s, [total]);
    let later = first?.value as number;
    for (let i = 0; i < 50 && later === first?.value; i++) {
      await new Promise((r) => setTimeout(r, 50));
      later = (await get(s, [total]))[0]?.value as number;
    }
    expect(later).toBeGreaterThan(first?.value as number);
    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(0);
  });

  it("serves an SNMPv3 user given as --v3-user NAME:AUTH:PRIV (SHA / AES)", async () => {
    const run = esol(["sim", "--count", "1", "--v3-user", "ops:auth-pass-1:priv-pass-1"]);
    const s = v3Session(firstPort(await listening(run), 1), {
      name: "ops",
      authKey: "auth-pass-1",
      privKey: "priv-pass-1",
    });
    sessions.push(s);
    const [descr] = await get(s, ["1.3.6.1.2.1.1.1.0"]);
    expect(String(descr?.value)).toContain("(simulated)");
    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(0);
  });

  it("serves a recordings folder and stops on SIGINT", async () => {
    const dir = "test/fixtures/snmprec";
    // One port per recording, in file-name order.
    const recordings = readdirSync(dir)
      .filter((f) => f.endsWith(".snmprec"))
      .sort();
    const run = esol(["sim", "--recordings", dir]);
    const first = firstPort(await listening(run), recordings.length);
    const s = v2Session(first + recordings.indexOf("xerox-altalink-c8045.snmprec"), "xerox-altalink-c8045");
    sessions.push(s);
    const [level] = await get(s, ["1.3.6.1.2.1.43.11.1.1.9.1.1"]);
    expect(level?.value).toBe(1060);
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
  });

  it("says it ran out of file descriptors when ulimit -n is lower than the fleet", async () => {
    const child = spawn(
      "/bin/bash",
      ["-c", 'ulimit -n 128 && exec "$0" --import tsx src/cli/main.ts sim --count 200', process.execPath],
      { cwd: process.cwd() },
    );
    children.push(child);
    let err = "";
    child.stderr?.on("data", (d) => {
      err += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).not.toBe(0);
    expect(err).toMatch(/^error SIM_TOO_MANY_FILES: .*raise ulimit -n/);
  });

  it("refuses a broken recording naming its file and line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "esol-sim-"));
    dirs.push(dir);
    writeFileSync(join(dir, "bad.snmprec"), "1.3.6.1.2.1.1.1.0|4|ok\n1.3.6.1.2.1.1.3.0|67|soon\n");
    const run = esol(["sim", "--recordings", dir]);
    expect(await run.exit).not.toBe(0);
    expect(run.stderr()).toMatch(
      /^error INVALID_RECORDING: .*bad\.snmprec:2: TimeTicks value "soon" is not an integer/,
    );
    expect(run.stderr()).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it.each([
    [["sim", "--count", "3", "--base-port", "first"], /^error ARG_INVALID: --base-port must be an integer/],
    [["sim", "--count", "3", "--base-port", "65534"], /^error SIM_PORT: ports 65534-65536 are not all valid/],
    [["sim", "--seed", "2"], /^error ARG_INVALID: give exactly one of --recordings DIR or --count N/],
    [["sim", "--count", "3", "--faults", "4:timeout"], /^error SIM_FAULT_SPEC: fault "4:timeout"/],
    [
      ["sim", "--count", "3", "--models", "mono,inkjet"],
      /^error SIM_UNKNOWN_MODEL: unknown printer model "inkjet"/,
    ],
    [
      ["sim", "--count", "1", "--v3-user", "ops:short"],
      /^error ARG_INVALID: --v3-user must be NAME:AUTHPASS/,
    ],
    [["sim", "--count", "1", "--host", "10.0.0.1"], /^error SIM_HOST: the simulator binds loopback only/],
  ])("refuses %j with one error line", async (args, message) => {
    const run = esol(args);
    expect(await run.exit).not.toBe(0);
    expect(run.stderr()).toMatch(message);
    expect(run.stdout()).toBe("");
  });
});
