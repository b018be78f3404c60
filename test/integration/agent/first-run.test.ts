import type { ChildProcess } from "node:child_process";
import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runEsol, spawnEsol, waitForLine } from "../../helpers/esol.js";

// A new user's first run, only through the CLI and with no hand editing: the operator starts
// `esol server` (which writes its TLS pair), the site runs `esol init` with the server's
// certificate, the operator restarts the server pinning the proxy certificate init wrote
// (--trust), then `esol agent check` and `esol agent --http`. Ports come from the OS.

let dir: string;
let serverUrl: string;
let simRange: string;
/** What the first `esol init` printed. */
let initOut: string;
const running: ChildProcess[] = [];

const esol = (args: string[]): ChildProcess => spawnEsol(args, running);
const run = (args: string[], timeoutMs = 60_000) => runEsol(args, timeoutMs, running);

function stopped(p: ChildProcess): Promise<number | null> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(p.exitCode);
  return new Promise((resolve) => {
    p.once("exit", (code) => resolve(code));
    p.kill("SIGTERM");
  });
}

function init(
  site: string,
  extra: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run([
    "init",
    "--dir",
    join(dir, site),
    "--server",
    serverUrl,
    "--targets",
    `127.0.0.1:${simRange}`,
    "--proxy-id",
    "proxy-first-run",
    ...extra,
  ]);
}

const check = (site: string) => run(["agent", "check", "--config", join(dir, site, "agent.json")]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "esol-first-run-"));
  mkdirSync(join(dir, "cs"));
  // 1. The operator's first start writes the server's TLS pair next to its store.
  const first = esol(["server", "--port", "0", "--db", join(dir, "cs", "cs.db")]);
  const sim = esol(["sim", "--count", "3"]);
  const [serverLine, simLine] = await Promise.all([
    waitForLine(first, "listening "),
    waitForLine(sim, "listening "),
  ]);
  serverUrl = serverLine.slice("listening ".length).trim();
  simRange = /^listening 127\.0\.0\.1:(\d+-\d+)$/.exec(simLine.trim())?.[1] as string;
  expect(simRange).toBeDefined();
  await stopped(first);
  // 2. The site writes its config and identity, trusting the server's certificate.
  const r = await init("site", ["--server-ca", join(dir, "cs", "esol-server-cert.pem")]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  initOut = r.stdout;
  // 3. The operator restarts on the same address, pinning the proxy certificate init wrote.
  const port = new URL(serverUrl).port;
  const pinned = esol([
    "server",
    "--port",
    port,
    "--db",
    join(dir, "cs", "cs.db"),
    "--trust",
    join(dir, "site", "keys", "proxy-cert.pem"),
  ]);
  expect((await waitForLine(pinned, "listening ")).trim()).toBe(`listening ${serverUrl}`);
});

afterAll(async () => {
  await Promise.all(running.map((p) => stopped(p)));
  rmSync(dir, { recursive: true, force: true });
});

describe("first run: esol init, esol agent check, esol agent --http", () => {
  it("esol init writes agent.json and a 0600 ECDSA key, prints the thumbprint, and never overwrites", async () => {
    const cert = new X509Certificate(readFileSync(join(dir, "site", "keys", "proxy-cert.pem")));
    expect(cert.publicKey.asymmetricKeyType).toBe("ec");
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(statSync(join(dir, "site", "keys", "proxy-key.pem")).mode & 0o777).toBe(0o600);
    expect(initOut).toContain(`\nthumbprint sha256 ${cert.fingerprint256}\n`);
    expect(initOut).toMatch(/^Send to the server operator:$/m);
    expect(initOut).toContain(`esol agent check --config ${join(dir, "site", "agent.json")}`);
    const config = JSON.parse(readFileSync(join(dir, "site", "agent.json"), "utf8"));
    expect(config).toMatchObject({
      proxy: { id: "proxy-first-run" },
      server: { url: serverUrl, ca: "./keys/server-ca.pem" },
      security: { key: "./keys/proxy-key.pem", cert: "./keys/proxy-cert.pem" },
      devices: {
        targets: [`127.0.0.1:${simRange}`],
        profiles: [{ credentials: [{ version: "v2c", community: "public" }] }],
      },
      outbox: { path: "./esol-agent.db" },
    });
    const again = await init("site", ["--server-ca", join(dir, "cs", "esol-server-cert.pem")]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(
      /^error FILE_EXISTS: .*agent\.json, .*proxy-key\.pem, .*proxy-cert\.pem, .*server-ca\.pem already exist; nothing was written/m,
    );
    // The identity is untouched: the thumbprint still matches what the first init printed.
    const thumb = readFileSync(join(dir, "site", "keys", "proxy-cert.pem"), "utf8");
    expect(new X509Certificate(thumb).fingerprint256).toBe(cert.fingerprint256);
  });

  it("esol agent check passes every check of a fresh init, one line each", async () => {
    const r = await check("site");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.map((l) => l.split(":")[0])).toEqual([
      "ok   config",
      "ok   key",
      "ok   server",
      "ok   signature",
      `ok   snmp 127.0.0.1`,
      "all checks passed",
    ]);
    expect(r.stdout).toMatch(
      /^ok {3}signature: signed Sync accepted; proxy proxy-first-run is not registered yet/m,
    );
    expect(r.stdout).toMatch(new RegExp(`^ok {3}snmp 127\\.0\\.0\\.1:${simRange}: 3/3 answered`, "m"));
  });

  it("esol agent check names each broken thing: wrong key, untrusted server, wrong community, refused signature", async () => {
    // Wrong key: the key no longer belongs to the certificate.
    cpSync(join(dir, "site"), join(dir, "wrong-key"), { recursive: true });
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    writeFileSync(
      join(dir, "wrong-key", "keys", "proxy-key.pem"),
      privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    );
    const [untrusted, community, refused] = await Promise.all([
      init("untrusted"), // no --server-ca: the self-signed server certificate is not trusted
      init("community", ["--server-ca", join(dir, "cs", "esol-server-cert.pem"), "--community", "wrong"]),
      init("refused", ["--server-ca", join(dir, "cs", "esol-server-cert.pem")]), // a new key the server never pinned
    ]);
    for (const r of [untrusted, community, refused]) expect(r.code).toBe(0);
    // Same identity as the site the server pinned: only the community is wrong.
    for (const f of ["proxy-key.pem", "proxy-cert.pem"])
      cpSync(join(dir, "site", "keys", f), join(dir, "community", "keys", f));
    const [wrongKey, noTrust, badCommunity, badSignature] = await Promise.all([
      check("wrong-key"),
      check("untrusted"),
      check("community"),
      check("refused"),
    ]);

    expect(wrongKey.code).not.toBe(0);
    expect(wrongKey.stdout).toMatch(/^FAIL key: security\.key does not belong to security\.cert/m);
    expect(wrongKey.stdout).toMatch(/^skip signature: the key or certificate is broken/m);
    expect(wrongKey.stderr).toMatch(/^error CHECK_FAILED: 1 check\(s\) failed: key$/m);

    expect(noTrust.code).not.toBe(0);
    expect(noTrust.stdout).toMatch(
      /^FAIL server: 127\.0\.0\.1:\d+: [A-Z_]+: .*\(the server's certificate is not trusted by the system CA store\)$/m,
    );
    expect(noTrust.stdout).toMatch(/^skip signature: the server is not reachable with the configured trust/m);
    expect(noTrust.stdout).toMatch(/^ok {3}snmp /m);

    expect(badCommunity.code).not.toBe(0);
    const [p1, p3] = simRange.split("-").map(Number) as [number, number];
    const silent = Array.from({ length: p3 - p1 + 1 }, (_, i) => `127.0.0.1:${p1 + i}`);
    const line = badCommunity.stdout.split("\n").find((l) => l.startsWith("FAIL snmp")) ?? "";
    expect(line).toMatch(/^FAIL snmp 127\.0\.0\.1:\d+-\d+: 0\/3 answered; timed out \(SNMP_TIMEOUT/);
    for (const t of silent) expect(line).toContain(t);
    expect(line).toMatch(/credentials: v2c community\)/);
    expect(line).not.toContain('"wrong"'); // the community string itself is never printed
    expect(badCommunity.stdout).toMatch(/^ok {3}signature: /m);

    expect(badSignature.code).not.toBe(0);
    expect(badSignature.stdout).toMatch(/^ok {3}key: /m);
    expect(badSignature.stdout).toMatch(
      /^FAIL signature: the server refused the signed Sync: WSS_UNTRUSTED_KEY: the server refused the request: the embedded certificate is not trusted — this client signs with "CN=proxy-first-run", SHA-256 [0-9A-F:]{95}: ask the server's operator to trust this certificate/m,
    );
    expect(badSignature.stderr).toMatch(/^error CHECK_FAILED: 1 check\(s\) failed: signature$/m);
  });

  it("esol agent --http 127.0.0.1:0 prints its address and `started`, and its /metrics agree with esol agent status", async () => {
    const agent = esol(["agent", "--config", join(dir, "site", "agent.json"), "--http", "127.0.0.1:0"]);
    const httpLine = await waitForLine(agent, "http ");
    expect(httpLine).toMatch(/^http http:\/\/127\.0\.0\.1:\d+$/);
    const base = httpLine.slice("http ".length).trim();
    expect(await waitForLine(agent, "started ")).toMatch(/^started proxy-first-run /);
    await waitForLine(agent, "sync ");

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toMatch(/^ok: last successful sync /);
    const families = parsePrometheusTextFormat(await (await fetch(`${base}/metrics`)).text());
    const value = (name: string, labels: Record<string, string> = {}): number =>
      Number(
        families
          .find((f) => f.name === name)
          ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value,
      );
    const statusJson = await (await fetch(`${base}/status.json`)).json();

    const status = await run(["agent", "status", "--config", join(dir, "site", "agent.json")]);
    expect(status.code).toBe(0);
    const printed = JSON.parse(status.stdout);
    expect(printed.registered).toBe(true);
    for (const state of ["pending", "sent", "parked", "quarantined"])
      expect(value("esol_agent_outbox_entries", { state })).toBe(printed.counts[state]);
    expect(value("esol_agent_last_sync_success_timestamp_seconds")).toBe(
      Date.parse(printed.lastSyncAt) / 1000,
    );
    expect(value("esol_agent_devices", { state: "ok" })).toBe(3);
    expect(value("esol_agent_readings_committed_total")).toBe(3);
    expect(value("esol_agent_bytes_sent_total", { operation: "RegisterProxy" })).toBeGreaterThan(0);
    // /status.json is what `esol agent status` prints, plus the running agent's devices.
    expect(statusJson).toMatchObject(printed);
    expect(statusJson.devices).toHaveLength(3);

    expect(await stopped(agent)).toBe(0);
    const exported = JSON.parse((await run(["server", "export", "--db", join(dir, "cs", "cs.db")])).stdout);
    expect(exported.devices).toHaveLength(3);
  });
});
