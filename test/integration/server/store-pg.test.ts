/**
 * The PostgreSQL store's schema ladder: processes opening a new database together migrate it
 * once (advisory lock), a newer schema is refused, a database that does not answer is
 * STORAGE_UNAVAILABLE. Needs `ESOL_TEST_PG_URL` (scripts/pg-cluster.sh); skipped locally without it.
 */
import net from "node:net";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { exportServerStore, openServerStore } from "../../../src/server/index.js";
import { POSTGRES_SCHEMA_VERSION } from "../../../src/server/store-pg.js";
import { createDatabase, requirePostgres } from "../../helpers/pg.js";

const clusterUrl = requirePostgres("PostgreSQL store migrations");

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe.skipIf(!clusterUrl)("the PostgreSQL store's schema", () => {
  it("eight stores opening a new database at once migrate it once", async () => {
    const db = await createDatabase(clusterUrl);
    try {
      const stores = await Promise.all(
        Array.from({ length: 8 }, () => openServerStore(db.url, { poolSize: 1 })),
      );
      await Promise.all(stores.map((s) => s.ping()));
      await Promise.all(stores.map((s) => s.close()));
      const rows = (await query(db.url, "SELECT version FROM esol_schema")).rows;
      expect(rows).toEqual([{ version: POSTGRES_SCHEMA_VERSION }]);
      expect(await exportServerStore(db.url)).toMatchObject({ proxies: [], billingReads: [] });
    } finally {
      await db.drop();
    }
  });

  it("refuses a database written by a newer version with STORAGE_SCHEMA and leaves it as it was", async () => {
    const db = await createDatabase(clusterUrl);
    try {
      await (await openServerStore(db.url)).close();
      await query(db.url, `UPDATE esol_schema SET version = ${POSTGRES_SCHEMA_VERSION + 1}`);
      await expect(openServerStore(db.url)).rejects.toMatchObject({
        code: "STORAGE_SCHEMA",
        message: expect.stringMatching(/newer version.*upgrade the server/),
      });
      await expect(exportServerStore(db.url)).rejects.toMatchObject({ code: "STORAGE_SCHEMA" });
      expect((await query(db.url, "SELECT version FROM esol_schema")).rows).toEqual([
        { version: POSTGRES_SCHEMA_VERSION + 1 },
      ]);
    } finally {
      await db.drop();
    }
  });

  it("a database that does not answer is STORAGE_UNAVAILABLE (retryable), without the password in the message", async () => {
    // A loopback port with nothing behind it: the OS hands one out, the listener closes.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const err = await openServerStore(`postgres://esol:s3cret@127.0.0.1:${port}/esol`, {
      connectionTimeoutMs: 2_000,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "STORAGE_UNAVAILABLE", retryable: true });
    expect(String((err as Error).message)).not.toContain("s3cret");
  });
});
