import { afterEach, describe, expect, it } from "vitest";
import { type PrinterFleet, startFleet } from "../../../src/sim/index.js";
import { createWorld, type World } from "./harness.js";

let world: World | undefined;
let vendors: PrinterFleet | undefined;
afterEach(async () => {
  await vendors?.close();
  await world?.close();
  vendors = undefined;
  world = undefined;
});

describe("Agent bills devices whose serial only a vendor MIB or sysDescr holds", () => {
  it("registers and bills Kyocera (Kyocera MIB), Lexmark (Lexmark MIB) and HP (sysDescr SN:) devices with their vendor meters", async () => {
    world = await createWorld({ devices: 1, seed: 3 });
    vendors = await startFleet(
      {
        recordings: [
          "test/fixtures/snmp/vendors/kyocera-taskalfa.snmprec",
          "test/fixtures/snmp/vendors/lexmark-cx.snmprec",
          "test/fixtures/snmp/vendors/hp-jetdirect.snmprec",
        ],
      },
      { clock: world.simClock },
    );
    const range = `127.0.0.1:${vendors.firstPort}-${vendors.lastPort}`;
    const agent = world.agent({}, (raw) => {
      (raw.devices as Record<string, unknown>).targets = [range];
    });
    await agent.start();
    await world.clock.advanceTo(Date.parse("2026-12-01T06:00:00Z"));
    const exp = world.server.exportStore();

    expect(exp.devices.map((d) => d.serial).sort()).toEqual(["KYSYN00001", "LXSYN00010", "VNB3J99999"]);
    const kyocera = exp.billingReads.filter((r) => r.serial === "KYSYN00001");
    expect(kyocera.length).toBeGreaterThanOrEqual(1);
    const meters = Object.fromEntries(kyocera[0]!.meters.map((m) => [m.name, m.value]));
    expect(meters).toMatchObject({
      "Total Impressions": 4125,
      "Black Print Impressions": 1100,
      "Color Print Impressions": 2200,
      "Black Copy Impressions": 330,
      "Color Copy Impressions": 440,
    });
    expect(exp.billingReads.some((r) => r.serial === "LXSYN00010")).toBe(true);
    const hp = exp.billingReads.find((r) => r.serial === "VNB3J99999");
    expect(hp?.meters.find((m) => m.name === "Duplex Sheets")?.value).toBe(789);
  }, 120_000);
});

describe("Agent and a device that reports no serial at all", () => {
  it("reports it in the poll (SNMP_NO_SERIAL) by default, and registers and bills it as MAC-<hex> with devices.fallbackIdentity mac", async () => {
    world = await createWorld({ devices: 1, seed: 3 });
    vendors = await startFleet(
      { recordings: ["test/fixtures/snmp/identity/no-serial.snmprec"] },
      { clock: world.simClock },
    );
    const target = `127.0.0.1:${vendors.firstPort}`;
    const strict = world.agent({}, (raw) => {
      (raw.devices as Record<string, unknown>).targets = [target];
      (raw.outbox as Record<string, unknown>).path = `${world?.dir}/strict.db`;
    });
    await strict.start();
    const poll = await strict.pollNow();
    expect(poll.failures.map((f) => [f.target, f.code])).toEqual([[target, "SNMP_NO_SERIAL"]]);
    expect(strict.status().lastPoll?.failures[0]?.code).toBe("SNMP_NO_SERIAL");
    await strict.stop();

    const lenient = world.agent({}, (raw) => {
      (raw.devices as Record<string, unknown>).targets = [target];
      (raw.devices as Record<string, unknown>).fallbackIdentity = "mac";
    });
    await lenient.start();
    await world.clock.advanceTo(Date.parse("2026-12-01T06:00:00Z"));
    const exp = world.server.exportStore();
    expect(exp.devices.map((d) => d.serial)).toEqual(["MAC-3C2AF4BFF51B"]);
    const read = exp.billingReads.find((r) => r.serial === "MAC-3C2AF4BFF51B");
    expect(read?.meters.find((m) => m.name === "Marker Life Count")?.value).toBe(12345);
  }, 120_000);
});
