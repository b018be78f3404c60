import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runEsol, spawnEsol, waitForLine } from "../../helpers/esol.js";
import { testIdentity } from "../../helpers/keys.js";

// Ports come from the OS (`--port 0`, `esol sim` without --base-port) and are read back from
// the `listening` lines, so this suite runs beside anything else on the machine.
let serverUrl: string;
let signingServerUrl: string;

let dir: string;
const running: ChildProcess[] = [];
const esol = (args: string[]): ChildProcess => spawnEsol(args, running);
const run = (args: string[], timeoutMs = 60_000) => runEsol(args, timeoutMs, running);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "esol-agent-cli-"));
  mkdirSync(join(dir, "keys"));
  mkdirSync(join(dir, "server"));
  mkdirSync(join(dir, "server2"));
  const id = await testIdentity("ec-p256", "agent-cli");
  writeFileSync(join(dir, "keys", "proxy-key.pem"), id.keyPem);
  writeFileSync(join(dir, "keys", "proxy-cert.pem"), id.certPem);
  const signer = await testIdentity("ec-p256", "agent-cli-server");
  writeFileSync(join(dir, "keys", "server-sign-key.pem"), signer.keyPem);
  writeFileSync(join(dir, "keys", "server-sign-cert.pem"), signer.certPem);
  const other = await testIdentity("ec-p256", "agent-cli-other");
  writeFileSync(join(dir, "keys", "other-cert.pem"), other.certPem);
  const server = esol([
    "server",
    "--port",
    "0",
    "--db",
    join(dir, "server", "server.db"),
    "--trust",
    join(dir, "keys", "proxy-cert.pem"),
  ]);
  const sim = esol(["sim", "--count", "3"]);
  const signing = esol([
    "server",
    "--port",
    "0",
    "--db",
    join(dir, "server2", "server.db"),
    "--trust",
    join(dir, "keys", "proxy-cert.pem"),
    "--sign-key",
    join(dir, "keys", "server-sign-key.pem"),
    "--sign-cert",
    join(dir, "keys", "server-sign-cert.pem"),
  ]);
  const [serverLine, simLine, signingLine] = await Promise.all([
    waitForLine(server, "listening "),
    waitForLine(sim, "listening "),
    waitForLine(signing, "listening "),
  ]);
  serverUrl = serverLine.slice("listening ".length).trim();
  signingServerUrl = signingLine.slice("listening ".length).trim();
  const simRange = /^listening 127\.0\.0\.1:(\d+-\d+)$/.exec(simLine.trim())?.[1];
  if (!simRange) throw new Error(`unexpected sim line: ${simLine}`);
  // examples/agent.json with only ports and paths changed (same keys/ca layout as the README).
  const example = JSON.parse(readFileSync("examples/agent.json", "utf8"));
  example.server.url = serverUrl;
  example.devices.targets = [`127.0.0.1:${simRange}`];
  example.log.level = "warn";
  writeFileSync(join(dir, "agent.json"), JSON.stringify(example, null, 2));
});

afterAll(async () => {
  for (const p of running) if (p.exitCode === null && p.signalCode === null) p.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 300));
  rmSync(dir, { recursive: true, force: true });
});

describe("esol agent / esol demo", () => {
  it("runs examples/agent.json against esol server and esol sim: registers, syncs and delivers (--once)", async () => {
    const r = await run(["agent", "--config", join(dir, "agent.json"), "--once"]);
    expect(r.stderr).not.toMatch(/^error /m);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^device-new /m);
    expect(r.stdout).toMatch(/^sent register-devices count=1 accepted=3/m);
    expect(r.stdout).toMatch(/^sent sync-status /m);
    expect(r.stdout).toMatch(/^done pending=0 .* parked=0 quarantined=0$/m);
    const exp = await run(["server", "export", "--db", join(dir, "server", "server.db")]);
    const store = JSON.parse(exp.stdout);
    expect(store.proxies.map((p: { proxyId: string }) => p.proxyId)).toEqual(["proxy-0001"]);
    expect(store.devices).toHaveLength(3);
    expect(store.devices.every((d: { services: { billing: boolean } }) => d.services.billing)).toBe(true);

    const status = await run(["agent", "status", "--config", join(dir, "agent.json")]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      registered: true,
      counts: { pending: 0, parked: 0 },
      parked: [],
      quarantined: [],
    });
  });

  it("keeps each device's poll plan in the outbox file, so the next --once polls with it (same discovery)", async () => {
    const plans = () => {
      const db = new Database(join(dir, "esol-agent.db"), { readonly: true });
      try {
        return (
          db.prepare("SELECT serial, poll_plan FROM devices ORDER BY serial").all() as {
            serial: string;
            poll_plan: string | null;
          }[]
        ).map((r) => ({
          serial: r.serial,
          discoveredAt: r.poll_plan ? JSON.parse(r.poll_plan).discoveredAt : null,
        }));
      } finally {
        db.close();
      }
    };
    const before = plans();
    expect(before).toHaveLength(3);
    expect(before.every((p) => typeof p.discoveredAt === "string")).toBe(true);
    const r = await run(["agent", "--config", join(dir, "agent.json"), "--once"]);
    expect(r.code).toBe(0);
    // A steady poll keeps the plan's discovery time; a full reading would have renewed it.
    expect(plans()).toEqual(before);
  });

  it("runs until SIGTERM, printing `started` when ready, and stops cleanly", async () => {
    const p = esol(["agent", "--config", join(dir, "agent.json")]);
    const line = await waitForLine(p, "started ");
    expect(line).toMatch(/^started proxy-0001 outbox /);
    const exited = new Promise<number | null>((resolve) => p.on("exit", (code) => resolve(code)));
    p.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("refuses a bad config with one line naming the field, exit non-zero", async () => {
    const bad = JSON.parse(readFileSync(join(dir, "agent.json"), "utf8"));
    bad.devices.targets = ["127.0.0.1", "10.0.0.0/24", "10.0.0.1/33"];
    writeFileSync(join(dir, "bad.json"), JSON.stringify(bad));
    const r = await run(["agent", "--config", join(dir, "bad.json"), "--once"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toMatch(
      /^error CONFIG_INVALID: \S*bad\.json: devices\.targets\[2\]: "10\.0\.0\.1\/33"/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("esol demo shows the whole conversation and exits 0", async () => {
    // A fixed start day inside a month: exactly one billing cycle, whatever day the suite runs.
    const r = await run(["demo", "--start", "2026-03-10"], 120_000);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const op of [
      "RegisterProxy",
      "RegisterDevices",
      "Sync",
      "ReportSyncStatus",
      "SubmitBillingReads",
      "SubmitSuppliesReport",
    ])
      expect(r.stdout).toMatch(
        new RegExp(`${op}\\s+HTTP 200\\s+request\\s+[\\d,]+ B\\s+response\\s+[\\d,]+ B`),
      );
    expect(r.stdout).toMatch(
      /demo done in .*: 5\/5 billing requests fulfilled, 5\/5 reads equal to the simulated meters/,
    );
  }, 150_000);

  it("esol demo --start on the last day of a month bills both cycles it crosses", async () => {
    const r = await run(["demo", "--start", "2026-11-30", "--devices", "2"], 120_000);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/billing 2026-11 /);
    expect(r.stdout).toMatch(/billing 2026-12 /);
    expect(r.stdout).toMatch(
      /demo done in .*: 4\/4 billing requests fulfilled, 4\/4 reads equal to the simulated meters/,
    );
  }, 150_000);

  it("esol demo refuses a --start that is not a date", async () => {
    const r = await run(["demo", "--start", "next tuesday"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(
      'error ARG_INVALID: --start must be a date YYYY-MM-DD or an ISO-8601 date-time with Z or an offset, got "next tuesday"',
    );
  });

  it("verifies signed responses with security.serverCert, and refuses responses signed by another key", async () => {
    const base = JSON.parse(readFileSync(join(dir, "agent.json"), "utf8"));
    base.server.url = signingServerUrl;
    base.server.ca = "./server2/esol-server-cert.pem";
    base.security.serverCert = "./keys/server-sign-cert.pem";
    base.outbox.path = "./signed-outbox.db";
    writeFileSync(join(dir, "signed.json"), JSON.stringify(base));
    const ok = await run(["agent", "--config", join(dir, "signed.json"), "--once"]);
    expect(ok.stderr).not.toMatch(/^error /m);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^done pending=0 .* parked=0/m);

    base.security.serverCert = "./keys/other-cert.pem";
    base.outbox.path = "./wrong-outbox.db";
    writeFileSync(join(dir, "wrong.json"), JSON.stringify(base));
    const refused = await run(["agent", "--config", join(dir, "wrong.json"), "--once"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim().split("\n").at(-1)).toMatch(/^error WSS_[A-Z_]+: /);
  });
});
