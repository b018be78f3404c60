import { afterEach, describe, expect, it } from "vitest";
import { createWorld, T0, type World } from "./harness.js";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe("Agent credential profiles", () => {
  it("reads and bills devices over SNMPv3 (authPriv) with a profile limited to their range", async () => {
    world = await createWorld({
      devices: 3,
      fleet: {
        community: "not-public",
        v3Users: [{ name: "fleet", authKey: "auth-pass-123", privKey: "priv-pass-123" }],
      },
    });
    const agent = world.agent({}, (raw) => {
      raw.devices = {
        ...raw.devices,
        // SNMPv3 costs key localisation and engine discovery per device: the harness's 300 ms
        // without retries is too tight on loaded cores (a CI run read 1 of 3 and billed it alone).
        timeout: "2s",
        retries: 1,
        profiles: [
          {
            ranges: ["127.0.0.0/8"],
            credentials: [
              {
                version: "v3",
                user: "fleet",
                authProtocol: "sha",
                authKey: "auth-pass-123",
                privProtocol: "aes",
                privKey: "priv-pass-123",
              },
            ],
          },
        ],
      };
    });
    await agent.start();
    await world.clock.advanceTo(T0 + 6 * 3_600_000);
    const exp = world.server.exportStore();
    expect(exp.devices.map((d) => d.serial).sort()).toEqual(world.fleet.devices.map((d) => d.serial).sort());
    expect(exp.billingReads).toHaveLength(3);
  });

  it("finds no device when the only profile's community is wrong, and reports nothing as silent", async () => {
    world = await createWorld({
      devices: 2,
      fleet: { community: "secret" },
    });
    const agent = world.agent();
    let silent = 0;
    agent.on("device-silent", () => silent++);
    await agent.start();
    await world.clock.advanceTo(T0 + 3 * 24 * 3_600_000);
    expect(world.server.exportStore().devices).toEqual([]);
    expect(agent.devices.list()).toEqual([]);
    expect(silent).toBe(0);
  });
});
