import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { closeAll, get, type Session, snmp, v2Session, v3Session } from "./snmp-client.js";

// Ports 25900-25949 belong to this file.
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
    const run = esol(["sim", "--count", "3", "--base-port", "25900", "--faults", "1:timeout", "--seed", "5"]);
    expect(await listening(run)).toBe("listening 127.0.0.1:25900-25902");
    const s0 = v2Session(25900);
    const s1 = v2Session(25901, "public", { timeout: 300 });
    sessions.push(s0, s1);
    const [descr] = await get(s0, ["1.3.6.1.2.1.1.1.0"]);
    expect(String(descr?.value)).toContain("(simulated)");
    await expect(get(s1, ["1.3.6.1.2.1.1.1.0"])).rejects.toThrow(snmp.RequestTimedOutError);
    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toBe("listening 127.0.0.1:25900-25902\n");
  });

  it("advances meters with --clock-rate (a month per second)", async () => {
    const run = esol([
      "sim",
      "--count",
      "2",
      "--base-port",
      "25940",
      "--models",
      "xerox",
      "--clock-rate",
      "2592000",
    ]);
    await listening(run);
    const s = v2Session(25940);
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
    const run = esol([
      "sim",
      "--count",
      "1",
      "--base-port",
      "25945",
      "--v3-user",
      "ops:auth-pass-1:priv-pass-1",
    ]);
    await listening(run);
    const s = v3Session(25945, { name: "ops", authKey: "auth-pass-1", privKey: "priv-pass-1" });
    sessions.push(s);
    const [descr] = await get(s, ["1.3.6.1.2.1.1.1.0"]);
    expect(String(descr?.value)).toContain("(simulated)");
    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(0);
  });

  it("serves a recordings folder and stops on SIGINT", async () => {
    const run = esol(["sim", "--recordings", "test/fixtures/snmprec", "--base-port", "25910"]);
    expect(await listening(run)).toBe("listening 127.0.0.1:25910-25911");
    const s = v2Session(25911, "xerox-altalink-c8045");
    sessions.push(s);
    const [level] = await get(s, ["1.3.6.1.2.1.43.11.1.1.9.1.1"]);
    expect(level?.value).toBe(1060);
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
  });

  it("says it ran out of file descriptors when ulimit -n is lower than the fleet", async () => {
    const child = spawn(
      "/bin/bash",
      [
        "-c",
        'ulimit -n 128 && exec "$0" --import tsx src/cli/main.ts sim --count 200 --base-port 25300',
        process.execPath,
      ],
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
    const run = esol(["sim", "--recordings", dir, "--base-port", "25920"]);
    expect(await run.exit).not.toBe(0);
    expect(run.stderr()).toMatch(
      /^error INVALID_RECORDING: .*bad\.snmprec:2: TimeTicks value "soon" is not an integer/,
    );
    expect(run.stderr()).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it.each([
    [["sim", "--count", "3"], /^error ARG_INVALID: --base-port must be an integer/],
    [
      ["sim", "--base-port", "25930"],
      /^error ARG_INVALID: give exactly one of --recordings DIR or --count N/,
    ],
    [
      ["sim", "--count", "3", "--base-port", "25930", "--faults", "4:timeout"],
      /^error SIM_FAULT_SPEC: fault "4:timeout"/,
    ],
    [
      ["sim", "--count", "3", "--base-port", "25930", "--models", "mono,inkjet"],
      /^error SIM_UNKNOWN_MODEL: unknown printer model "inkjet"/,
    ],
    [
      ["sim", "--count", "1", "--base-port", "25930", "--v3-user", "ops:short"],
      /^error ARG_INVALID: --v3-user must be NAME:AUTHPASS/,
    ],
    [
      ["sim", "--count", "1", "--base-port", "25930", "--host", "10.0.0.1"],
      /^error SIM_HOST: the simulator binds loopback only/,
    ],
  ])("refuses %j with one error line", async (args, message) => {
    const run = esol(args);
    expect(await run.exit).not.toBe(0);
    expect(run.stderr()).toMatch(message);
    expect(run.stdout()).toBe("");
  });
});
