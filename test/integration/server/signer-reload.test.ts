/**
 * A request naming a key the process does not know reloads the certificates bound on the
 * shared store at most once per `SIGNER_RELOAD_INTERVAL_MS` of the server's clock: 100 such
 * requests cost the database one reload, not 100; a certificate another process bound is
 * accepted once the interval has passed. Reloads are counted through the server's logger
 * (its `bound signer certificates reloaded` debug event).
 * Needs `ESOL_TEST_PG_URL` (scripts/pg-cluster.sh); skipped locally without it.
 */
import { describe, expect, it } from "vitest";
import { CommunicationServer, type ServerLogger } from "../../../src/server/index.js";
import { SIGNER_RELOAD_INTERVAL_MS } from "../../../src/server/server.js";
import { createMessageSigner } from "../../../src/wssec/index.js";
import { createTestIdentity } from "../../helpers/keys.js";
import { createDatabase, requirePostgres } from "../../helpers/pg.js";
import { faultCode, ops, post, type RawResponse } from "./raw.js";

const clusterUrl = requirePostgres("bounded reload of bound signer certificates");

const codeOf = (r: RawResponse): string | undefined =>
  faultCode(r.body) ?? /<faultstring>(WSS_\w+):/.exec(r.body)?.[1];

describe.skipIf(!clusterUrl)("reloading certificates bound by another process", () => {
  it("100 requests with an unknown key cause one reload; a certificate bound elsewhere is accepted after the interval", async () => {
    const db = await createDatabase(clusterUrl);
    // Starts at the wall clock only so the test certificates are valid; it then moves by hand.
    let nowMs = Date.now();
    let reloads = 0;
    const counting: ServerLogger = {
      debug(_obj, msg) {
        if (msg === "bound signer certificates reloaded") reloads++;
      },
      info() {},
      warn() {},
      error() {},
    };
    const settings = {
      db: db.url,
      tls: false as const,
      port: 0,
      supplies: false as const,
      clock: () => new Date(nowMs),
    };
    const binder = new CommunicationServer(settings);
    const watched = new CommunicationServer({ ...settings, logger: counting });
    try {
      const urlBinder = (await binder.start()).url;
      const urlWatched = (await watched.start()).url;
      const [stranger, proxy] = await Promise.all([
        createTestIdentity("ec-p256", { commonName: "stranger" }),
        createTestIdentity("ec-p256", { commonName: "bound-elsewhere" }),
      ]);
      const clock = { clock: () => nowMs };
      // A thumbprint reference names a key without carrying it: unknown to every process.
      const unknown = createMessageSigner({
        key: stranger.keyPem,
        cert: stranger.certPem,
        keyReference: "thumbprint-sha256",
        ...clock,
      });
      const bad = Array.from({ length: 100 }, (_, i) => i);
      for (const i of bad) {
        const body = await unknown.secureRequest(ops.registerProxy(`stranger-${1000 + i}`, "stranger"), {
          operation: "RegisterProxy",
          attempt: 1,
        });
        expect(codeOf(await post(urlWatched, body))).toBe("WSS_UNTRUSTED_KEY");
      }
      expect(reloads).toBe(1);

      // Another process binds a certificate by a signed first registration (BST reference).
      const registering = createMessageSigner({ key: proxy.keyPem, cert: proxy.certPem, ...clock });
      const registered = await post(
        urlBinder,
        await registering.secureRequest(ops.registerProxy("elsewhere-0001", "elsewhere"), {
          operation: "RegisterProxy",
          attempt: 1,
        }),
      );
      expect(registered.status, registered.body).toBe(200);
      const byThumbprint = createMessageSigner({
        key: proxy.keyPem,
        cert: proxy.certPem,
        keyReference: "thumbprint-sha256",
        ...clock,
      });
      const devices = (key: string) =>
        byThumbprint.secureRequest(ops.registerDevices(key, "elsewhere", ["EL-1"]), {
          operation: "RegisterDevices",
          attempt: 1,
        });
      // Within the interval of the last reload: refused, and no reload.
      expect(codeOf(await post(urlWatched, await devices("elsewhere-dev-1")))).toBe("WSS_UNTRUSTED_KEY");
      expect(reloads).toBe(1);
      // Once the interval has passed, the next unknown key reloads and finds it.
      nowMs += SIGNER_RELOAD_INTERVAL_MS;
      const accepted = await post(urlWatched, await devices("elsewhere-dev-2"));
      expect(accepted.status, accepted.body).toBe(200);
      expect(reloads).toBe(2);
    } finally {
      await watched.close();
      await binder.close();
      await db.drop();
    }
  }, 60_000);
});
