import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { exportServerStore, openServerStore } from "../../../src/server/index.js";
import { SQLITE_SCHEMA_VERSION } from "../../../src/server/store-sqlite.js";

const dirs: string[] = [];
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), "esol-store-"));
  dirs.push(dir);
  return join(dir, "server.db");
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("the SQLite store's migration ladder", () => {
  it("creates a new file at the current version", async () => {
    const path = tempDb();
    const store = await openServerStore(path);
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
    db.close();
    expect(SQLITE_SCHEMA_VERSION).toBe(5);
  });

  it("climbs from version 1 (no signer_trusted, no device_moves), keeping the rows", async () => {
    const path = tempDb();
    const db = new Database(path);
    db.exec(`CREATE TABLE proxies (proxy_id TEXT PRIMARY KEY, site TEXT, software TEXT, host TEXT,
      registered_at TEXT NOT NULL, signer_thumbprint TEXT, signer_subject TEXT, signer_cert TEXT);
      CREATE TABLE message_keys (operation TEXT NOT NULL, key TEXT NOT NULL, proxy_id TEXT NOT NULL,
      received_at TEXT NOT NULL, PRIMARY KEY (operation, key));
      CREATE TABLE devices (serial TEXT PRIMARY KEY, proxy_id TEXT NOT NULL, vendor TEXT, model TEXT, mac TEXT,
      address TEXT, registered_at TEXT NOT NULL, billing_enabled INTEGER NOT NULL DEFAULT 0,
      supplies_enabled INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'ok', state_detail TEXT,
      last_read_at TEXT, last_status_at TEXT, disable_reason TEXT);
      CREATE TABLE billing_reads (seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, serial TEXT NOT NULL,
      read_at TEXT NOT NULL, cycle TEXT, effective_cycle TEXT NOT NULL, meters TEXT NOT NULL, received_at TEXT NOT NULL);
      CREATE TABLE supplies_reports (seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, serial TEXT NOT NULL,
      read_at TEXT NOT NULL, supplies TEXT NOT NULL, received_at TEXT NOT NULL);
      CREATE TABLE billing_requests (serial TEXT NOT NULL, cycle TEXT NOT NULL, meters TEXT NOT NULL, due TEXT NOT NULL,
      issued_at TEXT NOT NULL, fulfilled_at TEXT, PRIMARY KEY (serial, cycle));
      INSERT INTO proxies (proxy_id, registered_at) VALUES ('p1', '2026-01-01T00:00:00.000Z');
      PRAGMA user_version = 1;`);
    db.close();
    const store = await openServerStore(path);
    const exported = await store.exportAll();
    await store.close();
    expect(exported.proxies.map((p) => p.proxyId)).toEqual(["p1"]);
    expect(exported.deviceMoves).toEqual([]);
    const after = new Database(path, { readonly: true });
    expect(after.pragma("user_version", { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
    after.close();
  });

  it("refuses a file written by a newer version with STORAGE_SCHEMA, and leaves it untouched", async () => {
    const path = tempDb();
    const db = new Database(path);
    db.exec("CREATE TABLE future (x INTEGER)");
    db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    db.close();
    await expect(openServerStore(path)).rejects.toMatchObject({
      code: "STORAGE_SCHEMA",
      message: expect.stringMatching(/newer version.*upgrade the server/),
    });
    await expect(exportServerStore(path)).rejects.toMatchObject({ code: "STORAGE_SCHEMA" });
    const after = new Database(path, { readonly: true });
    expect(after.pragma("user_version", { simple: true })).toBe(SQLITE_SCHEMA_VERSION + 1);
    after.close();
  });
});
