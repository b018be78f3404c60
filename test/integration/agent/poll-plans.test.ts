import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { Agent } from "../../../src/agent/agent.js";
import { type ByteCountingRelay, startUdpRelay } from "../../../src/impact/relay.js";
import { createWorld, type World } from "./harness.js";

// The agent keeps each device's poll plan in its SQLite file: polls after the first are one GET
// per device, across restarts; billing requests reuse a recent reading or read only the meters.
// Every printer sits behind a byte-counting UDP relay, so what is counted is what crossed the wire.

let world: World | undefined;
let relays: ByteCountingRelay[] = [];
afterEach(async () => {
  await Promise.all(relays.map((r) => r.close()));
  relays = [];
  await world?.close();
  world = undefined;
});

interface Logged {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

function recorder(lines: Logged[]) {
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, obj: obj as Record<string, unknown>, msg });
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/**
 * For each commit holding a billing read, the SNMP datagrams the relays carried since the last
 * poll: 0 when the billing read was made from the poll's reading, more when it read the device.
 */
function billingReadDatagrams(agent: Agent, wire: () => { datagrams: number }): number[] {
  const counts: number[] = [];
  let lastPollWire = 0;
  agent.on("poll", () => {
    lastPollWire = wire().datagrams;
  });
  agent.on("committed", (e) => {
    if (e.entries.some((x) => x.kind === "billing-read")) counts.push(wire().datagrams - lastPollWire);
  });
  return counts;
}

async function relayedWorld(devices: number, schedule: Record<string, string> = {}) {
  world = await createWorld({ devices, seed: 5, schedule });
  for (const d of world.fleet.devices) relays.push(await startUdpRelay({ targetPort: d.port }));
  const targets = relays.map((r) => `127.0.0.1:${r.port}`);
  const wire = () =>
    relays.reduce(
      (a, r) => {
        const c = r.count();
        return { bytes: a.bytes + c.upBytes + c.downBytes, datagrams: a.datagrams + c.units };
      },
      { bytes: 0, datagrams: 0 },
    );
  const patch = (raw: Record<string, Record<string, unknown>>) => {
    (raw.devices as Record<string, unknown>).targets = targets;
  };
  return { w: world, wire, patch };
}

describe("the agent's poll plans", () => {
  it("survive a restart: the restarted agent's poll is one GET per device, at most a quarter of the first poll's bytes", async () => {
    const { w, wire, patch } = await relayedWorld(5);
    const first = w.agent({ autoSchedule: false }, patch);
    await first.start();
    const a0 = wire();
    await first.pollNow();
    const a1 = wire();
    await first.stop();
    await w.clock.advance(2 * 3_600_000);
    const lines: Logged[] = [];
    const second = w.agent({ autoSchedule: false, logger: recorder(lines) }, patch);
    await second.start();
    const summary = await second.pollNow();
    const a2 = wire();
    expect(summary.read).toBe(5);
    // One request and one answer per device.
    expect(a2.datagrams - a1.datagrams).toBe(2 * 5);
    expect(a2.bytes - a1.bytes).toBeLessThanOrEqual(0.25 * (a1.bytes - a0.bytes));
    expect(lines.filter((l) => l.msg?.includes("full reading"))).toEqual([]);
    // The readings are committed as before: the newest of each device is this poll's.
    for (const d of w.fleet.devices) {
      const latest = second.outbox.latestReading(d.serial ?? "");
      expect(latest?.readAtMs).toBe(summary.atMs);
      const reading = latest?.reading as { meters: { name: string; value: number }[] } | undefined;
      const life = reading?.meters.find((m) => m.name === "Marker Life Count");
      expect(life?.value).toBe(d.truth()?.lifeCount);
    }
  });

  it("fall back to a full reading with a log line when the stored plan is of an older SDK or corrupt", async () => {
    const { w, wire, patch } = await relayedWorld(2);
    const first = w.agent({ autoSchedule: false }, patch);
    await first.start();
    await first.pollNow();
    await first.stop();
    const db = new Database(w.config.outbox.path);
    const serials = (
      db.prepare("SELECT serial FROM devices ORDER BY serial").all() as { serial: string }[]
    ).map((r) => r.serial);
    expect(serials).toHaveLength(2);
    const plan = (
      db.prepare("SELECT poll_plan FROM devices WHERE serial = ?").get(serials[0]) as { poll_plan: string }
    ).poll_plan;
    db.prepare("UPDATE devices SET poll_plan = ? WHERE serial = ?").run(
      JSON.stringify({ ...JSON.parse(plan), version: 0 }),
      serials[0],
    );
    db.prepare("UPDATE devices SET poll_plan = ? WHERE serial = ?").run("{not json", serials[1]);
    db.close();
    const lines: Logged[] = [];
    const second = w.agent({ autoSchedule: false, logger: recorder(lines) }, patch);
    await second.start();
    const before = wire();
    await second.pollNow();
    const full = wire().datagrams - before.datagrams;
    const unusable = lines.filter(
      (l) => l.level === "warn" && l.msg === "stored poll plan unusable; full reading",
    );
    expect(unusable.map((l) => l.obj.reason).sort()).toEqual(["planCorrupt", "planVersion"]);
    expect(full).toBeGreaterThan(2 * 2);
    // The full readings stored fresh plans: the next poll is steady again.
    const again = wire();
    await second.pollNow();
    expect(wire().datagrams - again.datagrams).toBe(2 * 2);
  });

  it("are counted in the poll summary and its `poll done` log line: devices read steady vs full", async () => {
    const { w, patch } = await relayedWorld(3);
    const lines: Logged[] = [];
    const agent = w.agent({ autoSchedule: false, logger: recorder(lines) }, patch);
    await agent.start();
    const first = await agent.pollNow();
    expect([first.read, first.full, first.steady]).toEqual([3, 3, 0]);
    await w.clock.advance(2 * 3_600_000);
    const second = await agent.pollNow();
    expect([second.read, second.full, second.steady]).toEqual([3, 0, 3]);
    expect(agent.status().lastPoll).toMatchObject({ steady: 3, full: 0 });
    const done = lines
      .filter((l) => l.msg === "poll done")
      .map((l) => [l.obj.read, l.obj.full, l.obj.steady]);
    expect(done).toEqual([
      [3, 3, 0],
      [3, 0, 3],
    ]);
  });

  it("answer a billing request right after a poll from that poll's reading, without another SNMP read", async () => {
    const { w, wire, patch } = await relayedWorld(3, { pollInterval: "2h" });
    const agent = w.agent({}, patch);
    const billingWire = billingReadDatagrams(agent, wire);
    await agent.start();
    await w.clock.advanceTo(w.clock.now() + 2 * 86_400_000);
    const reads = w.server.exportStore().billingReads;
    expect(reads.length).toBeGreaterThanOrEqual(3);
    expect(billingWire.length).toBeGreaterThan(0);
    expect(billingWire.every((n) => n === 0)).toBe(true);
  });

  it("read only the billing meters for a billing request when the newest reading is too old", async () => {
    const { w, wire, patch } = await relayedWorld(3, { pollInterval: "1d", billingReadMaxAge: "1ms" });
    const agent = w.agent({}, patch);
    const billingWire = billingReadDatagrams(agent, wire);
    await agent.start();
    await w.clock.advanceTo(w.clock.now() + 2 * 86_400_000);
    expect(w.server.exportStore().billingReads.length).toBeGreaterThanOrEqual(3);
    // One GET of the meters per device, not a full reading.
    expect(billingWire).toContain(2 * 3);
  });
});
