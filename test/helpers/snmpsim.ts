/**
 * Starts Debian's `snmpsimd` (an SNMP agent nobody in this project wrote) serving a
 * folder of `.snmprec` recordings on loopback, waits until it answers, and stops it.
 * The community of each recording is its file name without `.snmprec`.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A running snmpsimd. */
export interface SnmpSim {
  /** UDP port on 127.0.0.1. */
  port: number;
  /** Communities served (recording names). */
  communities: string[];
  /** Stops the process and removes its temporary folders. */
  stop(): Promise<void>;
}

/** True when `snmpsimd` and Net-SNMP's `snmpget` are installed. */
export async function snmpToolsAvailable(): Promise<boolean> {
  try {
    await run("which", ["snmpsimd", "snmpget"]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts snmpsimd serving every `.snmprec` in `recordingsDir` on 127.0.0.1:`port`. Without a
 * port it takes one the OS has just handed out (bound to port 0 and released) and, should
 * snmpsimd lose it to someone else in between, tries again with another (at most 5 times).
 */
export async function startSnmpSim(
  recordingsDir: string,
  port?: number,
  timeoutMs = 30_000,
): Promise<SnmpSim> {
  if (port !== undefined) return startSnmpSimOn(recordingsDir, port, timeoutMs);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSnmpSimOn(recordingsDir, await freeUdpPort(), timeoutMs);
    } catch (err) {
      if (attempt >= 5 || !/exited/.test(String(err))) throw err;
    }
  }
}

function freeUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

async function startSnmpSimOn(recordingsDir: string, port: number, timeoutMs: number): Promise<SnmpSim> {
  const work = mkdtempSync(join(tmpdir(), "esol-snmpsim-"));
  const data = join(work, "data");
  const cache = join(work, "cache");
  cpSync(recordingsDir, data, {
    recursive: true,
    filter: (src) => !src.endsWith(".json") && !src.endsWith(".md"),
  });
  const communities = readdirSync(data)
    .filter((f) => f.endsWith(".snmprec"))
    .map((f) => f.replace(/\.snmprec$/, ""));
  const args = [
    `--data-dir=${data}`,
    `--cache-dir=${cache}`,
    `--agent-udpv4-endpoint=127.0.0.1:${port}`,
    "--logging-method=null",
  ];
  if (process.getuid?.() === 0) args.push("--process-user=nobody", "--process-group=nogroup");
  // snmpsimd drops privileges to nobody: its folders must be readable and writable by it.
  await run("chmod", ["-R", "a+rwX", work]);
  const child: ChildProcess = spawn("snmpsimd", args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(work, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  const first = communities[0] ?? "public";
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`snmpsimd exited with ${child.exitCode}: ${stderr}`);
    }
    try {
      await run("snmpget", [
        "-v2c",
        "-c",
        first,
        "-t",
        "1",
        "-r",
        "0",
        "-Oqv",
        `127.0.0.1:${port}`,
        "1.3.6.1.2.1.1.1.0",
      ]);
      return { port, communities, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  await stop();
  throw new Error(`snmpsimd did not answer on 127.0.0.1:${port} within ${timeoutMs} ms: ${stderr}`);
}
