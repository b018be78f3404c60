import { spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Outbox } from "../../../src/agent/outbox.js";
import { StorageError } from "../../../src/errors.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "esol-outbox-dur-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writer = join(import.meta.dirname, "fixtures", "outbox-writer.ts");

/** Runs the writer child and kills it with SIGKILL after `killAfterMs`; returns the keys it reported committed. */
function runAndKill(dbPath: string, killAfterMs: number): Promise<{ keys: string[]; opened: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", writer, dbPath], {
      cwd: process.cwd(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      // Start the kill countdown once the child has opened the outbox (tsx startup varies).
      if (!killTimer && out.includes("open "))
        killTimer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    });
    const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("exit", () => {
      clearTimeout(guard);
      if (killTimer) clearTimeout(killTimer);
      const lines = out.split("\n");
      const opened = lines.find((l) => l.startsWith("open ")) ?? "";
      // A line cut by the kill is not a complete report of a commit.
      const complete = out.endsWith("\n") ? lines : lines.slice(0, -1);
      resolve({
        keys: complete.filter((l) => l.startsWith("committed ")).map((l) => l.split(" ")[2] as string),
        opened,
      });
    });
  });
}

describe("Outbox durability on a real SQLite file", () => {
  it("loses no committed entry across 12 kill -9 of a writing process", async () => {
    const dbPath = join(dir, "outbox.db");
    const committed: string[] = [];
    for (let i = 0; i < 12; i++) {
      const { keys, opened } = await runAndKill(dbPath, 20 + Math.floor(Math.random() * 120));
      if (i > 0) expect(opened).toBe("open ok 0");
      committed.push(...keys);
    }
    expect(committed.length).toBeGreaterThan(12);
    const outbox = Outbox.open(dbPath, { integrityCheck: "full" });
    expect(outbox.openReport.integrity).toBe("ok");
    const stored = new Set(outbox.list().map((e) => e.key));
    const lost = committed.filter((k) => !stored.has(k));
    expect(lost).toEqual([]);
    expect(new Set(committed).size).toBe(committed.length);
    expect(outbox.stats().quarantined).toBe(0);
    outbox.close();
  });

  it("survives a torn last write to the WAL: earlier commits intact, file usable", () => {
    const dbPath = join(dir, "outbox.db");
    const a = Outbox.open(dbPath);
    const first = a.append([{ kind: "billing-read", serial: "SN1", readAtMs: 1, payload: { v: 1 } }]);
    // Keep the WAL (no checkpoint on close) by copying files while the connection is open.
    const big = "x".repeat(20_000);
    a.append([{ kind: "billing-read", serial: "SN1", readAtMs: 2, payload: { big } }]);
    copyFileSync(dbPath, join(dir, "copy.db"));
    copyFileSync(`${dbPath}-wal`, join(dir, "copy.db-wal"));
    a.close();
    const wal = join(dir, "copy.db-wal");
    const size = statSync(wal).size;
    // Tear the last frames: cut the WAL in the middle of the last transaction.
    const fd = openSync(wal, "r+");
    const buf = Buffer.alloc(size - 6000);
    readSync(fd, buf, 0, buf.length, 0);
    closeSync(fd);
    writeFileSync(wal, buf);
    const b = Outbox.open(join(dir, "copy.db"), { integrityCheck: "full" });
    expect(b.openReport.integrity).toBe("ok");
    const keys = b.list().map((e) => e.key);
    expect(keys).toContain(first[0]?.key);
    expect(keys).toHaveLength(1); // the torn transaction never committed, so it is absent, not half-present
    expect(b.append([{ kind: "billing-read", serial: "SN1", readAtMs: 3, payload: { v: 3 } }])).toHaveLength(
      1,
    );
    b.close();
  });

  it("quarantines a row whose bytes were bit-flipped on disk, with its raw bytes, and keeps the others", () => {
    const dbPath = join(dir, "outbox.db");
    const a = Outbox.open(dbPath);
    for (let i = 0; i < 20; i++)
      a.append([
        {
          kind: "billing-read",
          serial: `SN${i}`,
          readAtMs: i,
          payload: { meters: [{ name: "Total", value: 7_000_000 + i }] },
        },
      ]);
    a.close(); // checkpoints the WAL into the main file
    const bytes = readFileSync(dbPath);
    // Flip one bit in every copy of the value (a freed page may still hold an old copy).
    let flipped = 0;
    for (let at = bytes.indexOf("7000013"); at >= 0; at = bytes.indexOf("7000013", at + 1)) {
      bytes[at + 3] = (bytes[at + 3] as number) ^ 0x01; // "7000013" → "7001013"
      flipped++;
    }
    expect(flipped).toBeGreaterThan(0);
    writeFileSync(dbPath, bytes);
    const b = Outbox.open(dbPath);
    expect(b.openReport.quarantined).toBe(1);
    const q = b.quarantined();
    expect(q).toHaveLength(1);
    expect(q[0]?.reason).toMatch(/checksum/);
    const raw = JSON.parse(q[0]!.raw.toString()) as Record<string, string>;
    expect(Buffer.from(raw.payload as string, "base64").toString()).toContain("7001013");
    expect(b.stats().pending).toBe(19);
    expect(b.list().some((e) => e.serial === "SN13")).toBe(false);
    b.close();
  });

  it("rebuilds a file with a damaged b-tree page, keeping the damaged copy and every readable row", () => {
    const dbPath = join(dir, "outbox.db");
    const a = Outbox.open(dbPath);
    for (let i = 0; i < 400; i++)
      a.append([
        { kind: "supplies-report", serial: `SN${i}`, readAtMs: i, payload: { pad: "p".repeat(200), i } },
      ]);
    a.close();
    const bytes = readFileSync(dbPath);
    const pageSize = 4096;
    const pages = bytes.length / pageSize;
    // Scribble over the header of a page in the middle of the entries table.
    const page = Math.floor(pages / 2);
    bytes.fill(0xff, page * pageSize, page * pageSize + 64);
    writeFileSync(dbPath, bytes);
    const b = Outbox.open(dbPath);
    expect(b.openReport.integrity).toBe("recovered");
    expect(b.openReport.corruptCopyPath && existsSync(b.openReport.corruptCopyPath)).toBe(true);
    const left = b.list().length;
    expect(left).toBeGreaterThan(300);
    // Every row is accounted for: copied over, or noted in quarantine as unreadable (never silently dropped).
    const unreadable = b.quarantined().filter((q) => q.table === "entries" && /unreadable/.test(q.reason));
    expect(left + unreadable.length).toBe(400);
    expect(b.append([{ kind: "billing-read", serial: "X", readAtMs: 1, payload: {} }])).toHaveLength(1);
    b.close();
  });

  it("refuses new entries with STORAGE_FULL when the size limit is reached, keeping every committed entry", () => {
    const dbPath = join(dir, "outbox.db");
    const a = Outbox.open(dbPath, { maxBytes: 64 * 1024 });
    const committed: string[] = [];
    let error: unknown;
    for (let i = 0; i < 10_000 && !error; i++) {
      try {
        const [e] = a.append([
          { kind: "billing-read", serial: "SN1", readAtMs: i, payload: { pad: "z".repeat(500), i } },
        ]);
        committed.push(e!.key);
      } catch (err) {
        error = err;
      }
    }
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe("STORAGE_FULL");
    expect(a.list().map((e) => e.key)).toEqual(committed);
    a.close();
    const b = Outbox.open(dbPath, { integrityCheck: "full" });
    expect(b.openReport.integrity).toBe("ok");
    expect(b.list().map((e) => e.key)).toEqual(committed);
    b.close();
  });

  it("refuses new entries with STORAGE_FULL on a full filesystem (tmpfs), keeping every committed entry", (ctx) => {
    const mnt = join(dir, "mnt");
    mkdirSync(mnt);
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt]).status === 0;
    if (!mounted) return ctx.skip();
    try {
      const dbPath = join(mnt, "outbox.db");
      const a = Outbox.open(dbPath);
      const committed: string[] = [];
      let error: unknown;
      for (let i = 0; i < 10_000 && !error; i++) {
        try {
          const [e] = a.append([
            { kind: "billing-read", serial: "SN1", readAtMs: i, payload: { pad: "z".repeat(500), i } },
          ]);
          committed.push(e!.key);
        } catch (err) {
          error = err;
        }
      }
      expect((error as StorageError).code).toBe("STORAGE_FULL");
      expect(a.list().map((e) => e.key)).toEqual(committed);
      a.close();
      const b = new Database(dbPath, { readonly: true });
      expect((b.prepare("SELECT count(*) AS n FROM entries").get() as { n: number }).n).toBe(
        committed.length,
      );
      b.close();
    } finally {
      spawnSync("umount", ["-l", mnt]);
    }
  });
});
