import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { SdkError } from "../../../src/errors.js";
import { createWorld, T0, type World } from "./harness.js";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const HOUR = 3_600_000;

describe("Agent storage failures", () => {
  it("on a full outbox refuses new readings with STORAGE_FULL, keeps running and still delivers what it committed", async () => {
    world = await createWorld({
      devices: 6,
      schedule: { pollInterval: "2h" },
    });
    // A size-limited file: room for the first day, not for a month of readings.
    const agent = world.agent({}, (raw) => {
      raw.outbox = { ...raw.outbox, maxBytes: 160 * 1024 };
    });
    const errors: SdkError[] = [];
    agent.on("error", (e) => errors.push(e));
    const committed = new Set<string>();
    agent.on("committed", (e) => {
      for (const x of e.entries)
        if (x.kind === "billing-read" || x.kind === "supplies-report") committed.add(x.key);
    });
    await agent.start();
    await world.clock.advanceTo(T0 + 10 * 24 * HOUR);
    const full = errors.filter((e) => e.code === "STORAGE_FULL");
    expect(full.length).toBeGreaterThan(0);
    expect(full[0]?.message).toMatch(/full/);
    // The agent kept polling and syncing after the first refusal.
    const exp = world.server.exportStore();
    expect(exp.billingReads).toHaveLength(6);
    const stored = new Set([...exp.billingReads, ...exp.suppliesReports].map((r) => r.key));
    const pendingKeys = new Set(agent.outbox.list("pending").map((e) => e.key));
    for (const key of committed) expect(stored.has(key) || pendingKeys.has(key), key).toBe(true);
  });

  it("after a bit flip in its outbox file, quarantines the damaged row, reports STORAGE_CORRUPT, delivers the rest and re-reads the damaged one", async () => {
    world = await createWorld({ devices: 4 });
    // The billing batch of 01:15 fails once; stop before its retry so the reads stay pending on disk.
    world.server.injectFaults([{ operation: "SubmitBillingReads", kind: "http-503", count: 1 }]);
    const first = world.agent();
    await first.start();
    await world.clock.advanceTo(T0 + HOUR + 16 * 60_000);
    const pending = first.outbox.list("pending").filter((e) => e.kind === "billing-read");
    expect(pending).toHaveLength(4);
    await first.stop();
    // Flip one bit in the stored meters of one billing read.
    const victim = pending[0]!;
    const life = (victim.payload as { meters: Array<{ name: string; value: number }> }).meters[0]!.value;
    const bytes = readFileSync(world.config.outbox.path);
    const needle = Buffer.from(`"value":${life}`);
    let flipped = 0;
    for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
      const i = at + needle.length - 1;
      bytes[i] = (bytes[i] as number) ^ 0x01;
      flipped++;
    }
    expect(flipped).toBeGreaterThan(0);
    writeFileSync(world.config.outbox.path, bytes);

    const second = world.agent();
    const errors: SdkError[] = [];
    second.on("error", (e) => errors.push(e));
    await second.start();
    const quarantined = second.outbox.quarantined();
    expect(errors.some((e) => e.code === "STORAGE_CORRUPT")).toBe(true);
    expect(quarantined.length).toBeGreaterThanOrEqual(1);
    expect(quarantined.some((q) => q.table === "entries" && q.rowId === victim.seq)).toBe(true);
    expect(second.outbox.list().some((e) => e.seq === victim.seq)).toBe(false);
    // The intact reads are delivered on restart; the server asks again for the damaged one's cycle at the
    // next sync, and a fresh read answers it: one read per device and cycle, none with the flipped value.
    await world.clock.advance(HOUR);
    expect(
      world.server
        .exportStore()
        .billingReads.map((r) => r.serial)
        .sort(),
    ).toEqual(
      pending
        .slice(1)
        .map((e) => e.serial)
        .sort(),
    );
    await world.clock.advance(24 * HOUR);
    const reads = world.server.exportStore().billingReads;
    expect(reads.map((r) => r.serial).sort()).toEqual(pending.map((e) => e.serial).sort());
    expect(reads.find((r) => r.serial === victim.serial)?.key).not.toBe(victim.key);
    expect(second.outbox.list("pending").filter((e) => e.kind === "billing-read")).toEqual([]);
    expect(second.outbox.stats().parked).toBe(0);
  });
});
