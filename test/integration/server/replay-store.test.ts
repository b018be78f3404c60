/**
 * The replay cache is the store's, on SQLite as on PostgreSQL (issue 16 review):
 * - two servers on one SQLite store in one process share it: a signed message one accepted
 *   is a replay for the other (each server's verifier has a cache of its own, which sees
 *   only what that server accepted);
 * - sweeping expired entries is best effort: it runs after the request committed, a failure
 *   is logged (`warn`) and the request that triggered it is answered as if nothing happened;
 *   the next sweep (one per REPLAY_SWEEP_INTERVAL_MS of the server's clock) removes them.
 * The sweep failure is real: a trigger on `replay_cache` refuses every DELETE.
 * PostgreSQL cases need `ESOL_TEST_PG_URL` (scripts/pg-cluster.sh) and are skipped without it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import {
  CommunicationServer,
  openServerStore,
  type ServerLogger,
  type ServerStore,
} from "../../../src/server/index.js";
import { REPLAY_SWEEP_INTERVAL_MS } from "../../../src/server/store-flow.js";
import { createMessageSigner } from "../../../src/wssec/index.js";
import { createTestIdentity } from "../../helpers/keys.js";
import { createDatabase, postgresUrl } from "../../helpers/pg.js";
import { waitFor } from "../../helpers/poll.js";
import { codeOf, ops, post, textOf } from "./raw.js";

const T0 = Date.parse("2026-11-25T10:00:00Z");
const clusterUrl = postgresUrl();

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), "esol-replay-store-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "server.db");
}

async function signerAt(clock: () => number) {
  const identity = await createTestIdentity("ec-p256", {
    commonName: "replay-store",
    notBefore: new Date(T0 - 86_400_000),
  });
  return createMessageSigner({ key: identity.keyPem, cert: identity.certPem, clock });
}

describe("one replay cache per store", () => {
  const cases: Array<{ name: string; store: () => Promise<{ store: ServerStore } | { db: string }> }> = [
    {
      name: "SQLite: two servers sharing one store object",
      store: async () => {
        const store = await openServerStore(tempDb());
        cleanups.push(() => store.close());
        return { store };
      },
    },
    { name: "SQLite: two servers each opening the same file", store: async () => ({ db: tempDb() }) },
  ];
  it.each(cases)("$name — a message accepted by one is a replay for the other", async ({ store }) => {
    const settings = {
      ...(await store()),
      tls: false as const,
      port: 0,
      signaturePolicy: "optional" as const,
      clock: () => new Date(T0),
    };
    const a = new CommunicationServer(settings);
    const b = new CommunicationServer(settings);
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const urlA = (await a.start()).url;
    const urlB = (await b.start()).url;
    const signer = await signerAt(() => T0);
    const signed = await signer.secureRequest(ops.registerProxy("replay-key-0001", "rp-1"), {
      operation: "RegisterProxy",
      attempt: 1,
    });
    const first = await post(urlA, signed);
    expect(first.status, first.body).toBe(200);
    expect(textOf(first.body, "Duplicate")).toBe("false");
    const again = await post(urlB, signed);
    expect(codeOf(again), again.body).toBe("WSS_REPLAY");
    expect((await a.exportStoreAsync()).proxies.map((p) => p.proxyId)).toEqual(["rp-1"]);
  });
});

/** A store kind for the sweep cases: where it lives and a connection of the test's own to it. */
interface SweepStore {
  db: string;
  /** Runs SQL on a connection of the test's own. */
  exec(sql: string): Promise<void>;
  /** Digests in the replay cache, sorted. */
  digests(): Promise<string[]>;
}

const stores: Array<{ name: string; skip: boolean; open: () => Promise<SweepStore> }> = [
  {
    name: "SQLite",
    skip: false,
    open: async () => {
      const db = tempDb();
      // Created (and migrated) by a first open, so the test can add its trigger.
      await (await openServerStore(db)).close();
      const admin = new Database(db);
      cleanups.push(() => {
        admin.close();
      });
      return {
        db,
        exec: async (sql) => {
          admin.exec(sql);
        },
        digests: async () =>
          (
            admin.prepare("SELECT digest FROM replay_cache ORDER BY digest").all() as Array<{
              digest: string;
            }>
          ).map((r) => r.digest),
      };
    },
  },
  {
    name: "PostgreSQL",
    skip: !clusterUrl,
    open: async () => {
      const database = await createDatabase(clusterUrl);
      cleanups.push(() => database.drop());
      await (await openServerStore(database.url)).close();
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      cleanups.push(() => admin.end());
      return {
        db: database.url,
        exec: async (sql) => {
          await admin.query(sql);
        },
        digests: async () =>
          (await admin.query<{ digest: string }>("SELECT digest FROM replay_cache ORDER BY digest")).rows.map(
            (r) => r.digest,
          ),
      };
    },
  },
];

const REFUSE_DELETE: Record<string, string> = {
  SQLite: `CREATE TRIGGER replay_cache_keep BEFORE DELETE ON replay_cache
           BEGIN SELECT RAISE(ABORT, 'sweep refused by the test'); END;`,
  PostgreSQL: `CREATE FUNCTION replay_cache_keep() RETURNS trigger LANGUAGE plpgsql AS
                 $$ BEGIN RAISE EXCEPTION 'sweep refused by the test'; END $$;
               CREATE TRIGGER replay_cache_keep BEFORE DELETE ON replay_cache
                 FOR EACH ROW EXECUTE FUNCTION replay_cache_keep();`,
};
const ALLOW_DELETE: Record<string, string> = {
  SQLite: "DROP TRIGGER replay_cache_keep;",
  PostgreSQL: "DROP TRIGGER replay_cache_keep ON replay_cache;",
};

describe.each(stores)("replay-cache sweep on $name", ({ name, skip, open }) => {
  it.skipIf(skip)(
    "a failed sweep is logged and fails no request; the next sweep removes the expired entries",
    async () => {
      const store = await open();
      // An entry long expired, and a DELETE that fails.
      await store.exec("INSERT INTO replay_cache (digest, expires_at) VALUES ('stale', 0)");
      await store.exec(REFUSE_DELETE[name] as string);
      const warnings: string[] = [];
      const logger: ServerLogger = {
        debug() {},
        info() {},
        warn: (_obj, msg) => void warnings.push(msg ?? ""),
        error() {},
      };
      let nowMs = T0;
      const server = new CommunicationServer({
        db: store.db,
        tls: false,
        port: 0,
        signaturePolicy: "optional",
        clock: () => new Date(nowMs),
        logger,
      });
      cleanups.push(() => server.close());
      const { url } = await server.start();
      const signer = await signerAt(() => nowMs);
      const send = async (key: string) =>
        post(
          url,
          await signer.secureRequest(ops.registerProxy(key, "sweep-1"), {
            operation: "RegisterProxy",
            attempt: 1,
          }),
        );

      const first = await send("sweep-key-0001");
      expect(first.status, first.body).toBe(200);
      expect(textOf(first.body, "Duplicate")).toBe("false");
      const sweepFailed = (w: string) => w.startsWith("replay cache sweep failed");
      expect(await waitFor(() => warnings.some(sweepFailed)), "the failed sweep was not logged").toBe(true);
      expect(await store.digests()).toHaveLength(2); // the stale entry and the first message

      // Past the first message's Expires (5 min + 1 min skew) and the sweep interval.
      await store.exec(ALLOW_DELETE[name] as string);
      nowMs = T0 + Math.max(10 * 60_000, REPLAY_SWEEP_INTERVAL_MS + 1);
      const second = await send("sweep-key-0002");
      expect(second.status, second.body).toBe(200);
      expect(
        await waitFor(async () => (await store.digests()).length === 1),
        `expired entries left: ${(await store.digests()).join(", ")}`,
      ).toBe(true);
      expect(await store.digests()).not.toContain("stale");
      expect(warnings.filter(sweepFailed)).toHaveLength(1);
      expect((await server.exportStoreAsync()).proxies.map((p) => p.proxyId)).toEqual(["sweep-1"]);
    },
    30_000,
  );
});
