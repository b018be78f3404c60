import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Outbox } from "../../../src/agent/outbox.js";
import { recoverInto } from "../../../src/agent/outbox-integrity.js";

// Rebuilding a damaged outbox writes a fresh file from the damaged one's rows. When a write
// throws (here: the fresh file hits its size limit), both SQLite files must be closed again —
// checked on the process's open file descriptors (Linux /proc/self/fd), with real files.

let dir: string;
const now = Date.parse("2026-11-01T00:00:00Z");
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "esol-outbox-recover-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Paths under `dir` this process holds open. */
function openFilesUnder(under: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(under)) out.push(target);
    } catch {
      // closed between readdir and readlink
    }
  }
  return out.sort();
}

/** An outbox file with `n` pending entries of about 1 KiB each. */
function outboxWith(path: string, n: number): void {
  const outbox = Outbox.open(path, { now: () => now, random: () => 1 });
  outbox.append(
    Array.from({ length: n }, (_, i) => ({
      kind: "billing-read" as const,
      serial: `SN${i}`,
      readAtMs: now + i,
      payload: { serial: `SN${i}`, note: "x".repeat(1000), meters: [{ name: "Total", value: i }] },
    })),
  );
  outbox.close();
}

describe.runIf(existsSync("/proc/self/fd"))("recoverInto", () => {
  it("closes the damaged and the fresh file when a write throws", () => {
    const path = join(dir, "outbox.db");
    outboxWith(path, 400);
    expect(openFilesUnder(dir)).toEqual([]);
    // 64 KiB allowed (16 pages): the ~400 KiB of rows cannot all be copied, nor their quarantine notes.
    expect(() => recoverInto(path, now, { maxBytes: 64 * 1024 })).toThrow(/full/i);
    expect(openFilesUnder(dir)).toEqual([]);
    // The damaged file is kept beside the outbox, whole.
    const copies = readdirSync(dir).filter(
      (f) => /^outbox\.db\.corrupt-[^-]/.test(f) && !/-(wal|shm)$/.test(f),
    );
    expect(copies).toHaveLength(1);
  });

  it("returns the fresh file open, and closes the damaged one, when the rebuild succeeds", () => {
    const path = join(dir, "outbox.db");
    outboxWith(path, 3);
    const { db, corruptCopyPath, unreadable } = recoverInto(path, now, {});
    expect(unreadable).toBe(0);
    expect((db.prepare("SELECT count(*) AS n FROM entries").get() as { n: number }).n).toBe(3);
    const open = openFilesUnder(dir);
    expect(open.filter((f) => f.startsWith(corruptCopyPath))).toEqual([]);
    expect(open).toContain(path);
    db.close();
    expect(openFilesUnder(dir)).toEqual([]);
  });
});
