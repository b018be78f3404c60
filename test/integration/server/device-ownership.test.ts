/**
 * Device ownership between proxies (issue 18 item 3), on a real server over loopback with
 * two pinned proxy certificates and signed requests: a trusted proxy's `RegisterDevices`
 * for a serial another proxy registered is refused by default (the owner keeps the device
 * and its billing), and under `deviceMoves: "allow"` the device moves and the move is
 * exported. Every clock (signer, verifier, server) is the same injected one.
 */
import { rmSync } from "node:fs";
import Database from "better-sqlite3";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { serverOptionsFromFlags } from "../../../src/cli/commands/server.js";
import {
  CommunicationServer,
  type DeviceMovePolicy,
  exportServerStore,
  exportStoreFile,
} from "../../../src/server/index.js";
import type { MessageSecurity } from "../../../src/soap/security.js";
import { createMessageSigner, createRequestVerifier } from "../../../src/wssec/index.js";
import { createTestIdentity, type TestIdentity } from "../../helpers/keys.js";
import { serverSuiteOnPostgres } from "../../helpers/pg.js";
import { startTestServer, type TestServer } from "../../helpers/server.js";
import { faultCode, ops, post, type RawResponse, textOf } from "./raw.js";

const T0 = Date.parse("2026-11-25T10:00:00Z");
let nowMs = T0;
const clock = (): number => nowMs;

let a: TestIdentity;
let b: TestIdentity;
let asA: MessageSecurity;
let asB: MessageSecurity;
beforeAll(async () => {
  // Valid around the injected clock, whatever the wall clock says.
  const validity = { notBefore: new Date(T0 - 86_400_000), notAfter: new Date(T0 + 30 * 86_400_000) };
  a = await createTestIdentity("ec-p256", { commonName: "proxy-a", ...validity });
  b = await createTestIdentity("ec-p256", { commonName: "proxy-b", ...validity });
  asA = createMessageSigner({ key: a.keyPem, cert: a.certPem, clock });
  asB = createMessageSigner({ key: b.keyPem, cert: b.certPem, clock });
});

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  nowMs = T0;
});

/** A server that pins both proxies' certificates (`esol server --trust a.pem b.pem`). */
async function start(deviceMoves?: DeviceMovePolicy): Promise<TestServer> {
  const srv = await startTestServer({
    tls: false,
    clock: () => new Date(nowMs),
    verifier: createRequestVerifier({ trust: [a.certPem, b.certPem], clock }),
    ...(deviceMoves ? { deviceMoves } : {}),
  });
  servers.push(srv);
  return srv;
}

const operationOf = (envelope: string): string => /<t:(\w+)>/.exec(envelope)?.[1] ?? "unknown";

async function send(srv: TestServer, envelope: string, as: MessageSecurity): Promise<RawResponse> {
  nowMs += 1000; // every message has its own timestamp (the replay cache would refuse a twin)
  const signed = await as.secureRequest(envelope, { operation: operationOf(envelope), attempt: 1 });
  return post(srv.url, signed);
}

/** Proxy A owns SN-1 (billing enabled by it); proxy B is registered and owns SN-B. */
async function twoProxies(srv: TestServer): Promise<void> {
  for (const [res, what] of [
    [await send(srv, ops.registerProxy("key-reg-a", "pA"), asA), "A registers"],
    [await send(srv, ops.registerProxy("key-reg-b", "pB"), asB), "B registers"],
    [await send(srv, ops.registerDevices("key-dev-a", "pA", ["SN-1"]), asA), "A registers SN-1"],
    [await send(srv, ops.registerDevices("key-dev-b", "pB", ["SN-B"]), asB), "B registers SN-B"],
    [await send(srv, ops.reportSyncStatus("key-st-a", "pA", [["SN-1", "billing", true]]), asA), "A enables"],
  ] as const)
    expect(res.status, `${what}: ${res.body}`).toBe(200);
}

const bill = (proxyId: string, key: string, value: number) =>
  ops.submitBillingReads(proxyId, [ops.read(key, "SN-1", value)]);

describe('deviceMoves "refuse" (the default)', () => {
  it("refuses B's claim on A's device with DEVICE_OWNED_BY_OTHER_PROXY, stores nothing of it, and A keeps billing", async () => {
    const srv = await start();
    await twoProxies(srv);
    const before = await srv.server.exportStoreAsync();

    // SN-NEW is fine on its own: the whole message is refused, so it is not stored either.
    const claim = await send(srv, ops.registerDevices("key-dev-b-2", "pB", ["SN-NEW", "SN-1"]), asB);
    expect(claim.status).toBe(500);
    expect(claim.body).toContain("<faultcode>soap:Client</faultcode>");
    expect(faultCode(claim.body)).toBe("DEVICE_OWNED_BY_OTHER_PROXY");
    expect(textOf(claim.body, "Field")).toBe("Device[1].Serial");
    expect(textOf(claim.body, "Retryable")).toBe("false");
    expect(claim.body).not.toContain("pA"); // the owner is not disclosed
    // The refused key was not consumed: a resend is refused again, not counted a duplicate.
    const again = await send(srv, ops.registerDevices("key-dev-b-2", "pB", ["SN-NEW", "SN-1"]), asB);
    expect(faultCode(again.body)).toBe("DEVICE_OWNED_BY_OTHER_PROXY");

    const after = await srv.server.exportStoreAsync();
    expect(after.devices).toEqual(before.devices);
    expect(after.devices.find((d) => d.serial === "SN-1")?.proxyId).toBe("pA");
    expect(after.deviceMoves).toEqual([]);

    // A's own billing read is stored; B's made-up read for A's device is refused.
    const fromA = await send(srv, bill("pA", "key-read-a-1", 120_000), asA);
    expect(fromA.status, fromA.body).toBe(200);
    expect(textOf(fromA.body, "Accepted")).toBe("1");
    const fromB = await send(srv, bill("pB", "key-read-b-1", 1), asB);
    expect(fromB.status).toBe(500);
    expect(faultCode(fromB.body)).toBe("UNKNOWN_DEVICE");
    expect(
      (await srv.server.exportStoreAsync()).billingReads.map((r) => [r.key, r.meters[0]?.value]),
    ).toEqual([["key-read-a-1", 120_000]]);
  });

  it("re-registering its own device is not a move", async () => {
    const srv = await start("refuse");
    await twoProxies(srv);
    const res = await send(srv, ops.registerDevices("key-dev-a-again", "pA", ["SN-1"]), asA);
    expect(res.status, res.body).toBe(200);
    expect((await srv.server.exportStoreAsync()).deviceMoves).toEqual([]);
  });
});

describe('deviceMoves "allow"', () => {
  it("moves the device to B, records the move with both proxies and the server's time, and billing follows the device", async () => {
    const srv = await start("allow");
    await twoProxies(srv);

    const claim = await send(srv, ops.registerDevices("key-dev-b-2", "pB", ["SN-NEW", "SN-1"]), asB);
    expect(claim.status, claim.body).toBe(200);
    expect(textOf(claim.body, "Accepted")).toBe("2");
    const movedAt = new Date(nowMs).toISOString();
    const store = await srv.server.exportStoreAsync();
    expect(store.deviceMoves).toEqual([{ serial: "SN-1", fromProxyId: "pA", toProxyId: "pB", movedAt }]);
    expect(store.devices.find((d) => d.serial === "SN-1")).toMatchObject({
      proxyId: "pB",
      services: { billing: false, supplies: false },
    });

    // B was not the one that enabled billing: its next Sync asks it to.
    const sync = await send(srv, ops.sync("pB"), asB);
    expect(sync.status, sync.body).toBe(200);
    expect(sync.body).toContain("<Serial>SN-1</Serial><Service>billing</Service>");

    const fromA = await send(srv, bill("pA", "key-read-a-1", 120_000), asA);
    expect(faultCode(fromA.body)).toBe("UNKNOWN_DEVICE");
    const fromB = await send(srv, bill("pB", "key-read-b-1", 120_500), asB);
    expect(fromB.status, fromB.body).toBe(200);
    expect((await srv.server.exportStoreAsync()).billingReads.map((r) => r.key)).toEqual(["key-read-b-1"]);

    // A resend of the accepted claim is a duplicate, not a second move; moving back is one.
    const resend = await send(srv, ops.registerDevices("key-dev-b-2", "pB", ["SN-NEW", "SN-1"]), asB);
    expect(textOf(resend.body, "Duplicates")).toBe("2");
    const back = await send(srv, ops.registerDevices("key-dev-a-2", "pA", ["SN-1"]), asA);
    expect(back.status, back.body).toBe(200);
    const backAt = new Date(nowMs).toISOString();

    // The export a stopped server's file gives (`esol server export`) lists both moves.
    const dbPath = srv.dbPath;
    await srv.close({ keepFiles: true });
    servers.splice(servers.indexOf(srv), 1);
    try {
      expect((await exportServerStore(dbPath)).deviceMoves).toEqual([
        { serial: "SN-1", fromProxyId: "pA", toProxyId: "pB", movedAt },
        { serial: "SN-1", fromProxyId: "pB", toProxyId: "pA", movedAt: backAt },
      ]);
    } finally {
      rmSync(srv.dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(serverSuiteOnPostgres())(
  "SQLite stores of schema version 2 (before device moves were recorded)",
  () => {
    it("export as having no moves, and a server opening one adds the table and records moves", async () => {
      let srv = await start("allow");
      await twoProxies(srv);
      const { dbPath, dir } = srv;
      await srv.close({ keepFiles: true });
      servers.splice(servers.indexOf(srv), 1);
      const db = new Database(dbPath);
      db.exec("DROP TABLE device_moves");
      db.pragma("user_version = 2");
      db.close();
      try {
        expect(exportStoreFile(dbPath).deviceMoves).toEqual([]);
        srv = await startTestServer({
          dbPath,
          tls: false,
          clock: () => new Date(nowMs),
          verifier: createRequestVerifier({ trust: [a.certPem, b.certPem], clock }),
          deviceMoves: "allow",
        });
        servers.push(srv);
        const claim = await send(srv, ops.registerDevices("key-dev-b-2", "pB", ["SN-1"]), asB);
        expect(claim.status, claim.body).toBe(200);
        expect(
          (await srv.server.exportStoreAsync()).deviceMoves.map((m) => [
            m.serial,
            m.fromProxyId,
            m.toProxyId,
          ]),
        ).toEqual([["SN-1", "pA", "pB"]]);
      } finally {
        await srv.close();
        servers.splice(servers.indexOf(srv), 1);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

describe("configuration", () => {
  it("esol server maps --allow-device-moves to deviceMoves: allow, and refuses by default", () => {
    const base = {
      db: "x.db",
      port: "0",
      host: "127.0.0.1",
      cycle: "monthly",
      suppliesInterval: "off",
      maxRequestBytes: "4096",
    };
    const quiet = (): void => {};
    expect(serverOptionsFromFlags(base, quiet).deviceMoves).toBe("refuse");
    expect(serverOptionsFromFlags({ ...base, allowDeviceMoves: true }, quiet).deviceMoves).toBe("allow");
  });

  it("refuses an unknown deviceMoves value with CONFIG_INVALID_OPTION", () => {
    expect(
      () => new CommunicationServer({ dbPath: "x.db", deviceMoves: "sometimes" as DeviceMovePolicy }),
    ).toThrow(expect.objectContaining({ code: "CONFIG_INVALID_OPTION" }));
  });
});
