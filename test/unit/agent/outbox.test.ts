import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Outbox, retryDelayMs } from "../../../src/agent/outbox.js";
import { StorageError } from "../../../src/errors.js";

let dir: string;
let now = Date.parse("2026-11-01T00:00:00Z");
const open = (opts = {}) => Outbox.open(join(dir, "outbox.db"), { now: () => now, random: () => 1, ...opts });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "esol-outbox-"));
  now = Date.parse("2026-11-01T00:00:00Z");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const read = (serial: string, i: number) => ({
  kind: "billing-read" as const,
  serial,
  readAtMs: now + i,
  payload: { serial, readAt: new Date(now + i).toISOString(), meters: [{ name: "Total", value: 1000 + i }] },
});

describe("Outbox", () => {
  it("commits entries with an idempotency key of serial, reading time and sequence", () => {
    const outbox = open();
    const [a, b] = outbox.append([read("SN1", 0), read("SN1", 1)]);
    expect(a?.key).toBe("SN1:2026-11-01T00:00:00.000Z:1");
    expect(b?.key).toBe("SN1:2026-11-01T00:00:00.001Z:2");
    expect((a!.payload as { key: string }).key).toBe(a!.key);
    outbox.close();
    const again = open();
    expect(again.list("pending").map((e) => e.key)).toEqual([a?.key, b?.key]);
    again.close();
  });

  it("returns the existing entry for a repeated dedup key instead of adding one", () => {
    const outbox = open();
    const [a] = outbox.append([{ ...read("SN1", 0), dedupKey: "billing:SN1:2026-11" }]);
    const [b] = outbox.append([{ ...read("SN1", 5), dedupKey: "billing:SN1:2026-11" }]);
    expect(b?.seq).toBe(a?.seq);
    expect(outbox.stats().pending).toBe(1);
    outbox.close();
  });

  it("moves entries pending → sent, and parks refused ones with their reason", () => {
    const outbox = open();
    const [a, b] = outbox.append([read("SN1", 0), read("SN2", 0)]);
    outbox.markSent([a!.seq]);
    outbox.park([b!.seq], "UNKNOWN_DEVICE: serial SN2 is not registered");
    expect(outbox.stats()).toMatchObject({ pending: 0, sent: 1, parked: 1 });
    expect(outbox.list("parked")[0]?.lastError).toMatch(/UNKNOWN_DEVICE/);
    expect(outbox.due()).toEqual([]);
    expect(outbox.requeueParked()).toBe(1);
    expect(outbox.due().map((e) => e.seq)).toEqual([b!.seq]);
    outbox.close();
  });

  it("backs off exponentially, honours Retry-After and hides entries until due", () => {
    const outbox = open({ retryDelayMs: 1000, maxRetryDelayMs: 10_000 });
    const [a] = outbox.append([read("SN1", 0)]);
    expect(outbox.markFailed([a!.seq], "HTTP_503")).toBe(now + 1000);
    expect(outbox.due()).toEqual([]);
    now += 1000;
    expect(outbox.due()).toHaveLength(1);
    expect(outbox.markFailed([a!.seq], "HTTP_503")).toBe(now + 2000);
    expect(outbox.markFailed([a!.seq], "HTTP_429", { retryAfterMs: 60_000 })).toBe(now + 60_000);
    expect(outbox.get(a!.seq)?.attempts).toBe(3);
    expect(retryDelayMs(20, { retryDelayMs: 1000, maxRetryDelayMs: 10_000, random: () => 1 })).toBe(10_000);
    expect(retryDelayMs(1, { retryDelayMs: 1000, maxRetryDelayMs: 10_000, random: () => 0 })).toBe(500);
    outbox.close();
  });

  it("refuses new entries loudly when maxEntries unsent entries are held, keeping the old ones", () => {
    const outbox = open({ maxEntries: 3 });
    outbox.append([read("SN1", 0), read("SN1", 1), read("SN1", 2)]);
    let err: unknown;
    try {
      outbox.append([read("SN1", 3)]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe("STORAGE_FULL");
    expect(outbox.stats().pending).toBe(3);
    outbox.markSent([1]);
    expect(outbox.append([read("SN1", 3)])).toHaveLength(1);
    outbox.close();
  });

  it("keeps the newest poll readings per device and returns the latest", () => {
    const outbox = open({ keepReadingsPerDevice: 3 });
    for (let i = 0; i < 6; i++) outbox.recordReading("SN1", "127.0.0.1:30001", now + i * 1000, { total: i });
    expect(outbox.stats().readings).toBe(3);
    expect(outbox.latestReading("SN1")?.reading).toEqual({ total: 5 });
    expect(outbox.latestReading("nope")).toBeUndefined();
    outbox.close();
  });

  it("skips (and quarantines) a damaged newest reading, returning the newest intact one", () => {
    const outbox = open();
    for (let i = 0; i < 3; i++) outbox.recordReading("SN1", "127.0.0.1:30001", now + i * 1000, { total: i });
    const other = new Database(join(dir, "outbox.db"));
    other.prepare("UPDATE readings SET payload = '{\"total\":99}' WHERE read_at = ?").run(now + 2000);
    other.close();
    expect(outbox.latestReading("SN1")).toMatchObject({ readAtMs: now + 1000, reading: { total: 1 } });
    expect(outbox.stats()).toMatchObject({ readings: 2, quarantined: 1 });
    expect(outbox.latestReading("SN1")?.reading).toEqual({ total: 1 });
    outbox.close();
  });

  it("serves each device's newest reading from memory once committed, not from a re-read row", () => {
    const outbox = open();
    const first = outbox.recordReading("SN1", "127.0.0.1:30001", now + 1000, { total: 1 });
    // The very object committed: no row re-read, checksummed and parsed after a poll.
    expect(outbox.latestReading("SN1")).toBe(first);
    const second = outbox.recordReading("SN1", "127.0.0.1:30001", now + 2000, { total: 2 });
    expect(outbox.latestReading("SN1")).toBe(second);
    // A reading dated before the newest is kept but is not the newest (ORDER BY read_at DESC).
    outbox.recordReading("SN1", "127.0.0.1:30001", now + 500, { total: 0 });
    expect(outbox.latestReading("SN1")).toBe(second);
    // Inside a transaction, committed at its end.
    const third = outbox.transaction(() =>
      outbox.recordReading("SN1", "127.0.0.1:30001", now + 3000, { total: 3 }),
    );
    expect(outbox.latestReading("SN1")).toBe(third);
    outbox.close();
    const again = open();
    expect(again.latestReading("SN1")).toMatchObject({
      id: third.id,
      readAtMs: now + 3000,
      reading: { total: 3 },
    });
    again.close();
  });

  it("does not serve a reading whose transaction rolled back", () => {
    const outbox = open();
    outbox.recordReading("SN1", "127.0.0.1:30001", now + 1000, { total: 1 });
    expect(outbox.latestReading("SN1")?.reading).toEqual({ total: 1 });
    expect(() =>
      outbox.transaction(() => {
        outbox.recordReading("SN1", "127.0.0.1:30001", now + 2000, { total: 2 });
        outbox.recordReading("SN2", "127.0.0.1:30002", now + 2000, { total: 7 });
        // This connection sees its own uncommitted reading inside the transaction.
        expect(outbox.latestReading("SN1")?.reading).toEqual({ total: 2 });
        throw new Error("rolled back");
      }),
    ).toThrow("rolled back");
    expect(outbox.latestReading("SN1")?.reading).toEqual({ total: 1 });
    expect(outbox.latestReading("SN2")).toBeUndefined();
    outbox.close();
  });

  it("does not serve a reading of a nested transaction that rolled back inside one that committed", () => {
    const outbox = open();
    outbox.recordReading("SN1", "127.0.0.1:30001", now + 1000, { total: 1 });
    outbox.transaction(() => {
      outbox.recordReading("SN2", "127.0.0.1:30002", now + 1000, { total: 5 });
      expect(() =>
        outbox.transaction(() => {
          outbox.recordReading("SN1", "127.0.0.1:30001", now + 2000, { total: 2 });
          throw new Error("inner rolled back");
        }),
      ).toThrow("inner rolled back");
    });
    // The outer transaction's reading is kept; the inner one's is in neither the file nor memory.
    expect(outbox.latestReading("SN1")?.reading).toEqual({ total: 1 });
    expect(outbox.latestReading("SN2")?.reading).toEqual({ total: 5 });
    outbox.close();
  });

  it("sees a newer reading another connection wrote after this one kept the newest in memory", () => {
    const outbox = open();
    outbox.recordReading("SN1", "127.0.0.1:30001", now + 1000, { total: 1 });
    expect(outbox.latestReading("SN1")?.reading).toEqual({ total: 1 });
    const writer = open();
    writer.recordReading("SN1", "127.0.0.1:30001", now + 2000, { total: 2 });
    writer.close();
    expect(outbox.latestReading("SN1")).toMatchObject({ readAtMs: now + 2000, reading: { total: 2 } });
    outbox.close();
  });

  it("persists agent state in meta", () => {
    const outbox = open();
    outbox.setMeta("proxy.registered", "1");
    outbox.close();
    const again = open();
    expect(again.getMeta("proxy.registered")).toBe("1");
    expect(again.getMeta("other")).toBeUndefined();
    again.close();
  });
});
