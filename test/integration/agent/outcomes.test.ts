/**
 * What an operator sees when things go wrong (issue 19): per-target failure codes in the
 * poll event, `status()` and the `esol agent` lines.
 * Real server, real simulated printers on loopback, OS-assigned ports, a ManualClock.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { PollSummary } from "../../../src/agent/agent.js";
import type { CommunicationServer } from "../../../src/server/index.js";
import { createWorld, type World } from "./harness.js";

let world: World | undefined;
const extraServers: CommunicationServer[] = [];
afterEach(async () => {
  await world?.close();
  world = undefined;
  for (const s of extraServers.splice(0)) await s.close();
});

/** A UDP port the OS just handed out and released: nothing listens there. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

function run(
  args: string[],
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p: ChildProcess = spawn(process.execPath, ["--import", "tsx", ...args], {
      cwd: process.cwd(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    p.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const t = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.on("exit", (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("a wrong community is visible per target", () => {
  it("in the poll event, in status() and in the esol agent lines", async () => {
    world = await createWorld({
      devices: 1,
      basePort: await freeUdpPort(),
      serverPort: 0,
      fleet: { community: "not-public" },
      server: { signaturePolicy: "optional" },
    });
    const target = `127.0.0.1:${world.fleet.firstPort}`;
    const agent = world.agent({ autoSchedule: false });
    const polls: PollSummary[] = [];
    agent.on("poll", (p) => polls.push(p));
    await agent.start();
    await agent.pollNow();
    expect(polls).toHaveLength(1);
    const poll = polls[0] as PollSummary;
    expect(poll).toMatchObject({ targets: 1, read: 0, failed: 1, failedByCode: { SNMP_TIMEOUT: 1 } });
    expect(poll.failures).toHaveLength(1);
    expect(poll.failures[0]).toMatchObject({ target, code: "SNMP_TIMEOUT", known: false });
    const message = poll.failures[0]?.message ?? "";
    expect(message).toContain(`${target}: no answer to GET`);
    expect(message).toContain("with v2c community");
    expect(message).toContain("the community/v3 credentials are wrong");
    expect(message).not.toContain("public"); // the community itself is a secret
    expect(agent.status().lastPoll).toEqual(poll);
    await agent.stop();

    // The same outcome as `esol agent --once` prints it.
    const config = join(world.dir, "cli-agent.json");
    writeFileSync(
      config,
      JSON.stringify({
        proxy: { id: "proxy-cli-outcomes" },
        server: { url: world.url, timeout: "5s", maxRetries: 0 },
        devices: { targets: [target], timeout: "300ms", retries: 0 },
        outbox: { path: join(world.dir, "cli-outbox.db") },
        log: { level: "silent" },
      }),
    );
    const r = await run(["src/cli/main.ts", "agent", "--config", config, "--once"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^poll \S+ read=0 failed=1 SNMP_TIMEOUT=1$/m);
    expect(r.stdout).toContain(`  failed SNMP_TIMEOUT: ${target}: no answer to GET`);
    expect(r.stdout).toContain("the community/v3 credentials are wrong");
  });
});
