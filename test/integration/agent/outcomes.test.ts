/**
 * What an operator sees when things go wrong (issue 19): per-target failure codes in the
 * poll event, `status()` and the `esol agent` lines; a `stuck` state, with its remedy and
 * no retry storm, for settings no resend can fix (wrong CA, untrusted signing key); an
 * embedded agent that writes nothing without a logger; no poll summary after `stop()`.
 * Real server, real simulated printers on loopback, OS-assigned ports, a ManualClock.
 */
import { X509Certificate } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AgentStuck, PollSummary } from "../../../src/agent/agent.js";
import { agentHealth } from "../../../src/agent/http.js";
import type { SdkError } from "../../../src/errors.js";
import { CommunicationServer } from "../../../src/server/index.js";
import type { ExchangeRecord } from "../../../src/soap/models.js";
import { createRequestVerifier } from "../../../src/wssec/index.js";
import { runTsx } from "../../helpers/esol.js";
import { testIdentity } from "../../helpers/keys.js";
import { type SilentTarget, silentUdpTarget } from "../../helpers/silent.js";
import { loopbackTls } from "../../helpers/tls.js";
import { createWorld, T0, type World } from "./harness.js";

const HOUR = 3_600_000;

let world: World | undefined;
const extraServers: CommunicationServer[] = [];
afterEach(async () => {
  await world?.close();
  world = undefined;
  for (const s of extraServers.splice(0)) await s.close();
});

/** Printers that are off: bound UDP ports that never answer, released after each test. */
const silent: SilentTarget[] = [];
afterEach(async () => {
  for (const t of silent.splice(0)) await t.close();
});
async function absentTarget(): Promise<SilentTarget> {
  const t = await silentUdpTarget();
  silent.push(t);
  return t;
}

describe("a wrong community is visible per target", () => {
  it("in the poll event, in status() and in the esol agent lines", async () => {
    world = await createWorld({
      devices: 1,
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
    const r = await runTsx(["src/cli/main.ts", "agent", "--config", config, "--once"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^poll \S+ read=0 failed=1 SNMP_TIMEOUT=1$/m);
    expect(r.stdout).toContain(`  failed SNMP_TIMEOUT: ${target}: no answer to GET`);
    expect(r.stdout).toContain("the community/v3 credentials are wrong");
  });
});

describe("settings no resend can fix get the agent stuck, without a retry storm", () => {
  it("wrong server.ca: one stuck event with the trust used and the remedy, re-checks slowly (1 h, then doubling)", async () => {
    const tls = await loopbackTls();
    const other = await testIdentity("ec-p256", "not-the-server");
    world = await createWorld({
      devices: 1,
      serverPort: 0,
      server: { tls: { cert: tls.cert, key: tls.key }, signaturePolicy: "optional" },
    });
    expect(world.url).toMatch(/^https:/);
    const caFile = join(world.dir, "wrong-ca.pem");
    writeFileSync(caFile, other.certPem);
    const agent = world.agent({}, (raw) => {
      (raw.server as Record<string, unknown>).ca = caFile;
    });
    const attempts: ExchangeRecord[] = [];
    const stuck: AgentStuck[] = [];
    const errors: SdkError[] = [];
    agent.on("exchange", (e) => attempts.push(e));
    agent.on("stuck", (s) => stuck.push(s));
    agent.on("error", (e) => errors.push(e));
    await agent.start();
    await world.clock.advanceTo(T0 + 6 * HOUR);

    // The first session at T0, then re-checks after 1 h and 2 h more (doubling): T0+1h, T0+3h.
    expect(attempts.map((a) => a.operation)).toEqual(["RegisterProxy", "RegisterProxy", "RegisterProxy"]);
    expect(attempts.every((a) => (a.error as SdkError | undefined)?.code === "TLS_ERROR")).toBe(true);
    expect(stuck).toHaveLength(1);
    expect(errors.map((e) => e.code)).toEqual(["TLS_ERROR"]);
    const s = agent.status().stuck;
    expect(s).not.toBeNull();
    expect(s).toMatchObject({ code: "TLS_ERROR", sinceMs: T0 });
    expect(s?.message).toContain("the server's certificate is self-signed and not trusted");
    expect(s?.message).toContain("only the `ca` given (1 certificate: CN=esol-test-ec-p256-not-the-server)");
    expect(s?.remedy).toContain("server.ca");
    expect(s?.nextCheckAtMs).toBeGreaterThan(world.clock.now());
    // Nothing was parked or counted against the entries: they wait for the fix.
    expect(agent.status().outbox.parked).toBe(0);
    // /healthz says so at once, however recent the limit on the last sync would allow.
    const health = agentHealth(agent, 30 * HOUR);
    expect(health.status).toBe(503);
    expect(health.reason).toMatch(/^stuck since .* on TLS_ERROR: .* — .*server\.ca/);
  });

  it("untrusted signing key: stuck once with subject and thumbprint, recovers when the server trusts the key", async () => {
    const pinned = await testIdentity("ec-p256", "pinned-proxy");
    const ours = await testIdentity("ec-p256", "unpinned-proxy");
    world = await createWorld({
      devices: 2,
      serverPort: 0,
      server: { signaturePolicy: "required", verifier: createRequestVerifier({ trust: [pinned.certPem] }) },
    });
    writeFileSync(join(world.dir, "key.pem"), ours.keyPem);
    writeFileSync(join(world.dir, "cert.pem"), ours.certPem);
    const clock = world.clock;
    // The verifier checks timestamps against wall time: the agent signs with wall time (its default).
    const agent = world.agent({}, (raw) => {
      raw.security = { key: join(world!.dir, "key.pem"), cert: join(world!.dir, "cert.pem") };
    });
    const attempts: ExchangeRecord[] = [];
    const stuck: AgentStuck[] = [];
    const recovered: AgentStuck[] = [];
    const errors: SdkError[] = [];
    agent.on("exchange", (e) => attempts.push(e));
    agent.on("stuck", (s) => stuck.push(s));
    agent.on("recovered", (s) => recovered.push(s));
    agent.on("error", (e) => errors.push(e));
    await agent.start();
    await clock.advanceTo(T0 + 6 * HOUR);

    expect(attempts).toHaveLength(3); // T0, T0+1h, T0+3h; the next re-check is at T0+7h
    expect(agent.status().stuck?.checks).toBe(3);
    expect(stuck).toHaveLength(1);
    expect(errors.map((e) => e.code)).toEqual(["WSS_UNTRUSTED_KEY"]);
    const s = agent.status().stuck;
    expect(s?.code).toBe("WSS_UNTRUSTED_KEY");
    const fingerprint = new X509Certificate(ours.certPem).fingerprint256;
    expect(s?.message).toContain("CN=esol-test-ec-p256-unpinned-proxy");
    expect(s?.message).toContain(`SHA-256 ${fingerprint}`);
    expect(s?.message.match(/WSS_UNTRUSTED_KEY/g) ?? []).toHaveLength(0); // the code is printed by the line, once
    expect(s?.remedy).toContain("esol server --trust");
    expect(agent.status().outbox.parked).toBe(0);
    expect(agent.status().outbox.pending).toBeGreaterThan(0);

    // The operator trusts the key: the server restarts on the same port and store.
    const port = Number(new URL(world.url).port);
    await world.server.close();
    const trusting = new CommunicationServer({
      dbPath: join(world.dir, "server.db"),
      port,
      tls: false,
      clock: () => new Date(clock.now()),
      signaturePolicy: "required",
      verifier: createRequestVerifier({ trust: [pinned.certPem, ours.certPem] }),
    });
    extraServers.push(trusting);
    await trusting.start();
    await clock.advance(HOUR);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]?.code).toBe("WSS_UNTRUSTED_KEY");
    expect(agent.status().stuck).toBeNull();
    expect(agentHealth(agent, 30 * HOUR).reason).not.toMatch(/^stuck/);
    expect(agent.status().registered).toBe(true);
    expect(agent.status().outbox.parked).toBe(0);
    expect(trusting.exportStore().devices).toHaveLength(2);
  });
});

describe("noise", () => {
  it("stop() during a poll emits no poll summary and rejects pollNow with ABORTED", async () => {
    const absent = (await absentTarget()).port;
    world = await createWorld({
      devices: 1,
      serverPort: 0,
      server: { signaturePolicy: "optional" },
    });
    const live = `127.0.0.1:${world.fleet.firstPort}`;
    const agent = world.agent({ autoSchedule: false }, (raw) => {
      const devices = raw.devices as Record<string, unknown>;
      devices.targets = [live, `127.0.0.1:${absent}`];
      devices.timeout = "20s"; // the absent target is still pending when stop() comes
      devices.concurrency = 2;
    });
    const polls: PollSummary[] = [];
    agent.on("poll", (p) => polls.push(p));
    let stopped: Promise<void> | undefined;
    agent.on("device-new", () => {
      stopped = agent.stop();
    });
    await agent.start();
    const outcome = await agent.pollNow().then(
      () => "resolved",
      (err: SdkError) => err.code,
    );
    await stopped;
    expect(stopped).toBeDefined();
    expect(outcome).toBe("ABORTED");
    expect(polls).toEqual([]);
  });

  it("an embedded Agent without a logger writes nothing to stderr", async () => {
    const absent = (await absentTarget()).port;
    const r = await runTsx(["test/integration/agent/fixtures/quiet-agent.ts", String(absent)]);
    expect(r.stdout.trim()).toBe("done failed=1 SNMP_TIMEOUT");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});
