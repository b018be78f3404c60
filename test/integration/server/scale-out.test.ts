/**
 * Several real `esol server` processes on one PostgreSQL database (issue 16): the same
 * idempotency key sent to all of them at once is stored once, a signed message accepted by
 * one is a replay for every other, racing first registrations bind one certificate, a
 * billing request is issued once; a database that goes away is a retryable fault with
 * nothing stored, and a process killed mid-batch leaves the batch whole or absent.
 * Needs `ESOL_TEST_PG_URL` (scripts/pg-cluster.sh); skipped locally without it.
 */
import type { ChildProcess } from "node:child_process";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommunicationServer, exportServerStore } from "../../../src/server/index.js";
import type { MessageSecurity } from "../../../src/soap/security.js";
import { createMessageSigner } from "../../../src/wssec/index.js";
import { spawnEsol, waitForLine } from "../../helpers/esol.js";
import { createTestIdentity, type TestIdentity } from "../../helpers/keys.js";
import { createDatabase, requirePostgres, type TestDatabase } from "../../helpers/pg.js";
import { faultCode, get, ops, post, type RawResponse, textOf } from "./raw.js";

const clusterUrl = requirePostgres("server scale-out on PostgreSQL");

/** Rounds per race; each round sends to every process at once. */
const ROUNDS = 40;

const running: ChildProcess[] = [];
let database: TestDatabase;
let urls: string[] = [];

async function startEsolServer(db: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawnEsol(
    ["server", "--db", db, "--http", "--port", "0", "--supplies-interval", "off", "--db-pool", "4"],
    running,
  );
  const line = await waitForLine(child, "listening ", 60_000);
  return { url: line.slice("listening ".length).trim(), child };
}

function stop(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

const codeOf = (r: RawResponse): string | undefined =>
  faultCode(r.body) ?? /<faultstring>(WSS_\w+):/.exec(r.body)?.[1];

const operationOf = (envelope: string): string => /<t:(\w+)>/.exec(envelope)?.[1] ?? "unknown";
const sign = (security: MessageSecurity, envelope: string) =>
  security.secureRequest(envelope, { operation: operationOf(envelope), attempt: 1 });

async function ok(url: string, body: string): Promise<RawResponse> {
  const r = await post(url, body);
  expect(r.status, r.body).toBe(200);
  return r;
}

/** A proxy with devices whose billing is enabled, through the first process. */
async function proxyWithDevices(proxyId: string, serials: string[]): Promise<void> {
  const url = urls[0] as string;
  await ok(url, ops.registerProxy(`reg-${proxyId}`, proxyId));
  await ok(url, ops.registerDevices(`dev-${proxyId}`, proxyId, serials));
  await ok(
    url,
    ops.reportSyncStatus(
      `status-${proxyId}`,
      proxyId,
      serials.map((s) => [s, "billing", true] as [string, "billing", boolean]),
    ),
  );
}

describe.skipIf(!clusterUrl)("several esol server processes on one PostgreSQL database", () => {
  let identities: TestIdentity[] = [];

  beforeAll(async () => {
    database = await createDatabase(clusterUrl);
    // The first process creates the schema; the others start together and find it (or
    // wait on the migration lock).
    const first = await startEsolServer(database.url);
    const rest = await Promise.all([1, 2, 3].map(() => startEsolServer(database.url)));
    urls = [first.url, ...rest.map((r) => r.url)];
    identities = await Promise.all(
      [0, 1, 2, 3].map((i) => createTestIdentity("ec-p256", { commonName: `racer-${i}` })),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(running.splice(0).map((c) => stop(c)));
    await database?.drop();
  });

  for (const n of [2, 4]) {
    it(`${n} processes: the same reads sent to all at once are stored once; one caller hears accepted, the others duplicate (${ROUNDS} rounds)`, async () => {
      const proxy = `keys-${n}`;
      const serials = ["K-1", "K-2", "K-3"].map((s) => `${s}-${n}`);
      await proxyWithDevices(proxy, serials);
      for (let round = 0; round < ROUNDS; round++) {
        const reads = serials.map((s, i) => ops.read(`key-k${n}-${round}-${i}`, s, 1000 + round));
        const body = ops.submitBillingReads(proxy, reads);
        const answers = await Promise.all(urls.slice(0, n).map((u) => ok(u, body)));
        const acks = answers.map((a) => [
          Number(textOf(a.body, "Accepted")),
          Number(textOf(a.body, "Duplicates")),
        ]);
        // Each answer is all-or-nothing and exactly one stored the batch.
        expect(
          acks.filter(([acc]) => acc === reads.length),
          JSON.stringify(acks),
        ).toHaveLength(1);
        expect(acks.filter(([acc, dup]) => acc === 0 && dup === reads.length)).toHaveLength(n - 1);
      }
      const keys = (await exportServerStore(database.url)).billingReads
        .map((r) => r.key)
        .filter((k) => k.startsWith(`key-k${n}-`));
      expect(keys).toHaveLength(ROUNDS * serials.length);
      expect(new Set(keys).size).toBe(keys.length);
    });

    it(`${n} processes: a signed message sent to all at once is accepted by one, a replay for the others (${ROUNDS} rounds)`, async () => {
      const proxy = `replay-${n}`;
      await proxyWithDevices(proxy, [`R-${n}`]);
      const security = createMessageSigner({
        key: (identities[0] as TestIdentity).keyPem,
        cert: (identities[0] as TestIdentity).certPem,
      });
      for (let round = 0; round < ROUNDS; round++) {
        const signed = await sign(
          security,
          ops.submitBillingReads(proxy, [ops.read(`key-r${n}-${round}`, `R-${n}`, round)]),
        );
        const answers = await Promise.all(urls.slice(0, n).map((u) => post(u, signed)));
        const codes = answers.map((a) => (a.status === 200 ? "ok" : codeOf(a)));
        expect(
          codes.filter((c) => c === "ok"),
          codes.join(","),
        ).toHaveLength(1);
        expect(
          codes.filter((c) => c === "WSS_REPLAY"),
          codes.join(","),
        ).toHaveLength(n - 1);
        // Sent again later, to a process that did not accept it: still a replay.
        const later = await post(urls[(round + 1) % n] as string, signed);
        expect(codeOf(later)).toBe("WSS_REPLAY");
      }
      const stored = (await exportServerStore(database.url)).billingReads.filter((r) =>
        r.key.startsWith(`key-r${n}-`),
      );
      expect(stored).toHaveLength(ROUNDS);
    });

    it(`${n} processes: racing first signed registrations of a proxy bind one certificate, the others are refused (${ROUNDS} rounds)`, async () => {
      const signers = identities
        .slice(0, n)
        .map((id) => createMessageSigner({ key: id.keyPem, cert: id.certPem }));
      const winners: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const proxy = `race-${n}-${round}`;
        const bodies = await Promise.all(
          signers.map((s, i) => sign(s, ops.registerProxy(`race-${n}-${round}-${i}`, proxy))),
        );
        const answers = await Promise.all(bodies.map((b, i) => post(urls[i] as string, b)));
        const codes = answers.map((a) => (a.status === 200 ? "ok" : codeOf(a)));
        expect(
          codes.filter((c) => c === "ok"),
          codes.join(","),
        ).toHaveLength(1);
        expect(
          codes.filter((c) => c === "WSS_UNTRUSTED_KEY"),
          codes.join(","),
        ).toHaveLength(n - 1);
        winners.push(String(codes.indexOf("ok")));
      }
      const exported = await exportServerStore(database.url);
      for (let round = 0; round < ROUNDS; round++) {
        const proxy = exported.proxies.find((p) => p.proxyId === `race-${n}-${round}`);
        const winner = identities[Number(winners[round])] as TestIdentity;
        expect(proxy?.signer?.subject).toContain(`racer-${winners[round]}`);
        expect(winner).toBeDefined();
      }
    });

    it(`${n} processes: a billing request is issued once whichever process answers the Sync, and the read fulfils it (${ROUNDS / 2} rounds)`, async () => {
      for (let round = 0; round < ROUNDS / 2; round++) {
        const proxy = `bill-${n}-${round}`;
        const serial = `B-${n}-${round}`;
        await proxyWithDevices(proxy, [serial]);
        const syncs = await Promise.all(urls.slice(0, n).map((u) => ok(u, ops.sync(proxy))));
        const requests = syncs.map((s) => [textOf(s.body, "Cycle"), textOf(s.body, "Due")]);
        expect(new Set(requests.map((r) => JSON.stringify(r))).size, JSON.stringify(requests)).toBe(1);
        const [cycle] = requests[0] as [string, string];
        expect(cycle).toMatch(/^\d{4}-\d{2}$/);
        // Every process answers with a read of its own for the same device and cycle.
        const submits = await Promise.all(
          urls
            .slice(0, n)
            .map((u, i) =>
              ok(
                u,
                ops.submitBillingReads(proxy, [
                  ops.read(`key-b${n}-${round}-${i}`, serial, 10 + i, undefined, cycle),
                ]),
              ),
            ),
        );
        expect(submits.map((s) => textOf(s.body, "Accepted"))).toEqual(urls.slice(0, n).map(() => "1"));
        const after = await Promise.all(urls.slice(0, n).map((u) => ok(u, ops.sync(proxy))));
        expect(after.every((s) => textOf(s.body, "Cycle") === undefined)).toBe(true);
      }
      const exported = await exportServerStore(database.url);
      const issued = exported.billingRequests.filter((q) => q.serial.startsWith(`B-${n}-`));
      expect(issued).toHaveLength(ROUNDS / 2);
      expect(issued.every((q) => q.fulfilledAt !== null)).toBe(true);
    });
  }

  it("kill -9 of a process mid-batch leaves the batch stored whole or not at all", async () => {
    const proxy = "killed";
    const serials = Array.from({ length: 20 }, (_, i) => `KILL-${i}`);
    await proxyWithDevices(proxy, serials);
    const outcomes: number[] = [];
    const batch = 2000;
    for (let round = 0; round < 3; round++) {
      const victim = await startEsolServer(database.url);
      const reads = Array.from({ length: batch }, (_, i) =>
        ops.read(`key-kill-${round}-${i}`, serials[i % serials.length] as string, i),
      );
      const sent = post(victim.url, ops.submitBillingReads(proxy, reads)).catch(() => undefined);
      // Killed at a different point of the request each round: while it is read, parsed, stored.
      await new Promise((r) => setTimeout(r, 40 + round * 80));
      await stop(victim.child, "SIGKILL");
      await sent;
      const stored = (await exportServerStore(database.url)).billingReads.filter((r) =>
        r.key.startsWith(`key-kill-${round}-`),
      ).length;
      outcomes.push(stored);
    }
    expect(
      outcomes.every((c) => c === 0 || c === batch),
      JSON.stringify(outcomes),
    ).toBe(true);
  });
});

/** A TCP path to the database that the test can cut and restore (a real network failure). */
async function cuttablePath(
  target: URL,
): Promise<{ url: string; cut(): void; restore(): void; close(): void }> {
  let up = true;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const url = new URL(target.toString());
  url.port = String(port);
  return {
    url: url.toString(),
    cut() {
      up = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      up = true;
    },
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describe.skipIf(!clusterUrl)("the database going away under a server", () => {
  it("answers a retryable STORAGE_UNAVAILABLE with nothing stored, /health 503; back up, the resend is stored once", async () => {
    const db = await createDatabase(clusterUrl);
    const path = await cuttablePath(new URL(db.url));
    const server = new CommunicationServer({
      db: path.url,
      tls: false,
      port: 0,
      signaturePolicy: "optional",
      supplies: false,
      storeOptions: { connectionTimeoutMs: 2_000, statementTimeoutMs: 5_000 },
    });
    try {
      const { url } = await server.start();
      const health = url.replace(/\/esolutions\/v1$/, "/health");
      expect((await get(health)).status).toBe(200);
      await ok(url, ops.registerProxy("down-reg", "down"));
      await ok(url, ops.registerDevices("down-dev", "down", ["D-1", "D-2"]));
      const submit = ops.submitBillingReads("down", [
        ops.read("key-down-1", "D-1", 1),
        ops.read("key-down-2", "D-2", 2),
      ]);

      path.cut();
      const refused = await post(url, submit);
      expect(refused.status).toBe(500);
      expect(codeOf(refused)).toBe("STORAGE_UNAVAILABLE");
      expect(textOf(refused.body, "Retryable")).toBe("true");
      const down = await get(health);
      expect(down.status).toBe(503);
      expect(JSON.parse(down.body)).toMatchObject({ status: "unavailable", database: "unreachable" });
      // Nothing of the request reached the database.
      expect((await exportServerStore(db.url)).billingReads).toEqual([]);

      path.restore();
      expect((await get(health)).status).toBe(200);
      const stored = await ok(url, submit);
      expect([textOf(stored.body, "Accepted"), textOf(stored.body, "Duplicates")]).toEqual(["2", "0"]);
      const again = await ok(url, submit);
      expect([textOf(again.body, "Accepted"), textOf(again.body, "Duplicates")]).toEqual(["0", "2"]);
      expect((await exportServerStore(db.url)).billingReads.map((r) => r.key)).toEqual([
        "key-down-1",
        "key-down-2",
      ]);
    } finally {
      await server.close();
      path.close();
      await db.drop();
    }
  });
});
