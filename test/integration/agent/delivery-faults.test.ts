import { afterEach, describe, expect, it } from "vitest";
import type { ParkedEvent, SentEvent } from "../../../src/agent/agent.js";
import { createWorld, T0, type World } from "./harness.js";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const HOUR = 3_600_000;

function billingEntries(outbox: ReturnType<World["agent"]>["outbox"]) {
  return outbox.list().filter((e) => e.kind === "billing-read");
}

describe("Agent delivery under server faults (SECURITY.md delivery promise)", () => {
  it("retries 5xx with backoff until acknowledged; each read stored once", async () => {
    world = await createWorld({ devices: 5 });
    world.server.injectFaults([{ operation: "SubmitBillingReads", kind: "http-503", count: 3 }]);
    const agent = world.agent();
    const errors: string[] = [];
    agent.on("error", (e) => errors.push(e.code));
    await agent.start();
    await world.clock.advanceTo(T0 + 12 * HOUR);
    const exp = world.server.exportStore();
    expect(exp.billingReads).toHaveLength(5);
    expect(errors.filter((c) => c === "HTTP_503")).toHaveLength(3);
    const entries = billingEntries(agent.outbox);
    expect(entries.every((e) => e.state === "sent" && e.attempts === 4)).toBe(true);
    expect(entries.every((e) => e.lastError?.startsWith("HTTP_503"))).toBe(true);
  });

  it("waits at least Retry-After after a 429 before resending", async () => {
    world = await createWorld({ devices: 3 });
    world.server.injectFaults([
      { operation: "SubmitBillingReads", kind: "http-429", retryAfterSeconds: 7200, count: 1 },
    ]);
    const agent = world.agent();
    let failedAt = 0;
    agent.on("error", (e) => {
      if (e.code === "HTTP_429") failedAt = world!.clock.now();
    });
    const sentAt: number[] = [];
    agent.on("sent", (e: SentEvent) => {
      if (e.kind === "billing-read") sentAt.push(world!.clock.now());
    });
    await agent.start();
    await world.clock.advanceTo(T0 + 12 * HOUR);
    expect(failedAt).toBeGreaterThan(0);
    expect(sentAt).toHaveLength(1);
    expect((sentAt[0] as number) - failedAt).toBeGreaterThanOrEqual(7200_000);
    expect(world.server.exportStore().billingReads).toHaveLength(3);
  });

  it("resends a batch whose connection dropped after the server stored it: stored once, acknowledged as duplicates", async () => {
    world = await createWorld({ devices: 5 });
    world.server.injectFaults([{ operation: "SubmitBillingReads", kind: "drop-after-store", count: 1 }]);
    const agent = world.agent();
    const sent: SentEvent[] = [];
    agent.on("sent", (e) => {
      if (e.kind === "billing-read") sent.push(e);
    });
    await agent.start();
    await world.clock.advanceTo(T0 + 12 * HOUR);
    const exp = world.server.exportStore();
    expect(exp.billingReads).toHaveLength(5);
    expect(new Set(exp.billingReads.map((r) => r.key)).size).toBe(5);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ accepted: 0, duplicates: 5 });
  });

  it("resends a batch whose connection dropped before the server stored it", async () => {
    world = await createWorld({ devices: 4 });
    world.server.injectFaults([{ operation: "SubmitSuppliesReport", kind: "drop-before-store", count: 2 }]);
    const agent = world.agent();
    await agent.start();
    await world.clock.advanceTo(T0 + 12 * HOUR);
    const exp = world.server.exportStore();
    expect(exp.suppliesReports.length).toBeGreaterThanOrEqual(4);
    expect(new Set(exp.suppliesReports.map((r) => r.key)).size).toBe(exp.suppliesReports.length);
    expect(agent.outbox.stats()).toMatchObject({ pending: 0, parked: 0 });
  });

  it("parks a batch refused with HTTP 400 (not retryable) with its reason, and keeps it for an operator", async () => {
    world = await createWorld({ devices: 2 });
    world.server.injectFaults([{ operation: "SubmitBillingReads", kind: "http-400", count: 3 }]);
    const agent = world.agent();
    const parked: ParkedEvent[] = [];
    agent.on("parked", (e) => parked.push(e));
    await agent.start();
    await world.clock.advanceTo(T0 + 12 * HOUR);
    expect(parked).toHaveLength(2);
    expect(parked.every((p) => p.kind === "billing-read" && /400/.test(p.reason))).toBe(true);
    const held = agent.outbox.list("parked");
    expect(held).toHaveLength(2);
    expect(world.server.exportStore().billingReads).toHaveLength(0);
    // The batch and each single resend were refused (3 faults). An operator requeues them: delivered, once.
    expect(agent.outbox.requeueParked()).toBe(2);
    await agent.flushNow();
    expect(world.server.exportStore().billingReads).toHaveLength(2);
  });

  it("parks a billing read of a device with no billing meters (unsendable) instead of retrying it forever", async () => {
    world = await createWorld({ devices: 2 });
    const agent = world.agent({ autoSchedule: false });
    const parked: ParkedEvent[] = [];
    agent.on("parked", (e) => parked.push(e));
    await agent.start();
    await agent.pollNow();
    await agent.syncNow();
    const [a, b] = agent.devices.list();
    if (!a || !b) throw new Error("the fleet did not answer");
    const readAt = world.clock.now();
    agent.outbox.append([
      {
        kind: "billing-read",
        serial: a.serial,
        readAtMs: readAt,
        payload: { serial: a.serial, readAt: new Date(readAt).toISOString(), cycle: "2026-X1", meters: [] },
      },
      {
        kind: "billing-read",
        serial: b.serial,
        readAtMs: readAt,
        payload: {
          serial: b.serial,
          readAt: new Date(readAt).toISOString(),
          cycle: "2026-X1",
          meters: [{ name: "Total", value: 1 }],
        },
      },
    ]);
    const before = world.server.exportStore().billingReads.length;
    await agent.flushNow();
    await agent.flushNow();
    const empty = billingEntries(agent.outbox).filter((e) => e.serial === a.serial && e.state !== "sent");
    expect(empty.map((e) => e.state)).toEqual(["parked"]);
    expect(empty[0]?.lastError).toMatch(/^INVALID_VALUE: .*meters/);
    expect(parked.map((p) => p.serial)).toEqual([a.serial]);
    // Its batch neighbour is delivered, and nothing is left due for a retry.
    expect(world.server.exportStore().billingReads.length).toBe(before + 1);
    expect(agent.outbox.list("pending")).toEqual([]);
  });

  it("parks only the read the server refuses (UNKNOWN_DEVICE) and delivers its batch neighbours", async () => {
    world = await createWorld({ devices: 3 });
    const agent = world.agent();
    await agent.start();
    await world.clock.advanceTo(T0 + 12 * HOUR);
    const before = world.server.exportStore().billingReads.length;
    agent.outbox.append([
      {
        kind: "billing-read",
        serial: "NOT-A-DEVICE",
        readAtMs: world.clock.now(),
        payload: {
          serial: "NOT-A-DEVICE",
          readAt: new Date(world.clock.now()).toISOString(),
          meters: [{ name: "Total", value: 1 }],
        },
      },
    ]);
    const serial = world.fleet.devices[0]?.serial as string;
    agent.outbox.append([
      {
        kind: "billing-read",
        serial,
        readAtMs: world.clock.now(),
        payload: {
          serial,
          readAt: new Date(world.clock.now()).toISOString(),
          meters: [{ name: "Total", value: 2 }],
        },
      },
    ]);
    const parked: ParkedEvent[] = [];
    agent.on("parked", (e) => parked.push(e));
    await agent.flushNow();
    expect(parked.map((p) => p.serial)).toEqual(["NOT-A-DEVICE"]);
    expect(parked[0]?.reason).toMatch(/UNKNOWN_DEVICE/);
    expect(world.server.exportStore().billingReads.length).toBe(before + 1);
    expect(agent.outbox.stats()).toMatchObject({ pending: 0, parked: 1 });
  });

  it("keeps polling and committing while the server is unreachable for days, then delivers everything once", async () => {
    world = await createWorld({ devices: 3 });
    const agent = world.agent();
    const errors: string[] = [];
    agent.on("error", (e) => errors.push(e.code));
    await agent.start();
    await world.clock.advanceTo(T0 + 2 * HOUR);
    await world.server.close();
    const downAt = world.clock.now();
    await world.clock.advanceTo(T0 + 3 * 24 * HOUR + 12 * HOUR);
    const held = agent.outbox.list("pending").filter((e) => e.kind === "supplies-report");
    expect(held.length).toBeGreaterThanOrEqual(6);
    expect(errors.length).toBeGreaterThan(0);
    await world.server.start();
    await world.clock.advance(24 * HOUR);
    const exp = world.server.exportStore();
    const stored = new Set(exp.suppliesReports.map((r) => r.key));
    for (const e of held) expect(stored.has(e.key), e.key).toBe(true);
    expect(exp.suppliesReports.filter((r) => Date.parse(r.readAt) > downAt).length).toBeGreaterThanOrEqual(6);
    expect(stored.size).toBe(exp.suppliesReports.length);
    expect(agent.outbox.stats().parked).toBe(0);
  });
});
