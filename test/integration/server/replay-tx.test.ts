/**
 * The shared replay cache of a PostgreSQL store is written in the operation's transaction
 * (issue 16 follow-up): a signed message whose operation fails because the database goes
 * away after its replay record is not used up — the same signed bytes resent after
 * recovery are accepted and stored once, and only then are they a replay.
 * The failure is real: the operation waits on a device row lock a test connection holds
 * (after the replay record was written in its transaction), and the test ends that
 * server backend with `pg_terminate_backend`.
 * Needs `ESOL_TEST_PG_URL` (scripts/pg-cluster.sh); skipped locally without it.
 */
import pg from "pg";
import { describe, expect, it } from "vitest";
import { CommunicationServer, exportServerStore } from "../../../src/server/index.js";
import { createMessageSigner } from "../../../src/wssec/index.js";
import { createTestIdentity } from "../../helpers/keys.js";
import { createDatabase, requirePostgres } from "../../helpers/pg.js";
import { waitFor } from "../../helpers/poll.js";
import { codeOf, ops, post, textOf } from "./raw.js";

const clusterUrl = requirePostgres("replay record in the operation's transaction");

describe.skipIf(!clusterUrl)("a signed message whose operation fails is not used up", () => {
  it("database connection ended after the replay record: the same signed bytes are accepted after recovery, stored once, then a replay", async () => {
    const db = await createDatabase(clusterUrl);
    const settings = {
      db: db.url,
      tls: false as const,
      port: 0,
      signaturePolicy: "optional" as const,
      supplies: false as const,
      storeOptions: { poolSize: 2, connectionTimeoutMs: 2_000, statementTimeoutMs: 20_000 },
    };
    const first = new CommunicationServer(settings);
    const second = new CommunicationServer(settings);
    const admin = new pg.Client({ connectionString: db.url });
    try {
      const urlA = (await first.start()).url;
      const urlB = (await second.start()).url;
      await admin.connect();
      const reg = await post(urlA, ops.registerProxy("tx-reg-0001", "tx"));
      expect(reg.status, reg.body).toBe(200);
      expect((await post(urlA, ops.registerDevices("tx-dev-0001", "tx", ["TX-1"]))).status).toBe(200);
      const identity = await createTestIdentity("ec-p256", { commonName: "replay-tx" });
      const signer = createMessageSigner({ key: identity.keyPem, cert: identity.certPem });
      const body = ops.submitBillingReads("tx", [ops.read("key-tx-0001", "TX-1", 7)]);
      const signed = await signer.secureRequest(body, { operation: "SubmitBillingReads", attempt: 1 });
      const replayRows = async () =>
        Number((await admin.query("SELECT count(*) AS n FROM replay_cache")).rows[0].n);
      const before = await replayRows();

      // Hold the device: the submit records its replay entry, then waits on the row lock.
      await admin.query("BEGIN");
      await admin.query("SELECT 1 FROM devices WHERE serial = 'TX-1' FOR UPDATE");
      const pending = post(urlA, signed);
      let pid: number | undefined;
      const blocked = await waitFor(async () => {
        // Inside a transaction the statistics views are a snapshot: take a fresh one.
        await admin.query("SELECT pg_stat_clear_snapshot()");
        const rows = await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
           WHERE datname = current_database() AND application_name = 'esol-server'
             AND wait_event_type = 'Lock' AND query LIKE '%FOR NO KEY UPDATE%'`,
        );
        pid = rows.rows[0]?.pid;
        return pid !== undefined;
      });
      expect(blocked, "the submit never waited on the device lock").toBe(true);
      await admin.query("SELECT pg_terminate_backend($1)", [pid]);
      const failed = await pending;
      await admin.query("ROLLBACK");
      expect(failed.status, failed.body).toBe(500);
      expect(codeOf(failed)).toBe("STORAGE_UNAVAILABLE");
      expect(textOf(failed.body, "Retryable")).toBe("true");
      // Nothing half-stored: neither the read nor the replay record.
      expect((await exportServerStore(db.url)).billingReads).toEqual([]);
      expect(await replayRows()).toBe(before);

      // The same bytes, to a process whose own verifier has not seen them: accepted once.
      const stored = await post(urlB, signed);
      expect(stored.status, stored.body).toBe(200);
      expect([textOf(stored.body, "Accepted"), textOf(stored.body, "Duplicates")]).toEqual(["1", "0"]);
      expect(await replayRows()).toBe(before + 1);
      // From now on they are a replay everywhere.
      for (const url of [urlA, urlB]) expect(codeOf(await post(url, signed))).toBe("WSS_REPLAY");
      expect((await exportServerStore(db.url)).billingReads.map((r) => r.key)).toEqual(["key-tx-0001"]);
    } finally {
      await admin.end().catch(() => {});
      await first.close();
      await second.close();
      await db.drop();
    }
  }, 60_000);
});
