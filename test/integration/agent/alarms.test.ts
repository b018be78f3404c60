import { afterEach, describe, expect, it } from "vitest";
import type { AgentAlarm } from "../../../src/agent/alarms.js";
import { agentHealth, agentStatusReport } from "../../../src/agent/http.js";
import { agentMetrics } from "../../../src/agent/metrics.js";
import { renderStatusPage } from "../../../src/agent/status-page.js";
import { type PrinterFleet, SimClock, startFleet } from "../../../src/sim/index.js";
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
});
