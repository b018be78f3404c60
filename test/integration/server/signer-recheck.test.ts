/**
 * The ProxyId lock is re-checked inside the operation's transaction (issue 16 review): an
 * operation checked against "not bound" must not write after a concurrent first binding of
 * its proxy committed. On PostgreSQL the operation holds the proxy row (FOR SHARE) from its
 * check to its commit, so a `RegisterProxy` that binds the proxy meanwhile waits for it:
 * the write comes before the binding, never after it.
 * The interleaving is forced with real locks: a test connection holds the device row, so
 * the unsigned submit stops inside its transaction after its check; a signed first
 * `RegisterProxy` for the same proxy then arrives.
 * Needs `ESOL_TEST_PG_URL` (scripts/pg-cluster.sh); skipped locally without it.
 */
import pg from "pg";
import { describe, expect, it } from "vitest";
import { CommunicationServer } from "../../../src/server/index.js";
import { createMessageSigner } from "../../../src/wssec/index.js";
import { createTestIdentity } from "../../helpers/keys.js";
import { createDatabase, requirePostgres } from "../../helpers/pg.js";
import { waitFor } from "../../helpers/poll.js";
import { codeOf, ops, post, type RawResponse, textOf } from "./raw.js";

const clusterUrl = requirePostgres("signer re-check in the operation's transaction");
const T0 = Date.parse("2026-11-25T10:00:00Z");

describe.skipIf(!clusterUrl)("signer re-check inside the operation's transaction (PostgreSQL)", () => {
  it("a first binding racing an unsigned submit waits for it: the read is stored before the proxy is bound, and later unsigned ones are refused", async () => {
    const db = await createDatabase(clusterUrl);
    const server = new CommunicationServer({
      db: db.url,
      tls: false,
      port: 0,
      signaturePolicy: "optional",
      supplies: false,
      clock: () => new Date(T0),
      storeOptions: { poolSize: 4, connectionTimeoutMs: 5_000, statementTimeoutMs: 20_000 },
    });
    const admin = new pg.Client({ connectionString: db.url });
    try {
      const { url } = await server.start();
      await admin.connect();
      expect((await post(url, ops.registerProxy("rc-reg-0001", "rc"))).status).toBe(200);
      expect((await post(url, ops.registerDevices("rc-dev-0001", "rc", ["RC-1"]))).status).toBe(200);
      const identity = await createTestIdentity("ec-p256", {
        commonName: "late-binder",
        notBefore: new Date(T0 - 86_400_000),
      });
      const signer = createMessageSigner({ key: identity.keyPem, cert: identity.certPem, clock: () => T0 });
      const bind = await signer.secureRequest(ops.registerProxy("rc-reg-0002", "rc"), {
        operation: "RegisterProxy",
        attempt: 1,
      });
      const waiting = async (like: string) => {
        await admin.query("SELECT pg_stat_clear_snapshot()");
        const rows = await admin.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database()
             AND application_name = 'esol-server' AND wait_event_type = 'Lock' AND query LIKE $1`,
          [like],
        );
        return (rows.rowCount ?? 0) > 0;
      };

      // The submit passes its check (the proxy is not bound), then waits on the device row.
      await admin.query("BEGIN");
      await admin.query("SELECT 1 FROM devices WHERE serial = 'RC-1' FOR UPDATE");
      const submit = post(url, ops.submitBillingReads("rc", [ops.read("rc-read-0001", "RC-1", 5)]));
      expect(
        await waitFor(() => waiting("%FOR NO KEY UPDATE%")),
        "the submit never waited on the device",
      ).toBe(true);

      // A first signed registration of the same proxy: it must wait for the submit.
      let bound: RawResponse | undefined;
      const registration = post(url, bind).then((r) => {
        bound = r;
        return r;
      });
      const waited = await waitFor(
        async () => bound !== undefined || (await waiting("%INSERT INTO proxies%")),
      );
      expect(waited, "the registration neither finished nor waited").toBe(true);
      expect(
        bound,
        "the proxy was bound while a request checked as unbound had not written yet",
      ).toBeUndefined();

      await admin.query("ROLLBACK");
      const stored = await submit;
      expect(stored.status, stored.body).toBe(200);
      expect([textOf(stored.body, "Accepted"), textOf(stored.body, "Duplicates")]).toEqual(["1", "0"]);
      const registered = await registration;
      expect(registered.status, registered.body).toBe(200);
      expect(textOf(registered.body, "Duplicate")).toBe("false");

      // Bound now: an unsigned request for the proxy is refused, nothing stored.
      const late = await post(url, ops.submitBillingReads("rc", [ops.read("rc-read-0002", "RC-1", 6)]));
      expect(codeOf(late), late.body).toBe("WSS_UNSIGNED");
      const exported = await server.exportStoreAsync();
      expect(exported.billingReads.map((r) => r.key)).toEqual(["rc-read-0001"]);
      expect(exported.proxies[0]?.signer?.subject).toContain("late-binder");
    } finally {
      await admin.query("ROLLBACK").catch(() => {});
      await admin.end().catch(() => {});
      await server.close();
      await db.drop();
    }
  }, 60_000);
});
