/**
 * PostgreSQL for tests: the cluster `scripts/pg-cluster.sh start` runs (its URL in
 * `ESOL_TEST_PG_URL`), one fresh database per caller. Without the variable, suites that
 * need PostgreSQL are skipped locally with a message saying how to start it; under
 * `CI=true` they fail instead (CI must run them).
 *
 * @example
 * ```ts
 * const pg = requirePostgres("scale-out");
 * describe.skipIf(!pg)("…", () => { … const db = await createDatabase(); … await db.drop(); });
 * ```
 * @module
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

/** How to start the cluster, for skip messages. */
export const PG_START_HINT =
  'start a throwaway cluster with `eval "$(bash scripts/pg-cluster.sh start)"` (exports ESOL_TEST_PG_URL), then `bash scripts/pg-cluster.sh stop` when done';

/** The cluster URL, or undefined when none is configured. */
export function postgresUrl(): string | undefined {
  const url = process.env.ESOL_TEST_PG_URL;
  return url ? url : undefined;
}

/**
 * The cluster URL for a suite that needs PostgreSQL; undefined (after a warning naming the
 * suite and how to start the cluster) when there is none locally.
 * @throws Error under `CI=true` without `ESOL_TEST_PG_URL`.
 */
export function requirePostgres(suite: string): string | undefined {
  const url = postgresUrl();
  if (url) return url;
  if (process.env.CI === "true")
    throw new Error(`${suite}: ESOL_TEST_PG_URL is not set under CI=true; .ci/run starts the cluster`);
  console.warn(`skipping ${suite}: no PostgreSQL (ESOL_TEST_PG_URL unset) — ${PG_START_HINT}`);
  return undefined;
}

/** Whether the server suite runs on PostgreSQL (`ESOL_TEST_SERVER_STORE=postgres`). */
export function serverSuiteOnPostgres(): boolean {
  return process.env.ESOL_TEST_SERVER_STORE === "postgres";
}

/** A database of its own on the cluster. */
export interface TestDatabase {
  /** Its URL. */
  url: string;
  /** Drops it (closing other sessions on it first). */
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates a fresh, empty database on the cluster at `clusterUrl` (default `ESOL_TEST_PG_URL`). */
export async function createDatabase(clusterUrl = postgresUrl()): Promise<TestDatabase> {
  if (!clusterUrl) throw new Error(`no PostgreSQL: ${PG_START_HINT}`);
  const name = `esol_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(clusterUrl, name),
    async drop() {
      const c = new pg.Client({ connectionString: clusterUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
