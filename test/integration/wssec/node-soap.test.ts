/**
 * The SDK signer in a node-soap client (issue 12 item 3): a client node-soap builds from
 * wsdl/communication.wsdl, with `client.setSecurity(new NodeSoapSecurity(...))`, calls the
 * real reference server (signatures required, the client's certificate pinned) and is
 * accepted and stored; the same call altered after signing, or signed by a key the server
 * does not trust, is refused and nothing is stored.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as soap from "soap";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommunicationServer } from "../../../src/server/index.js";
import { createRequestVerifier, NodeSoapSecurity } from "../../../src/wssec/index.js";
import type { TestIdentity } from "../../helpers/keys.js";
import { attacker, client } from "../../unit/wssec/support.js";

const WSDL = join(import.meta.dirname, "../../../wsdl/communication.wsdl");
let dir = "";
let server: CommunicationServer;
let url = "";
let proxy: TestIdentity;
let stranger: TestIdentity;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "esol-node-soap-"));
  proxy = await client();
  stranger = await attacker();
  server = new CommunicationServer({
    dbPath: join(dir, "server.db"),
    host: "127.0.0.1",
    port: 0,
    tls: false,
    signaturePolicy: "required",
    verifier: createRequestVerifier({ trust: [proxy.certPem] }),
  });
  url = (await server.start()).url;
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const stored = (): string[] => server.exportStore().proxies.map((p) => p.proxyId);

interface RegisterProxyClient extends soap.Client {
  RegisterProxyAsync(
    args: { Key: string; ProxyId: string; Site?: string },
    options?: { postProcess?: (xml: string) => string },
  ): Promise<[{ ProxyId: string }, string]>;
}

async function nodeSoapClient(id: TestIdentity): Promise<RegisterProxyClient> {
  const c = (await soap.createClientAsync(WSDL, { endpoint: url })) as RegisterProxyClient;
  c.setSecurity(new NodeSoapSecurity({ key: id.keyPem, cert: id.certPem }));
  return c;
}

/** The fault code the server sent, from a node-soap rejection. */
const faultCodeOf = (err: unknown): string | undefined =>
  /<Code>([^<]+)<\/Code>/.exec(String((err as { body?: string }).body ?? ""))?.[1];

describe("NodeSoapSecurity in a node-soap client against the reference server", () => {
  it("signs node-soap's envelope so the server accepts and stores it", async () => {
    const c = await nodeSoapClient(proxy);
    const [result] = await c.RegisterProxyAsync({ Key: "key-ns-0001", ProxyId: "proxy-ns-1", Site: "Bern" });
    expect(result.ProxyId).toBe("proxy-ns-1");
    expect(stored()).toContain("proxy-ns-1");
    expect(c.lastRequest).toMatch(/<wsse:Security [^>]*>.*<ds:Signature/);
    // A second call gets a fresh Timestamp (not refused as a replay).
    const [again] = await c.RegisterProxyAsync({ Key: "key-ns-0002", ProxyId: "proxy-ns-2" });
    expect(again.ProxyId).toBe("proxy-ns-2");
  });

  it("refuses the call when the Body is altered after signing, and stores nothing", async () => {
    const c = await nodeSoapClient(proxy);
    const tamper = (xml: string) => xml.replace("proxy-ns-t", "proxy-ns-u");
    const err = await c
      .RegisterProxyAsync({ Key: "key-ns-000t", ProxyId: "proxy-ns-t" }, { postProcess: tamper })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(faultCodeOf(err)).toBe("WSS_BAD_DIGEST");
    expect(stored()).not.toContain("proxy-ns-t");
    expect(stored()).not.toContain("proxy-ns-u");
  });

  it("refuses a client whose key the server does not trust", async () => {
    const c = await nodeSoapClient(stranger);
    const err = await c.RegisterProxyAsync({ Key: "key-ns-000x", ProxyId: "proxy-ns-x" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(faultCodeOf(err)).toBe("WSS_UNTRUSTED_KEY");
    expect(stored()).not.toContain("proxy-ns-x");
  });
});
