/**
 * Signer-profile grants (`esol server --trust-legacy`) go through the store interface: the
 * same record / read / replace rules on the SQLite store and on the PostgreSQL store (the
 * latter needs `ESOL_TEST_PG_URL`, scripts/pg-cluster.sh; skipped locally without it).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  exportServerStore,
  openServerStore,
  readSignerProfiles,
  recordSignerProfiles,
} from "../../../src/server/index.js";
import { createDatabase, requirePostgres } from "../../helpers/pg.js";

const clusterUrl = requirePostgres("signer-profile grants on PostgreSQL");
const dir = mkdtempSync(join(tmpdir(), "esol-grants-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const A = { thumbprintSha256: "a".repeat(64), subject: "CN=old-client", profile: "legacy" as const };
const B = { thumbprintSha256: "b".repeat(64), subject: "CN=other-client", profile: "legacy" as const };
const T1 = new Date("2026-03-01T00:00:00.000Z");
const T2 = new Date("2026-03-02T00:00:00.000Z");

async function roundTrip(db: string): Promise<void> {
  // A fresh store: no grants, and an export without profiles.
  await (await openServerStore(db)).close();
  expect(await readSignerProfiles(db)).toEqual([]);
  await recordSignerProfiles(db, [A], T1);
  expect(await readSignerProfiles(db)).toEqual([{ ...A, grantedAt: T1.toISOString() }]);
  // Restarted with A and B: A keeps its first date, B is new.
  await recordSignerProfiles(db, [A, B], T2);
  expect(await readSignerProfiles(db)).toEqual([
    { ...A, grantedAt: T1.toISOString() },
    { ...B, grantedAt: T2.toISOString() },
  ]);
  // Restarted without A: its grant is withdrawn.
  await recordSignerProfiles(db, [B], T2);
  expect(await readSignerProfiles(db)).toEqual([{ ...B, grantedAt: T2.toISOString() }]);
  expect((await exportServerStore(db)).proxies).toEqual([]);
}

describe("signer-profile grants through the store", () => {
  it("SQLite: recorded, kept with their first date, replaced by the current flags", async () => {
    await roundTrip(join(dir, "cs.db"));
  });

  it.skipIf(!clusterUrl)("PostgreSQL: the same rules (migration step 2)", async () => {
    const database = await createDatabase(clusterUrl);
    try {
      await roundTrip(database.url);
    } finally {
      await database.drop();
    }
  });
});
