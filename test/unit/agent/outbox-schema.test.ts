import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DeviceRegistry } from "../../../src/agent/devices.js";
import { Outbox } from "../../../src/agent/outbox.js";
import { entryChecksum } from "../../../src/agent/outbox-integrity.js";
import { OUTBOX_SCHEMA_VERSION } from "../../../src/agent/outbox-schema.js";
import { StorageError } from "../../../src/errors.js";

let dir: string;
const NOW = Date.parse("2026-11-01T00:00:00Z");

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "esol-outbox-schema-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The tables as the release before the migration ladder wrote them (no `user_version`), frozen here. */
const PRE_LADDER_SCHEMA = `
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entries (
  seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, serial TEXT, read_at INTEGER,
  dedup TEXT UNIQUE, payload TEXT NOT NULL, checksum TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL, last_error TEXT,
  created_at INTEGER NOT NULL, done_at INTEGER
);
CREATE INDEX entries_due ON entries(state, next_attempt_at);
CREATE TABLE readings (
  id INTEGER PRIMARY KEY, serial TEXT NOT NULL, address TEXT NOT NULL, read_at INTEGER NOT NULL,
  payload TEXT NOT NULL, checksum TEXT NOT NULL
);
CREATE INDEX readings_serial ON readings(serial, read_at);
CREATE TABLE devices (
  serial TEXT PRIMARY KEY, address TEXT NOT NULL, mac TEXT, vendor TEXT, model TEXT,
  state TEXT NOT NULL DEFAULT 'ok', first_seen_at INTEGER NOT NULL, last_ok_at INTEGER,
  failed_polls INTEGER NOT NULL DEFAULT 0, registered INTEGER NOT NULL DEFAULT 0,
  billing INTEGER NOT NULL DEFAULT 0, supplies INTEGER NOT NULL DEFAULT 0, supplies_interval_ms INTEGER,
  last_supplies_at INTEGER, status_dirty INTEGER NOT NULL DEFAULT 0, detail TEXT
);
CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY, source_table TEXT NOT NULL, row_id INTEGER, reason TEXT NOT NULL,
  raw BLOB NOT NULL, at INTEGER NOT NULL
);
`;

function writePreLadderFile(path: string): void {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.exec(PRE_LADDER_SCHEMA);
  const row = {
    seq: 1,
    key: "SN1:2026-11-01T00:00:00.000Z:1",
    kind: "billing-read",
    serial: "SN1",
    read_at: NOW,
    dedup: "billing:SN1:2026-11",
    payload: JSON.stringify({ key: "SN1:2026-11-01T00:00:00.000Z:1", serial: "SN1", meters: [] }),
  };
  db.prepare(
    `INSERT INTO entries (seq, key, kind, serial, read_at, dedup, payload, checksum, next_attempt_at, created_at)
     VALUES (@seq, @key, @kind, @serial, @read_at, @dedup, @payload, @checksum, @now, @now)`,
  ).run({ ...row, checksum: entryChecksum(row), now: NOW });
  db.prepare("INSERT INTO meta (name, value) VALUES ('proxy.registered', '1'), ('seq', '1')").run();
  db.prepare(
    "INSERT INTO devices (serial, address, state, first_seen_at, registered) VALUES ('SN1', '127.0.0.1:161', 'ok', ?, 1)",
  ).run(NOW);
  expect(db.pragma("user_version", { simple: true })).toBe(0);
  db.close();
}

describe("the outbox schema's user_version ladder", () => {
  it("opens a file written before the ladder, migrates it to the current version and keeps its rows", () => {
    const path = join(dir, "outbox.db");
    writePreLadderFile(path);
    const outbox = Outbox.open(path, { now: () => NOW });
    expect(outbox.openReport).toEqual({ integrity: "ok", quarantined: 0, problems: [] });
    expect(outbox.list().map((e) => [e.seq, e.key, e.state])).toEqual([
      [1, "SN1:2026-11-01T00:00:00.000Z:1", "pending"],
    ]);
    expect(outbox.getMeta("proxy.registered")).toBe("1");
    expect(new DeviceRegistry(outbox).list().map((d) => [d.serial, d.registered])).toEqual([["SN1", true]]);
    // The sequence goes on from the old file's.
    const [next] = outbox.append([{ kind: "sync-status", payload: { statuses: [] } }]);
    expect(next?.seq).toBe(2);
    outbox.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(OUTBOX_SCHEMA_VERSION);
    db.close();
    // A second open finds the current version and changes nothing.
    const again = Outbox.open(path, { now: () => NOW });
    expect(again.list()).toHaveLength(2);
    again.close();
  });

  it("stamps a new file with the current version", () => {
    const path = join(dir, "new.db");
    Outbox.open(path, { now: () => NOW }).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(OUTBOX_SCHEMA_VERSION);
    db.close();
  });

  it("refuses a file of a newer release with STORAGE_SCHEMA and leaves it untouched", () => {
    const path = join(dir, "outbox.db");
    writePreLadderFile(path);
    const db = new Database(path);
    db.pragma(`user_version = ${OUTBOX_SCHEMA_VERSION + 1}`);
    db.close();
    let thrown: unknown;
    try {
      Outbox.open(path, { now: () => NOW });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(StorageError);
    expect((thrown as StorageError).code).toBe("STORAGE_SCHEMA");
    expect((thrown as StorageError).message).toMatch(
      new RegExp(`schema version ${OUTBOX_SCHEMA_VERSION + 1}.*newer release`),
    );
    // Neither rebuilt nor moved aside as damaged.
    expect(readdirSync(dir).filter((f) => f.includes(".corrupt-"))).toEqual([]);
    expect(existsSync(path)).toBe(true);
    const after = new Database(path, { readonly: true });
    expect(after.pragma("user_version", { simple: true })).toBe(OUTBOX_SCHEMA_VERSION + 1);
    expect((after.prepare("SELECT count(*) AS n FROM entries").get() as { n: number }).n).toBe(1);
    after.close();
  });
});
