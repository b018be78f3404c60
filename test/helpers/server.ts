/**
 * Starts a real {@link CommunicationServer} on loopback over a SQLite file in a fresh temp
 * folder, for any suite that needs a Communication Server to talk to. With
 * `ESOL_TEST_SERVER_STORE=postgres` (and `ESOL_TEST_PG_URL`, see test/helpers/pg.ts) the
 * store is a fresh PostgreSQL database instead, and `dbPath` is its URL.
 *
 * @example
 * ```ts
 * const srv = await startTestServer({ tls: false });
 * // ... call srv.url ...
 * expect(srv.server.exportStore().billingReads).toHaveLength(1);
 * await srv.close(); // stops the server and removes the folder
 * ```
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommunicationServer, type CommunicationServerOptions } from "../../src/server/index.js";
import { selfSignedPairFor } from "../../src/server/tls.js";
import { createDatabase, serverSuiteOnPostgres, type TestDatabase } from "./pg.js";

/** Options of {@link startTestServer}: the server's, without `dbPath` (a temp file is used). */
export type TestServerOptions = Omit<CommunicationServerOptions, "dbPath"> & {
  /** Use this store file instead of a fresh temp one (e.g. to restart on the same data). */
  dbPath?: string;
};

/** A running test server. */
export interface TestServer {
  server: CommunicationServer;
  /** Endpoint URL (`${url}?wsdl` serves the WSDL). */
  url: string;
  /** The TLS certificate to trust (HTTPS only). */
  certificatePem: string | undefined;
  /** The SQLite file (the PostgreSQL URL when the suite runs on PostgreSQL). */
  dbPath: string;
  /** The temp folder holding the store (and the generated TLS pair). */
  dir: string;
  /** Stops the server; removes the temp folder unless `keepFiles`. */
  close(options?: { keepFiles?: boolean }): Promise<void>;
}

/**
 * Starts a server on 127.0.0.1. `port` defaults to 0 (an ephemeral port, outside every
 * suite's fixed range); pass a port of your own range when the test needs a fixed one.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "esol-server-"));
  let database: TestDatabase | undefined;
  let dbPath = options.dbPath ?? join(dir, "server.db");
  const extra: Partial<CommunicationServerOptions> = {};
  if (serverSuiteOnPostgres() && !options.store) {
    if (options.dbPath === undefined) {
      database = await createDatabase();
      dbPath = database.url;
    }
    // A PostgreSQL store has no folder for a generated pair: make one here.
    if (options.tls === undefined) extra.tls = await selfSignedPairFor(join(dir, "server.db"));
  }
  const server = new CommunicationServer({ port: 0, host: "127.0.0.1", ...options, ...extra, dbPath });
  try {
    const { url, certificatePem } = await server.start();
    return {
      server,
      url,
      certificatePem,
      dbPath,
      dir,
      async close(closeOptions = {}) {
        await server.close();
        if (!closeOptions.keepFiles) {
          rmSync(dir, { recursive: true, force: true });
          await database?.drop();
        }
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
    throw err;
  }
}
