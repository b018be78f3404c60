/**
 * The shared per-operation flow (src/server/store-flow.ts) on both stores, below the HTTP
 * front: the signer re-check sees the binding as of the operation's transaction, and its
 * refusal stores nothing — neither the write nor the replay record, so the same signed
 * message is accepted once the check passes.
 * PostgreSQL needs `ESOL_TEST_PG_URL` (scripts/pg-cluster.sh) and is skipped without it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SecurityError } from "../../../src/errors.js";
import { openStoreBackend, type StoreBackend } from "../../../src/server/store.js";
import type { RequestScope } from "../../../src/server/store-flow.js";
import type { VerifiedSender } from "../../../src/soap/security.js";
import { createDatabase, postgresUrl } from "../../helpers/pg.js";

const NOW = new Date("2026-11-25T10:00:00Z");
const clusterUrl = postgresUrl();
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const kinds: Array<{ name: string; skip: boolean; open: () => Promise<StoreBackend> }> = [
  {
    name: "SQLite",
    skip: false,
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), "esol-store-flow-"));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      return openStoreBackend(join(dir, "server.db"));
    },
  },
  {
    name: "PostgreSQL",
    skip: !clusterUrl,
    open: async () => {
      const database = await createDatabase(clusterUrl);
      cleanups.push(() => database.drop());
      return openStoreBackend(database.url);
    },
  },
];

const sender = {
  thumbprintSha256: "ab".repeat(32),
  subject: "CN=flow-test",
  certificatePem: "-----BEGIN CERTIFICATE-----\nflow-test\n-----END CERTIFICATE-----\n",
} as VerifiedSender;

describe.each(kinds)("store flow on $name", ({ skip, open }) => {
  it.skipIf(skip)(
    "the signer check gets the binding as of the transaction; its refusal leaves neither the read nor the replay record",
    async () => {
      const store = await open();
      cleanups.push(() => store.close());
      await store.registerProxy({ key: "flow-reg-1", proxyId: "fp" }, { now: NOW }, undefined, false);
      await store.registerDevices(
        { key: "flow-dev-1", proxyId: "fp", devices: [{ serial: "FP-1" }] },
        { now: NOW },
        "refuse",
      );
      // Bound after the registrations above, as a concurrent first RegisterProxy would.
      await store.registerProxy({ key: "flow-reg-2", proxyId: "fp" }, { now: NOW }, sender, false);
      const seen: Array<string | undefined> = [];
      const input = {
        proxyId: "fp",
        reads: [{ key: "flow-read-1", serial: "FP-1", readAt: NOW, meters: [{ name: "Total", value: 1 }] }],
      };
      const replay = { digest: "flow-digest-1", expiresAt: new Date(NOW.getTime() + 60_000) };
      const refusing: RequestScope = {
        now: NOW,
        replay,
        signerCheck: (bound) => {
          seen.push(bound);
          if (bound !== undefined) throw new SecurityError("WSS_UNSIGNED", "bound meanwhile");
        },
      };
      await expect(store.submitBillingReads(input, refusing, "monthly")).rejects.toMatchObject({
        code: "WSS_UNSIGNED",
      });
      expect(seen).toEqual([sender.thumbprintSha256]);
      expect((await store.exportAll()).billingReads).toEqual([]);

      // The same message (same replay record) once the check passes: stored once, then a replay.
      const passing: RequestScope = { now: NOW, replay, signerCheck: () => {} };
      await expect(store.submitBillingReads(input, passing, "monthly")).resolves.toEqual({
        accepted: 1,
        duplicates: 0,
      });
      await expect(store.submitBillingReads(input, passing, "monthly")).rejects.toMatchObject({
        code: "WSS_REPLAY",
      });
      expect((await store.exportAll()).billingReads.map((r) => r.key)).toEqual(["flow-read-1"]);
    },
    30_000,
  );
});
