import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AgentStuck } from "../../../src/agent/index.js";
import { CommunicationServer } from "../../../src/server/index.js";
import { createWorld, T0, type World } from "./harness.js";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const HOUR = 3_600_000;

describe("Agent after the server lost its registration", () => {
  it("registers the proxy and its devices again on UNKNOWN_PROXY, and delivers every reading to the new store", async () => {
    world = await createWorld({ devices: 3 });
    const w = world;
    const agent = w.agent();
    const stuck: AgentStuck[] = [];
    agent.on("stuck", (s) => stuck.push(s));
    agent.on("error", () => undefined);
    await agent.start();
    await w.clock.advanceTo(T0 + 12 * HOUR);
    expect(w.server.exportStore().proxies).toHaveLength(1);
    expect(agent.status().registered).toBe(true);

    // The operator resets the server: same address, an empty store.
    const port = Number(new URL(w.url).port);
    await w.server.close();
    w.server = new CommunicationServer({
      dbPath: join(w.dir, "server-reset.db"),
      port,
      tls: false,
      signaturePolicy: "optional",
      clock: () => new Date(w.clock.now()),
    });
    await w.server.start();

    await w.clock.advanceTo(T0 + 4 * 24 * HOUR);
    expect(stuck.map((s) => s.code)).toContain("UNKNOWN_PROXY");
    const exp = w.server.exportStore();
    expect(exp.proxies.map((p) => p.proxyId)).toEqual(["proxy-it-1"]);
    expect(exp.devices).toHaveLength(3);
    // The new store issued this cycle's billing requests again; every one was answered.
    expect(exp.billingRequests.length).toBeGreaterThan(0);
    expect(exp.billingRequests.every((r) => r.fulfilledAt !== null)).toBe(true);
    expect(agent.status().registered).toBe(true);
    expect(agent.status().stuck).toBeNull();
    expect(agent.outbox.stats()).toMatchObject({ parked: 0 });
  });
});
