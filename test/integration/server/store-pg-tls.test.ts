/**
 * TLS to PostgreSQL (`sslMode`, `sslRootCert`; PostgreSQL docs §34.19.1): a cluster of its
 * own started by `scripts/pg-cluster.sh start --ssl` (ssl=on, a self-signed certificate for
 * 127.0.0.1 made with openssl). `verify-full` with that certificate as the CA connects
 * encrypted; with another CA it is refused with `STORAGE_OPEN` naming the certificate
 * problem; `require` connects encrypted without checking; `disable` connects in plain text.
 * Needs the PostgreSQL binaries (as `ESOL_TEST_PG_URL` does); skipped locally without it.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSdkError } from "../../../src/errors.js";
import { openServerStore, type PostgresSslMode } from "../../../src/server/index.js";
import { createTestIdentity } from "../../helpers/keys.js";
import { requirePostgres } from "../../helpers/pg.js";

const run = promisify(execFile);
const needed = requirePostgres("TLS to PostgreSQL");

let url = "";
let dir = "";
let rootCert = "";

/** Whether the store's connections to `url` are encrypted (pg_stat_ssl of its backends). */
async function encrypted(): Promise<boolean[]> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const rows = await admin.query<{ ssl: boolean }>(
      `SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
       WHERE a.application_name = 'esol-server' AND a.datname = current_database()`,
    );
    return rows.rows.map((r) => r.ssl);
  } finally {
    await admin.end();
  }
}

async function openWith(sslMode: PostgresSslMode, sslRootCert?: string) {
  return openServerStore(url, { sslMode, poolSize: 1, ...(sslRootCert ? { sslRootCert } : {}) });
}

describe.skipIf(!needed)("TLS to PostgreSQL", () => {
  beforeAll(async () => {
    const { stdout } = await run("bash", ["scripts/pg-cluster.sh", "start", "--ssl"], { timeout: 90_000 });
    const vars = Object.fromEntries(
      [...stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1] as string, m[2] as string]),
    );
    url = vars.ESOL_TEST_PG_URL ?? "";
    dir = vars.ESOL_TEST_PG_DIR ?? "";
    rootCert = await readFile(vars.ESOL_TEST_PG_SSLROOTCERT ?? "", "utf8");
  }, 120_000);

  afterAll(async () => {
    if (dir) await run("bash", ["scripts/pg-cluster.sh", "stop", dir], { timeout: 60_000 });
  });

  it("verify-full with the server's CA connects encrypted", async () => {
    const store = await openWith("verify-full", rootCert);
    try {
      await store.ping();
      expect(await encrypted()).toEqual([true]);
    } finally {
      await store.close();
    }
  });

  it("verify-full with another CA is refused with STORAGE_OPEN naming the certificate problem", async () => {
    const other = await createTestIdentity("ec-p256", { commonName: "127.0.0.1" });
    const refused = await openWith("verify-full", other.certPem).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isSdkError(refused) && refused.code).toBe("STORAGE_OPEN");
    expect((refused as Error).message).toMatch(/TLS to postgres:\/\/.* refused \(sslmode verify-full\)/);
    expect((refused as Error).message).toMatch(/certificate/i);
  });

  it("require connects encrypted without checking the certificate; disable connects in plain text", async () => {
    const required = await openWith("require");
    try {
      await required.ping();
      expect(await encrypted()).toEqual([true]);
    } finally {
      await required.close();
    }
    const plain = await openWith("disable");
    try {
      await plain.ping();
      expect(await encrypted()).toEqual([false]);
    } finally {
      await plain.close();
    }
  });
});
