import { afterEach, describe, expect, it } from "vitest";
import type { DeviceEvent, DeviceReplacedEvent } from "../../../src/agent/agent.js";
import { type PrinterFleet, startFleet } from "../../../src/sim/index.js";
import type { Directive } from "../../../src/soap/models.js";
import { createWorld, T0, type World } from "./harness.js";

let world: World | undefined;
let extraFleet: PrinterFleet | undefined;
afterEach(async () => {
  await extraFleet?.close();
  extraFleet = undefined;
  await world?.close();
  world = undefined;
});

const DAY = 86_400_000;

describe("Agent device tracking", () => {
  it("reports new, replaced (serial changed at the same address), silent and server-disabled devices", async () => {
    world = await createWorld({
      devices: 4,
      fleet: { faults: new Map([[1, { serialChangeAfterMs: 2 * DAY + 3_600_000 }]]) },
    });
    const agent = world.agent();
    const fresh: DeviceEvent[] = [];
    const replaced: DeviceReplacedEvent[] = [];
    const silent: DeviceEvent[] = [];
    const directives: Directive[] = [];
    agent.on("device-new", (e) => fresh.push(e));
    agent.on("device-replaced", (e) => replaced.push(e));
    agent.on("device-silent", (e) => silent.push(e));
    agent.on("directive", (d) => directives.push(d));
    await agent.start();
    const originalSerial = world.fleet.devices[1]?.serial as string;
    await world.clock.advanceTo(T0 + 4 * DAY);

    expect(fresh.map((e) => e.device.serial).sort()).toEqual(
      [0, 2, 3]
        .map((i) => world!.fleet.devices[i]?.serial)
        .concat(originalSerial)
        .sort(),
    );
    expect(replaced).toHaveLength(1);
    expect(replaced[0]?.previous.serial).toBe(originalSerial);
    expect(replaced[0]?.device.serial).toBe(world.fleet.devices[1]?.serial);
    expect(replaced[0]?.device.serial).not.toBe(originalSerial);
    let exp = world.server.exportStore();
    expect(exp.devices.find((d) => d.serial === originalSerial)?.state).toBe("replaced");
    expect(exp.devices.find((d) => d.serial === replaced[0]?.device.serial)).toBeDefined();

    // Device 2 stops answering: restart the fleet (same seed, ports and clock) with it timing out.
    await world.fleet.close();
    extraFleet = await startFleet(
      { count: 4, seed: 7 },
      {
        basePort: world.fleet.firstPort,
        clock: world.simClock,
        faults: new Map([
          [1, { serialChangeAfterMs: 2 * DAY + 3_600_000 }],
          [2, { timeout: true }],
        ]),
      },
    );
    const silentSerial = world.fleet.devices[2]?.serial as string;
    await world.clock.advance(3 * DAY);
    expect(silent.map((e) => e.device.serial)).toEqual([silentSerial]);
    exp = world.server.exportStore();
    expect(exp.devices.find((d) => d.serial === silentSerial)?.state).toBe("silent");

    // The server disables device 0: the agent stops its services and confirms.
    const disabledSerial = world.fleet.devices[0]?.serial as string;
    await world.server.disableDevice(disabledSerial, "contract ended");
    await world.clock.advance(2 * DAY + 6 * 3_600_000);
    expect(directives.some((d) => d.kind === "Disable" && d.serial === disabledSerial)).toBe(true);
    expect(agent.devices.get(disabledSerial)).toMatchObject({
      state: "disabled",
      billing: false,
      supplies: false,
    });
    expect(agent.outbox.stats()).toMatchObject({ pending: 0, parked: 0 });
  });
});
