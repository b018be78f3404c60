import { afterEach, describe, expect, it } from "vitest";
import type { AgentAlarm } from "../../../src/agent/alarms.js";
import { agentHealth, agentStatusReport } from "../../../src/agent/http.js";
import { agentMetrics } from "../../../src/agent/metrics.js";
import { renderStatusPage } from "../../../src/agent/status-page.js";
import { type PrinterFleet, SimClock, simScenario, startFleet } from "../../../src/sim/index.js";
import { createWorld, T0, type World } from "./harness.js";

let world: World | undefined;
let extraFleet: PrinterFleet | undefined;
afterEach(async () => {
  await extraFleet?.close();
  extraFleet = undefined;
  await world?.close();
  world = undefined;
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function gauge(text: string, kind: string): number {
  const m = text.match(new RegExp(`^esol_agent_alarms\\{kind="${kind}"\\} (\\d+)$`, "m"));
  if (!m) throw new Error(`no esol_agent_alarms sample for ${kind}`);
  return Number(m[1]);
}

describe("Agent alarms", () => {
  it("raises communication-lost once after 26 h without a sync, and clears it when the server is back", async () => {
    world = await createWorld({ devices: 2 });
    const agent = world.agent();
    const metrics = agentMetrics(agent);
    const raised: AgentAlarm[] = [];
    const cleared: AgentAlarm[] = [];
    agent.on("alarm", (a) => raised.push(a));
    agent.on("alarm-cleared", (a) => cleared.push(a));
    await agent.start();
    await world.clock.advanceTo(T0 + 2 * HOUR);
    const lastSync = agent.status().lastSyncAtMs as number;
    expect(lastSync).toBeGreaterThanOrEqual(T0);
    expect(raised).toEqual([]);

    await world.server.close();
    await world.clock.advanceTo(lastSync + 26 * HOUR - 1);
    expect(raised.filter((a) => a.kind === "communication-lost")).toEqual([]);
    await world.clock.advanceTo(T0 + 2 * HOUR + 27 * HOUR);
    const lost = raised.filter((a) => a.kind === "communication-lost");
    expect(lost).toHaveLength(1);
    expect(lost[0]?.raisedAtMs).toBe(lastSync + 26 * HOUR);
    expect(lost[0]?.message).toMatch(/no successful sync for/);
    expect(agent.status().alarms.map((a) => a.kind)).toContain("communication-lost");
    expect(gauge(await metrics.text(), "communication-lost")).toBe(1);
    const page = renderStatusPage(agentStatusReport(agent), agentHealth(agent, 30 * HOUR));
    expect(page).toContain("communication-lost: no successful sync for");
    // Still down: announced once, not at every retry or poll.
    await world.clock.advance(DAY);
    expect(raised.filter((a) => a.kind === "communication-lost")).toHaveLength(1);

    await world.server.start();
    await world.clock.advance(DAY);
    expect(cleared.map((a) => a.kind)).toEqual(["communication-lost"]);
    expect(agent.status().alarms).toEqual([]);
    expect(gauge(await metrics.text(), "communication-lost")).toBe(0);
  });

  it("raises device-silent for a device that stops answering, once, and clears it when it answers again", async () => {
    world = await createWorld({ devices: 3 });
    const agent = world.agent();
    const raised: AgentAlarm[] = [];
    const cleared: AgentAlarm[] = [];
    agent.on("alarm", (a) => raised.push(a));
    agent.on("alarm-cleared", (a) => cleared.push(a));
    await agent.start();
    await world.clock.advanceTo(T0 + 2 * HOUR);
    expect(raised).toEqual([]);

    // Device 2 stops answering: restart the fleet (same seed, ports and clock) with it timing out.
    await world.fleet.close();
    extraFleet = await startFleet(
      { count: 3, seed: 7 },
      { basePort: world.fleet.firstPort, clock: world.simClock, faults: new Map([[2, { timeout: true }]]) },
    );
    const silentSerial = world.fleet.devices[2]?.serial as string;
    await world.clock.advance(3 * DAY);
    const silent = raised.filter((a) => a.kind === "device-silent");
    expect(silent.map((a) => a.serial)).toEqual([silentSerial]);
    expect(silent[0]?.id).toBe(`device-silent:${silentSerial}`);
    expect(agent.status().alarms.map((a) => a.id)).toEqual([`device-silent:${silentSerial}`]);

    // It answers again.
    await extraFleet.close();
    extraFleet = await startFleet(
      { count: 3, seed: 7 },
      { basePort: world.fleet.firstPort, clock: world.simClock },
    );
    await world.clock.advance(DAY);
    expect(cleared.map((a) => a.id)).toEqual([`device-silent:${silentSerial}`]);
    expect(agent.status().alarms).toEqual([]);
  });

  it("raises meter-regressed when a device's meters go down under the same serial, and not for the others", async () => {
    world = await createWorld({ devices: 2 });
    const agent = world.agent();
    const raised: AgentAlarm[] = [];
    agent.on("alarm", (a) => raised.push(a));
    await agent.start();
    await world.clock.advanceTo(T0 + 3 * DAY);
    expect(raised).toEqual([]);
    const serials = world.fleet.devices.map((d) => d.serial).sort();

    // The same fleet (seed, serials, ports) restarted on a clock whose life begins now: every
    // meter reads its first-day value again, lower than three days of printing.
    const fresh = world.clock.now();
    await world.fleet.close();
    extraFleet = await startFleet(
      { count: 2, seed: 7 },
      {
        basePort: world.fleet.firstPort,
        clock: new SimClock({ rate: 1, startMs: fresh, realNow: () => world!.clock.now() }),
      },
    );
    expect(extraFleet.devices.map((d) => d.serial).sort()).toEqual(serials);
    await world.clock.advance(DAY);
    const regressed = raised.filter((a) => a.kind === "meter-regressed");
    expect(regressed.map((a) => a.serial).sort()).toEqual(serials);
    expect(regressed[0]?.message).toMatch(/ < \d+/);
    expect(raised.filter((a) => a.kind !== "meter-regressed")).toEqual([]);
    // Announced once while the meters stay below their earlier values.
    await world.clock.advance(DAY);
    expect(raised.filter((a) => a.kind === "meter-regressed")).toHaveLength(2);
  });

  it("raises device-replaced when the serial-swap scenario puts another printer at a known address", async () => {
    const scenario = simScenario("serial-swap", { count: 3, device: 1, swapAfterMs: 2 * DAY + HOUR });
    world = await createWorld({
      devices: scenario.source.count,
      seed: scenario.source.seed,
      fleet: { faults: scenario.faults },
    });
    const agent = world.agent();
    const metrics = agentMetrics(agent);
    const raised: AgentAlarm[] = [];
    agent.on("alarm", (a) => raised.push(a));
    await agent.start();
    const original = world.fleet.devices[1]?.serial as string;
    const address = `127.0.0.1:${world.fleet.devices[1]?.port}`;
    await world.clock.advanceTo(T0 + 2 * DAY);
    expect(raised).toEqual([]);

    await world.clock.advanceTo(T0 + 4 * DAY);
    const successor = world.fleet.devices[1]?.serial as string;
    expect(successor).not.toBe(original);
    const replaced = raised.filter((a) => a.kind === "device-replaced");
    expect(replaced).toHaveLength(1);
    expect(replaced[0]).toMatchObject({ id: `device-replaced:${original}`, serial: original, address });
    expect(replaced[0]?.raisedAtMs).toBeGreaterThan(T0 + 2 * DAY + HOUR);
    expect(replaced[0]?.raisedAtMs).toBeLessThanOrEqual(T0 + 3 * DAY + HOUR);
    expect(raised.filter((a) => a.kind !== "device-replaced")).toEqual([]);
    expect(agent.status().alarms.map((a) => a.id)).toEqual([`device-replaced:${original}`]);
    expect(gauge(await metrics.text(), "device-replaced")).toBe(1);
    // The server learned the swap from the agent's sync, not from the test.
    const exported = world.server.exportStore();
    expect(exported.devices.find((d) => d.serial === original)?.state).toBe("replaced");
    expect(exported.devices.find((d) => d.serial === successor)).toBeDefined();
  });

  it("raises device-not-billable for the no-serial scenario's device, keyed by its address, and bills the others", async () => {
    const scenario = simScenario("no-serial", { count: 3, device: 2 });
    world = await createWorld({
      devices: scenario.source.count,
      seed: scenario.source.seed,
      fleet: { faults: scenario.faults },
    });
    expect(world.fleet.devices[2]?.serial).toBeUndefined();
    const agent = world.agent();
    const metrics = agentMetrics(agent);
    const raised: AgentAlarm[] = [];
    agent.on("alarm", (a) => raised.push(a));
    await agent.start();
    await world.clock.advanceTo(T0 + 2 * DAY);

    const target = `127.0.0.1:${world.fleet.devices[2]?.port}`;
    expect(raised.map((a) => a.id)).toEqual([`device-not-billable:${target}`]);
    expect(raised[0]?.address).toBe(target);
    expect(raised[0]?.serial).toBeUndefined();
    expect(raised[0]?.message).toContain("reports no serial number");
    expect(agent.status().lastPoll?.failures.map((f) => [f.target, f.code])).toEqual([
      [target, "SNMP_NO_SERIAL"],
    ]);
    expect(gauge(await metrics.text(), "device-not-billable")).toBe(1);
    const page = renderStatusPage(agentStatusReport(agent), agentHealth(agent, 30 * HOUR));
    expect(page).toContain(`device-not-billable: the device at ${target}`);
    // Still without a serial at the next polls: announced once.
    await world.clock.advance(2 * DAY);
    expect(raised).toHaveLength(1);
    // The other two are registered and known; the device without a serial is not.
    expect(
      world.server
        .exportStore()
        .devices.map((d) => d.serial)
        .sort(),
    ).toEqual([world.fleet.devices[0]?.serial, world.fleet.devices[1]?.serial].sort());
  });

  it("raises storage-nearly-full when the outbox-near-limit scenario's readings pile up with the server down, and clears it once delivered", async () => {
    const scenario = simScenario("outbox-near-limit", { count: 4 });
    const side = scenario.agentSide;
    const maxEntries = side.outboxMaxEntries as number;
    world = await createWorld({ devices: scenario.source.count, seed: scenario.source.seed });
    const agent = world.agent({}, (raw) => {
      raw.outbox = { ...raw.outbox, maxEntries };
    });
    expect(agent.config.outbox.maxEntries).toBe(maxEntries);
    const raised: AgentAlarm[] = [];
    const cleared: AgentAlarm[] = [];
    agent.on("alarm", (a) => raised.push(a));
    agent.on("alarm-cleared", (a) => cleared.push(a));
    await agent.start();
    await world.clock.advanceTo(T0 + 2 * HOUR);
    const firstSync = agent.status().lastSyncAtMs as number;
    expect(firstSync).toBeGreaterThanOrEqual(T0);
    await world.clock.advanceTo(firstSync + (side.serverDownAfterFirstSyncMs as number));
    expect(raised).toEqual([]);

    await world.server.close();
    const downAt = world.clock.now();
    const unsent = (): number => agent.status().outbox.pending + agent.status().outbox.parked;
    const unsentAtDown = unsent();
    // Day by day (bounded): the readings of healthy, printing devices pile up undelivered.
    for (let day = 0; day < 10 && !raised.some((a) => a.kind === "storage-nearly-full"); day++)
      await world.clock.advance(DAY);
    const full = raised.find((a) => a.kind === "storage-nearly-full");
    expect(full).toBeDefined();
    expect((full?.raisedAtMs as number) - downAt).toBeLessThanOrEqual(side.nearlyFullWithinMs as number);
    expect(unsent()).toBeGreaterThan(unsentAtDown);
    expect(unsent()).toBeGreaterThanOrEqual(0.8 * maxEntries);
    expect(unsent()).toBeLessThan(maxEntries);
    expect(full?.message).toMatch(new RegExp(`: \\d+ of ${maxEntries} unsent entries`));
    expect(agent.status().alarms.map((a) => a.kind)).toContain("storage-nearly-full");

    await world.server.start();
    await world.clock.advance(2 * DAY);
    expect(cleared.map((a) => a.kind)).toContain("storage-nearly-full");
    expect(agent.status().alarms.map((a) => a.kind)).not.toContain("storage-nearly-full");
    expect(unsent()).toBeLessThan(0.8 * maxEntries);
  });
});
