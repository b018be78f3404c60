/**
 * The server's signature policies on a real HTTPS/HTTP server over loopback: trust on
 * first use (a proxy's first signed registration binds its certificate, across restarts),
 * the development mode that accepts unsigned requests, pinned trust, and the ProxyId lock
 * every policy applies once a certificate is bound.
 */
import { rmSync } from "node:fs";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { CommunicationServer, unbindServerProxySigner } from "../../../src/server/index.js";
import type { MessageSecurity } from "../../../src/soap/security.js";
import type { KeyReferenceKind } from "../../../src/wssec/index.js";
import { createMessageSigner, createRequestVerifier } from "../../../src/wssec/index.js";
import { createTestIdentity, type TestIdentity } from "../../helpers/keys.js";
import { startTestServer, type TestServer } from "../../helpers/server.js";
import { ops, post, type RawResponse } from "./raw.js";

const servers: TestServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close({ keepFiles: true });
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const srv = await startTestServer(options);
  servers.push(srv);
  if (!dirs.includes(srv.dir)) dirs.push(srv.dir);
  return srv;
}

const identities = new Map<string, Promise<TestIdentity>>();
function identity(name: string): Promise<TestIdentity> {
  let id = identities.get(name);
  if (!id) {
    id = createTestIdentity("ec-p256", { commonName: name });
    identities.set(name, id);
  }
  return id;
}

function signer(id: TestIdentity, keyReference: KeyReferenceKind = "bst"): MessageSecurity {
  return createMessageSigner({ key: id.keyPem, cert: id.certPem, keyReference });
}

const operationOf = (envelope: string): string => /<t:(\w+)>/.exec(envelope)?.[1] ?? "unknown";

async function send(
  srv: TestServer,
  envelope: string,
  security?: MessageSecurity,
): Promise<RawResponse & { code: string | undefined }> {
  const body = security
    ? await security.secureRequest(envelope, { operation: operationOf(envelope), attempt: 1 })
    : envelope;
  const res = await post(srv.url, body, srv.certificatePem ? { ca: srv.certificatePem } : {});
  return { ...res, code: /<faultstring>(WSS_\w+):/.exec(res.body)?.[1] };
}

const proxies = async (srv: TestServer) =>
  (await srv.server.exportStoreAsync()).proxies.map((p) => [p.proxyId, p.signer?.thumbprintSha256 ?? null]);

let keySeq = 0;
const key = (): string => `key-${String(++keySeq).padStart(6, "0")}`;

describe("the library default is at least as strict as esol server", () => {
  it("without a verifier: trust on first use, also over plain HTTP; an unsigned request is refused and nothing stored", async () => {
    const owner = await identity("default-owner");
    const srv = await start({ tls: false });
    const res = await send(srv, ops.registerProxy(key(), "p-default"));
    expect(res.status).toBe(500);
    expect(res.body).toContain("<faultcode>wsse:InvalidSecurity</faultcode>");
    expect(res.code).toBe("WSS_UNSIGNED");
    expect(await proxies(srv)).toEqual([]);
    // ... and it is trust on first use, not a refusal of everything.
    expect((await send(srv, ops.registerProxy(key(), "p-default"), signer(owner))).status).toBe(200);
    expect((await proxies(srv)).map(([id]) => id)).toEqual(["p-default"]);
  });

  it('with a verifier that lets unsigned requests through: "required", the unsigned request is refused', async () => {
    const srv = await start({ tls: false, verifier: createRequestVerifier({ requireSignature: false }) });
    const res = await send(srv, ops.registerProxy(key(), "p-verifier"));
    expect(res.status).toBe(500);
    expect(res.code).toBe("WSS_UNSIGNED");
    expect(await proxies(srv)).toEqual([]);
  });
});

describe('signaturePolicy "tofu" (esol server over HTTPS without --trust)', () => {
  it("refuses an unsigned request with wsse:InvalidSecurity WSS_UNSIGNED and stores nothing", async () => {
    const srv = await start({ signaturePolicy: "tofu" });
    expect(srv.url.startsWith("https://")).toBe(true);
    const res = await send(srv, ops.registerProxy(key(), "p-unsigned"));
    expect(res.status).toBe(500);
    expect(res.body).toContain("<faultcode>wsse:InvalidSecurity</faultcode>");
    expect(res.code).toBe("WSS_UNSIGNED");
    expect(await proxies(srv)).toEqual([]);
  });

  it("binds the first signed registration; the proxy then talks by token or thumbprint, an impostor is refused, also after a restart", async () => {
    const owner = await identity("tofu-owner");
    const impostor = await identity("tofu-impostor");
    let srv = await start({ signaturePolicy: "tofu" });

    expect((await send(srv, ops.registerProxy(key(), "p1"), signer(owner))).status).toBe(200);
    const [[, bound]] = (await proxies(srv)) as [[string, string]];
    expect(bound).toMatch(/^[0-9a-f]{64}$/);
    for (const ref of ["bst", "thumbprint-sha256", "thumbprint-sha1"] as const) {
      const res = await send(srv, ops.registerDevices(key(), "p1", [`SN-${ref}`]), signer(owner, ref));
      expect(res.status, `${ref}: ${res.body}`).toBe(200);
    }

    const devicesBefore = (await srv.server.exportStoreAsync()).devices.length;
    for (const envelope of [
      ops.registerProxy(key(), "p1"),
      ops.registerDevices(key(), "p1", ["SN-EVIL"]),
      ops.sync("p1"),
    ]) {
      const res = await send(srv, envelope, signer(impostor));
      expect(res.status).toBe(500);
      expect(res.body).toContain("<faultcode>wsse:FailedCheck</faultcode>");
      expect(res.code).toBe("WSS_UNTRUSTED_KEY");
    }
    expect(await proxies(srv)).toEqual([["p1", bound]]);
    expect((await srv.server.exportStoreAsync()).devices).toHaveLength(devicesBefore);
    const unsigned = await send(srv, ops.sync("p1"));
    expect(unsigned.code).toBe("WSS_UNSIGNED");

    // A fresh server on the same store knows the binding: thumbprints work at once, impostors still fail.
    const dbPath = srv.dbPath;
    await srv.close({ keepFiles: true });
    servers.splice(servers.indexOf(srv), 1);
    srv = await start({ signaturePolicy: "tofu", dbPath });
    expect((await send(srv, ops.sync("p1"), signer(owner, "thumbprint-sha256"))).status).toBe(200);
    expect((await send(srv, ops.sync("p1"), signer(impostor))).code).toBe("WSS_UNTRUSTED_KEY");
    expect((await send(srv, ops.registerProxy(key(), "p1"), signer(impostor))).code).toBe(
      "WSS_UNTRUSTED_KEY",
    );
    expect(await proxies(srv)).toEqual([["p1", bound]]);
  });

  it("refuses a non-registration request from a key no ProxyId is bound to", async () => {
    const stranger = await identity("tofu-stranger");
    const srv = await start({ signaturePolicy: "tofu" });
    const res = await send(srv, ops.registerDevices(key(), "p-ghost", ["SN-1"]), signer(stranger));
    expect(res.code).toBe("WSS_UNTRUSTED_KEY");
    expect(res.body).toContain("register it with a signed RegisterProxy first");
    expect((await srv.server.exportStoreAsync()).devices).toEqual([]);
  });

  it("refuses a first-use registration replayed with its key reference rewritten to a thumbprint", async () => {
    const owner = await identity("tofu-replay");
    const srv = await start({ signaturePolicy: "tofu" });
    const signed = await signer(owner).secureRequest(ops.registerProxy(key(), "p-replay"), {
      operation: "RegisterProxy",
      attempt: 1,
    });
    expect((await send(srv, signed)).status).toBe(200);
    const thumbprintRef = /<wsse:SecurityTokenReference>[\s\S]*?<\/wsse:SecurityTokenReference>/.exec(
      await signer(owner, "thumbprint-sha256").secureRequest(ops.sync("p-replay"), {
        operation: "Sync",
        attempt: 1,
      }),
    )?.[0];
    expect(thumbprintRef).toBeDefined();
    const rewritten = signed.replace(
      /<wsse:SecurityTokenReference>[\s\S]*?<\/wsse:SecurityTokenReference>/,
      thumbprintRef as string,
    );
    expect(rewritten).not.toBe(signed);
    expect((await send(srv, signed)).code).toBe("WSS_REPLAY");
    expect((await send(srv, rewritten)).code).toBe("WSS_REPLAY");
  });

  it("unbindProxySigner releases a binding: the next signed registration binds the new certificate", async () => {
    const oldId = await identity("tofu-rotate-old");
    const newId = await identity("tofu-rotate-new");
    const srv = await start({ signaturePolicy: "tofu" });
    expect((await send(srv, ops.registerProxy(key(), "p-rot"), signer(oldId))).status).toBe(200);
    expect((await send(srv, ops.registerProxy(key(), "p-rot"), signer(newId))).code).toBe(
      "WSS_UNTRUSTED_KEY",
    );
    expect(await unbindServerProxySigner(srv.dbPath, "p-rot")).toBe(true);
    expect(await unbindServerProxySigner(srv.dbPath, "p-rot")).toBe(false);
    expect((await send(srv, ops.registerProxy(key(), "p-rot"), signer(newId))).status).toBe(200);
    expect((await send(srv, ops.sync("p-rot"), signer(oldId))).code).toBe("WSS_UNTRUSTED_KEY");
    expect((await send(srv, ops.sync("p-rot"), signer(newId, "thumbprint-sha1"))).status).toBe(200);
  });
});

describe('signaturePolicy "optional" (named only; esol server --http without --trust)', () => {
  it("accepts unsigned requests, still checks signed ones, and locks a ProxyId a signed registration bound", async () => {
    const owner = await identity("dev-owner");
    const other = await identity("dev-other");
    const srv = await start({ tls: false, signaturePolicy: "optional" });
    expect((await send(srv, ops.registerProxy(key(), "p-plain"))).status).toBe(200);
    expect((await send(srv, ops.sync("p-plain"))).status).toBe(200);

    const signed = await signer(owner).secureRequest(ops.registerProxy(key(), "p-dev"), {
      operation: "RegisterProxy",
      attempt: 1,
    });
    const altered = await send(srv, signed.replace("p-dev", "p-dex"));
    expect(altered.code).toBe("WSS_BAD_DIGEST");
    expect((await send(srv, signed)).status).toBe(200);
    expect((await send(srv, ops.sync("p-dev"), signer(owner, "thumbprint-sha256"))).status).toBe(200);
    expect((await send(srv, ops.sync("p-dev"), signer(other))).code).toBe("WSS_UNTRUSTED_KEY");
    expect((await send(srv, ops.sync("p-dev"))).code).toBe("WSS_UNSIGNED");
    // An unbound proxy registered unsigned is not locked.
    expect((await send(srv, ops.sync("p-plain"), signer(other))).status).toBe(200);
    expect((await proxies(srv)).map(([id]) => id)).toEqual(["p-plain", "p-dev"]);
  });
});

describe('signaturePolicy "required" (esol server --trust)', () => {
  it("locks a ProxyId to the pinned certificate it registered with", async () => {
    const a = await identity("pinned-a");
    const b = await identity("pinned-b");
    const srv = await start({
      signaturePolicy: "required",
      verifier: createRequestVerifier({ trust: [a.certPem, b.certPem] }),
    });
    expect((await send(srv, ops.registerProxy(key(), "p-a"), signer(a))).status).toBe(200);
    expect((await send(srv, ops.sync("p-a"), signer(b))).code).toBe("WSS_UNTRUSTED_KEY");
    expect((await send(srv, ops.registerProxy(key(), "p-a"), signer(b))).code).toBe("WSS_UNTRUSTED_KEY");
    expect((await send(srv, ops.sync("p-a"), signer(a, "thumbprint-sha256"))).status).toBe(200);
    expect((await send(srv, ops.registerProxy(key(), "p-b"), signer(b))).status).toBe(200);
    expect((await send(srv, ops.sync("p-a"))).code).toBe("WSS_UNSIGNED");
  });

  it("a certificate bound on first use is not trusted after a restart with pinned trust", async () => {
    const a = await identity("pinned-a");
    const firstUse = await identity("first-use-c");
    let srv = await start({ signaturePolicy: "tofu" });
    expect((await send(srv, ops.registerProxy(key(), "p-c"), signer(firstUse))).status).toBe(200);
    const dbPath = srv.dbPath;
    await srv.close({ keepFiles: true });
    servers.splice(servers.indexOf(srv), 1);
    srv = await start({
      dbPath,
      signaturePolicy: "required",
      verifier: createRequestVerifier({ trust: [a.certPem] }),
    });
    expect((await send(srv, ops.sync("p-c"), signer(firstUse, "thumbprint-sha256"))).code).toBe(
      "WSS_UNTRUSTED_KEY",
    );
    expect((await send(srv, ops.sync("p-c"), signer(firstUse))).code).toBe("WSS_UNTRUSTED_KEY");
    expect((await send(srv, ops.sync("p-c"), signer(a))).code).toBe("WSS_UNTRUSTED_KEY");
  });

  it("refuses contradictory options with CONFIG_INVALID_OPTION", () => {
    expect(() => new CommunicationServer({ dbPath: "x.db", signaturePolicy: "required" })).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID_OPTION" }),
    );
    expect(
      () =>
        new CommunicationServer({
          dbPath: "x.db",
          signaturePolicy: "tofu",
          verifier: createRequestVerifier({ requireSignature: false }),
        }),
    ).toThrow(expect.objectContaining({ code: "CONFIG_INVALID_OPTION" }));
    expect(() => new CommunicationServer({ dbPath: "x.db", signaturePolicy: "sometimes" as "tofu" })).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID_OPTION" }),
    );
  });
});
