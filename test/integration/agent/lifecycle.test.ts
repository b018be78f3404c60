import { afterEach, describe, expect, it } from "vitest";
import { createProfile, deviceTruth, modelById, type PrinterModelId } from "../../../src/sim/index.js";
import type { Directive } from "../../../src/soap/models.js";
import { createWorld, T0, type World } from "./harness.js";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe("Agent lifecycle against the reference server and a simulated fleet", () => {
  it("runs a month for 50 devices: every requested billing read stored exactly once, with the simulator's true meters", async () => {
    world = await createWorld({ devices: 50, seed: 11 });
    const agent = world.agent();
    const directives: Directive[] = [];
    let polls = 0;
    agent.on("directive", (d) => directives.push(d));
    agent.on("poll", () => polls++);
    await agent.start();
    // November, then into December: two billing cycles.
    await world.clock.advanceTo(Date.parse("2026-12-01T06:00:00Z"));
    const exp = world.server.exportStore();

    expect(exp.proxies.map((p) => p.proxyId)).toEqual(["proxy-it-1"]);
    expect(exp.devices).toHaveLength(50);
    expect(exp.devices.every((d) => d.services.billing && d.services.supplies)).toBe(true);
    expect(polls).toBeGreaterThanOrEqual(30);

    // Every billing request the server issued was fulfilled by exactly one stored read.
    const requested = exp.billingRequests.map((r) => `${r.serial}/${r.cycle}`);
    expect(new Set(requested).size).toBe(100);
    expect(exp.billingRequests.every((r) => r.fulfilledAt !== null)).toBe(true);
    const stored = exp.billingReads.map((r) => `${r.serial}/${r.cycle}`);
    expect(stored.sort()).toEqual([...requested].sort());
    expect(new Set(exp.billingReads.map((r) => r.key)).size).toBe(exp.billingReads.length);

    // Values: what the simulated device really reported at the read time.
    for (const read of exp.billingReads) {
      const device = world.fleet.devices.find((d) => d.serial === read.serial);
      expect(device, read.serial).toBeDefined();
      const model = modelById(device!.model as PrinterModelId);
      const truth = deviceTruth(createProfile(model!, 11, device!.index), Date.parse(read.readAt) - T0);
      const life = read.meters.find((m) => m.name === "Marker Life Count");
      expect(life?.value, read.serial).toBe(truth.lifeCount);
      for (const m of read.meters)
        if (m.name !== "Marker Power-On Count")
          expect(
            truth.meters.map((t) => t.value),
            `${read.serial} ${m.name}`,
          ).toContain(m.value);
    }
    // Meters grew between the two cycles.
    for (const d of world.fleet.devices) {
      const [nov, dec] = ["2026-11", "2026-12"].map(
        (c) =>
          exp.billingReads
            .find((r) => r.serial === d.serial && r.cycle === c)
            ?.meters.find((m) => m.name === "Marker Life Count")?.value ?? -1,
      );
      expect(dec).toBeGreaterThan(nov as number);
    }
    // Supplies reports flow daily and are stored once per key.
    expect(exp.suppliesReports.length).toBeGreaterThanOrEqual(50 * 25);
    expect(new Set(exp.suppliesReports.map((r) => r.key)).size).toBe(exp.suppliesReports.length);
    expect(directives.filter((d) => d.kind === "EnableService")).toHaveLength(100);
    expect(agent.outbox.stats()).toMatchObject({ pending: 0, parked: 0, quarantined: 0 });
  });
});
