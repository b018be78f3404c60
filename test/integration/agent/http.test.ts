import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import parsePrometheusTextFormat, { type PrometheusFamily } from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Agent } from "../../../src/agent/agent.js";
import { agentMetrics, observeReader } from "../../../src/agent/metrics.js";
import type { PolledReading } from "../../../src/agent/readings.js";
import { type DeviceStatusRow, outboxStatusReport } from "../../../src/agent/status-report.js";
import { PrinterReader } from "../../../src/snmp/reader.js";
import { type SilentTarget, silentUdpTarget } from "../../helpers/silent.js";
import { createWorld, type World } from "./harness.js";

const HOUR = 3_600_000;

let world: World;
let agent: Agent;
let http: Server;
let base: string;
let silent: SilentTarget;
/** Bytes per operation as the client's own exchange records count them. */
const wire = new Map<string, { sent: number; received: number }>();

async function get(path: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.text() };
}

function sample(families: PrometheusFamily[], name: string, labels: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  if (!family) throw new Error(`no metric ${name}`);
  const s = family.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (!s?.value) throw new Error(`no sample ${name} ${JSON.stringify(labels)}`);
  return Number(s.value);
}

beforeAll(async () => {
  // The library's default signature policy is not this suite's subject: say which one we use.
  world = await createWorld({ devices: 3, server: { signaturePolicy: "optional" } });
  silent = await silentUdpTarget();
  const d = world.config.devices;
  let metrics: ReturnType<typeof agentMetrics> | undefined;
  const reader = observeReader(
    new PrinterReader({ profiles: d.profiles, timeoutMs: d.timeoutMs, retries: d.retries }),
    (err) => metrics?.observeRead(err),
  );
  agent = world.agent({ autoSchedule: false, reader }, (raw) => {
    (raw.devices as { targets: string[] }).targets.push(silent.target);
    raw.health = { maxSyncAge: "6h" };
  });
  metrics = agentMetrics(agent);
  agent.on("exchange", (x) => {
    const b = wire.get(x.operation) ?? { sent: 0, received: 0 };
    wire.set(x.operation, { sent: b.sent + x.requestBytes, received: b.received + x.responseBytes });
  });
  // Mounted the way an embedder would: the handler in their own node http server.
  http = createServer(agent.httpHandler());
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  http?.closeAllConnections();
  await new Promise((resolve) => http?.close(resolve));
  await world?.close();
  await silent?.close();
});

describe("agent HTTP surface (/healthz, /metrics, /status.json, /)", () => {
  it("answers 503 while the agent is not running", async () => {
    const r = await get("/healthz");
    expect(r.status).toBe(503);
    expect(r.body).toBe("the agent is not running\n");
  });

  it("answers /healthz 503 before the first sync, then 200 with the age of the last sync", async () => {
    await agent.start();
    const before = await get("/healthz");
    expect(before.status).toBe(503);
    expect(before.body).toMatch(/^no successful sync yet/);
    const poll = await agent.pollNow();
    expect(poll.read).toBe(3);
    await agent.syncNow();
    await world.clock.advance(90_000);
    const after = await get("/healthz");
    expect(after.status).toBe(200);
    expect(after.body).toMatch(/^ok: last successful sync 1m30s ago/);
  });

  it("serves /metrics in the Prometheus text format, agreeing with agent.status() and the status report", async () => {
    const r = await get("/metrics");
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusTextFormat(r.body);
    const status = agent.status();
    const report = outboxStatusReport(agent.outbox, agent.config);
    expect(sample(families, "esol_agent_up")).toBe(1);
    expect(sample(families, "esol_agent_polls_total")).toBe(1);
    expect(sample(families, "esol_agent_readings_committed_total")).toBe(3);
    expect(sample(families, "esol_agent_poll_targets_failed_total")).toBe(1);
    expect(sample(families, "esol_agent_snmp_errors_total", { code: "SNMP_TIMEOUT" })).toBe(1);
    expect(sample(families, "esol_agent_devices", { state: "ok" })).toBe(
      status.devices.filter((d) => d.state === "ok").length,
    );
    expect(sample(families, "esol_agent_devices", { state: "silent" })).toBe(0);
    for (const state of ["pending", "sent", "parked", "quarantined"] as const) {
      expect(sample(families, "esol_agent_outbox_entries", { state })).toBe(status.outbox[state]);
      expect(sample(families, "esol_agent_outbox_entries", { state })).toBe(report.counts[state]);
    }
    expect(sample(families, "esol_agent_last_sync_success_timestamp_seconds")).toBe(
      (status.lastSyncAtMs as number) / 1000,
    );
    expect(Date.parse(report.lastSyncAt as string) / 1000).toBe(
      sample(families, "esol_agent_last_sync_success_timestamp_seconds"),
    );
    expect(
      sample(families, "esol_agent_deliveries_total", { kind: "register-devices", result: "sent" }),
    ).toBe(1);
    expect(
      sample(families, "esol_agent_records_acknowledged_total", {
        kind: "register-devices",
        result: "accepted",
      }),
    ).toBe(3);
    expect(sample(families, "esol_agent_exchanges_total", { operation: "Sync", result: "ok" })).toBe(1);
    expect([...wire.keys()].sort()).toEqual(["RegisterDevices", "RegisterProxy", "ReportSyncStatus", "Sync"]);
    for (const [operation, bytes] of wire) {
      expect(bytes.sent).toBeGreaterThan(0);
      expect(sample(families, "esol_agent_bytes_sent_total", { operation })).toBe(bytes.sent);
      expect(sample(families, "esol_agent_bytes_received_total", { operation })).toBe(bytes.received);
    }
    for (const d of status.devices)
      expect(sample(families, "esol_agent_device_last_read_age_seconds", { serial: d.serial })).toBe(
        (world.clock.now() - (d.lastOkAtMs as number)) / 1000,
      );
  });

  it("serves /status.json: the status report plus one row per device with meters and supplies", async () => {
    const r = await get("/status.json");
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body);
    const report = outboxStatusReport(agent.outbox, agent.config);
    expect(body).toMatchObject({ ...report, proxyId: "proxy-it-1", running: true });
    expect(body.devices.map((d: { serial: string }) => d.serial).sort()).toEqual(
      agent
        .status()
        .devices.map((d) => d.serial)
        .sort(),
    );
    for (const d of body.devices) {
      expect(d.state).toBe("ok");
      expect(d.meters.length).toBeGreaterThan(0);
      expect(d.supplyLevels.length).toBeGreaterThan(0);
    }
    expect((await get("/nope")).status).toBe(404);
  });

  it("serves /status.json compact by default and indented with ?pretty, the same keys and values", async () => {
    const compact = await get("/status.json");
    const pretty = await get("/status.json?pretty");
    expect(compact.status).toBe(200);
    expect(pretty.status).toBe(200);
    expect(compact.body).not.toContain("\n  ");
    expect(compact.body.endsWith("}\n")).toBe(true);
    expect(pretty.body).toContain('\n  "proxyId": "proxy-it-1"');
    // The agent's clock does not move between the two requests: the same report.
    expect(JSON.parse(compact.body)).toEqual(JSON.parse(pretty.body));
    expect(compact.body.length).toBeLessThan(pretty.body.length);
  });

  it("flips /healthz to 503 when the server has been down longer than the threshold, and back once a sync succeeds", async () => {
    await world.server.close();
    await world.clock.advance(5 * HOUR);
    await expect(agent.syncNow()).rejects.toMatchObject({ code: expect.any(String) });
    // Down 5 h, threshold 6 h: still healthy.
    expect((await get("/healthz")).status).toBe(200);
    await world.clock.advance(HOUR + 60_000);
    await expect(agent.syncNow()).rejects.toMatchObject({ code: expect.any(String) });
    const down = await get("/healthz");
    expect(down.status).toBe(503);
    expect(down.body).toMatch(/^last successful sync 6h2m30s ago \(.*\), more than 6h/);
    await world.server.start(); // same port: the server keeps its ephemeral port across restarts
    await agent.syncNow();
    const up = await get("/healthz");
    expect(up.status).toBe(200);
    expect(up.body).toMatch(/^ok: last successful sync 0s ago/);
  });

  const chromium = "/usr/bin/chromium";
  it.skipIf(!existsSync(chromium))(
    "renders the status page in headless Chromium: alarms on top, one card per device with meters and supply bars",
    async () => {
      await world.server.close();
      await world.clock.advance(7 * HOUR);
      await expect(agent.syncNow()).rejects.toMatchObject({ code: expect.any(String) });
      const page = await get("/");
      expect(page.status).toBe(200);
      expect(page.type).toBe("text/html; charset=utf-8");
      // No script and no external asset: everything the page needs is in it.
      expect(page.body).not.toMatch(/<script|<link|src=|url\(/i);
      mkdirSync(".tmp", { recursive: true });
      const profile = mkdtempSync(join(".tmp", "chromium-profile-"));
      const flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        `--user-data-dir=${profile}`,
      ];
      const run = promisify(execFile);
      try {
        const { stdout: dom } = await run(chromium, [...flags, "--dump-dom", `${base}/`], {
          timeout: 60_000,
          maxBuffer: 16 * 1024 * 1024,
        });
        const doc = dom.replace(/\s+/g, " ");
        // The alarms section comes first and says why the agent is unhealthy.
        expect(doc.indexOf('class="alarms"')).toBeGreaterThan(0);
        expect(doc.indexOf('class="alarms"')).toBeLessThan(doc.indexOf('id="summary"'));
        expect(doc).toMatch(/<li>Health check failing: last successful sync 7h ago \(.*\), more than 6h/);
        const cards = [...doc.matchAll(/<article class="device state-ok" data-serial="([^"]+)"/g)].map(
          (m) => m[1],
        );
        expect(cards.sort()).toEqual(
          agent
            .status()
            .devices.map((d) => d.serial)
            .sort(),
        );
        expect(doc.match(/<meter /g)?.length ?? 0).toBeGreaterThanOrEqual(3);
        expect(doc).toMatch(/<b id="pending">0<\/b>/);
        await run(
          chromium,
          [...flags, "--window-size=1200,1400", "--screenshot=.tmp/agent-status-page.png", `${base}/`],
          {
            timeout: 60_000,
          },
        );
        await run(
          chromium,
          [...flags, "--window-size=390,1600", "--screenshot=.tmp/agent-status-page-phone.png", `${base}/`],
          {
            timeout: 60_000,
          },
        );
        expect(existsSync(".tmp/agent-status-page.png")).toBe(true);
      } finally {
        rmSync(profile, { recursive: true, force: true });
        await world.server.start();
      }
    },
  );

  it("serves each device's newest reading after every poll: readings kept between requests never outlive a poll", async () => {
    const rows = async () =>
      (JSON.parse((await get("/status.json")).body) as { devices: DeviceStatusRow[] }).devices;
    const newest = (serial: string) => {
      const latest = agent.outbox.latestReading(serial);
      return {
        readAtMs: latest?.readAtMs,
        meters: (latest?.reading as PolledReading | undefined)?.meters ?? [],
      };
    };
    const check = (served: DeviceStatusRow[]) => {
      expect(served.length).toBe(3);
      for (const row of served) {
        const n = newest(row.serial);
        expect(Date.parse(row.lastReadAt as string)).toBe(n.readAtMs);
        expect(row.meters).toEqual(
          n.meters.map((m) => ({ name: m.name, value: m.value, ...(m.unit ? { unit: m.unit } : {}) })),
        );
      }
    };
    check(await rows());
    // Twice in a row: the second answer comes from the kept readings, and agrees.
    const kept = await rows();
    check(kept);
    await world.clock.advance(6 * HOUR); // the simulated printers print meanwhile
    const poll = await agent.pollNow();
    expect(poll.read).toBe(3);
    const fresh = await rows();
    check(fresh);
    const life = (r: DeviceStatusRow[]) =>
      r
        .map((d) => d.meters.find((m) => m.name === "Marker Life Count")?.value ?? 0)
        .reduce((a, b) => a + b, 0);
    expect(life(fresh)).toBeGreaterThanOrEqual(life(kept));
    expect(fresh.map((d) => d.lastReadAt)).not.toEqual(kept.map((d) => d.lastReadAt));
  });
});
