import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAgentConfig } from "../../../src/agent/config.js";
import { readerForDevices } from "../../../src/agent/device-reader.js";
import { parseSnmprec } from "../../../src/sim/snmprec.js";
import { startTestAgent, type TestAgent } from "../snmp/agents.js";

// One printer on a loopback port from the OS: black toner at 30 %, a waste toner box with
// 30 % of its room left (its level is the remaining space, RFC 3805).
const PRINTER = parseSnmprec(
  [
    "1.3.6.1.2.1.1.1.0|4|Test printer",
    "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.99999.1",
    "1.3.6.1.2.1.43.5.1.1.17.1|4|DRSYN00001",
    "1.3.6.1.2.1.43.11.1.1.4.1.1|2|3",
    "1.3.6.1.2.1.43.11.1.1.4.1.2|2|4",
    "1.3.6.1.2.1.43.11.1.1.5.1.1|2|3",
    "1.3.6.1.2.1.43.11.1.1.5.1.2|2|4",
    "1.3.6.1.2.1.43.11.1.1.6.1.1|4|Black Toner",
    "1.3.6.1.2.1.43.11.1.1.6.1.2|4|Waste Toner Box",
    "1.3.6.1.2.1.43.11.1.1.8.1.1|2|100",
    "1.3.6.1.2.1.43.11.1.1.8.1.2|2|100",
    "1.3.6.1.2.1.43.11.1.1.9.1.1|2|30",
    "1.3.6.1.2.1.43.11.1.1.9.1.2|2|30",
    "",
  ].join("\n"),
);

describe("readerForDevices: the agent's reader carries the configured supply threshold", () => {
  let agent: TestAgent;
  const config = (devices: Record<string, unknown>) =>
    parseAgentConfig({
      proxy: { id: "p1" },
      server: { url: "http://127.0.0.1:1/esolutions/v1" },
      devices: { targets: ["127.0.0.1"], timeout: "2s", retries: 1, ...devices },
      outbox: { path: "out.db" },
    });

  beforeAll(async () => {
    agent = await startTestAgent({ varbinds: PRINTER });
  });
  afterAll(async () => {
    await agent?.close();
  });

  it("defaults to 10 %: 30 % toner and a box with 30 % room are ok", async () => {
    const devices = config({}).devices;
    expect(devices.lowSupplyPercent).toBe(10);
    const r = await readerForDevices(devices).read(`127.0.0.1:${agent.agent.port}`);
    expect(r.supplies.map((s) => [s.description, s.percent, s.state])).toEqual([
      ["Black Toner", 30, "ok"],
      ["Waste Toner Box", 30, "ok"],
    ]);
  });

  it("devices.lowSupplyPercent 40: the toner is low and the box nearly full", async () => {
    const devices = config({ lowSupplyPercent: 40 }).devices;
    const r = await readerForDevices(devices).read(`127.0.0.1:${agent.agent.port}`);
    expect(r.supplies.map((s) => [s.description, s.state])).toEqual([
      ["Black Toner", "low"],
      ["Waste Toner Box", "nearlyFull"],
    ]);
  });

  it("refuses a threshold that is not a percent, naming the field", () => {
    expect(() => config({ lowSupplyPercent: 101 })).toThrow(/devices\.lowSupplyPercent/);
  });
});
