/**
 * The reference server with the strict verifier in front of node-soap: every SOAP/WSS
 * bad input is answered with a SOAP fault, nothing is stored, and the server keeps
 * answering the next valid request. Responses are signed by the server and verified
 * by the client's pinned server certificate.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommunicationServer } from "../../../src/server/index.js";
import type { MessageSecurity } from "../../../src/soap/security.js";
import { createMessageSigner, createRequestVerifier } from "../../../src/wssec/index.js";
import { createTestIdentity, type TestIdentity, testIdentity } from "../../helpers/keys.js";
import { BAD_INPUTS } from "../../unit/wssec/bad-inputs.js";
import { ALGORITHM_KEYS, client, KEY_REFERENCES } from "../../unit/wssec/support.js";
import { post as rawPost } from "../server/raw.js";

/** Codes whose inputs the server's own pre-check may refuse before the verifier runs. */
const PRECHECKED_CODES = ["WSS_MALFORMED", "WSS_TOO_LARGE", "WSS_VERSION_MISMATCH", "WSS_WRAPPING"];

interface Answer {
  status: number;
  body: string;
}

let dir = "";
let server: CommunicationServer;
let url = "";
let tlsCa = "";
let proxy: TestIdentity;
let serverIdentity: TestIdentity;
let signer: MessageSecurity;
let sequence = 0;

const post = (body: string): Promise<Answer> => rawPost(url, body, { ca: tlsCa });

const registerProxy = (proxyId: string): string =>
  '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ' +
  `xmlns:t="urn:esolutions:communication:v1"><soap:Body><t:RegisterProxy><Key>key-${proxyId}</Key>` +
  `<ProxyId>${proxyId}</ProxyId><Site>HQ</Site></t:RegisterProxy></soap:Body></soap:Envelope>`;

const signedRegistration = async (): Promise<string> =>
  signer.secureRequest(registerProxy(`proxy-${++sequence}`), { operation: "RegisterProxy", attempt: 1 });

const stored = () => {
  const s = server.exportStore();
  return { proxies: s.proxies.length, reads: s.billingReads.length, devices: s.devices.length };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "esol-wssec-server-"));
  proxy = await client();
  serverIdentity = await createTestIdentity("ec-p256", { commonName: "esol-test-server" });
  signer = createMessageSigner({
    key: proxy.keyPem,
    cert: proxy.certPem,
    verifyResponsesWith: serverIdentity.certPem,
  });
  server = new CommunicationServer({
    dbPath: join(dir, "server.db"),
    host: "127.0.0.1",
    port: 0,
    verifier: createRequestVerifier({
      trust: [
        proxy.certPem,
        ...(await Promise.all(ALGORITHM_KEYS.map(async ([, type]) => (await testIdentity(type)).certPem))),
      ],
    }),
    responseSecurity: createMessageSigner({ key: serverIdentity.keyPem, cert: serverIdentity.certPem }),
  });
  const address = await server.start();
  url = address.url;
  tlsCa = address.certificatePem ?? "";
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the reference server enforces the verifier", () => {
  it("answers a signed request, and the client verifies the server's signed response", async () => {
    const before = stored().proxies;
    const answer = await post(await signedRegistration());
    expect(answer.status).toBe(200);
    expect(answer.body).toContain("RegisterProxyResponse");
    await signer.verifyResponse?.(answer.body, { operation: "RegisterProxy", attempt: 1 });
    expect(stored().proxies).toBe(before + 1);
  });

  for (const [algorithm, type] of ALGORITHM_KEYS) {
    for (const keyReference of KEY_REFERENCES) {
      it(`accepts our client's ${algorithm} signature with a ${keyReference} key reference`, async () => {
        const id = await testIdentity(type);
        const security = createMessageSigner({
          key: id.keyPem,
          cert: id.certPem,
          algorithm,
          keyReference,
          verifyResponsesWith: serverIdentity.certPem,
        });
        const request = await security.secureRequest(registerProxy(`proxy-${++sequence}`), {
          operation: "RegisterProxy",
          attempt: 1,
        });
        const answer = await post(request);
        expect(answer.status).toBe(200);
        await security.verifyResponse?.(answer.body, { operation: "RegisterProxy", attempt: 1 });
      });
    }
  }

  it("a response altered in transit fails the client's check", async () => {
    const answer = await post(await signedRegistration());
    const altered = answer.body.replace(/<ProxyId>[^<]*</, "<ProxyId>proxy-evil<");
    expect(altered).not.toBe(answer.body);
    await expect(async () =>
      signer.verifyResponse?.(altered, { operation: "RegisterProxy", attempt: 1 }),
    ).rejects.toMatchObject({
      code: "WSS_BAD_DIGEST",
    });
  });

  it("refuses a replayed request with wsse:InvalidSecurity and stores it once", async () => {
    const message = await signedRegistration();
    expect((await post(message)).status).toBe(200);
    const before = stored();
    const replay = await post(message);
    expect(replay.status).toBe(500);
    expect(replay.body).toContain("<faultcode>wsse:InvalidSecurity</faultcode>");
    expect(replay.body).toContain("WSS_REPLAY");
    expect(stored()).toEqual(before);
  });

  for (const bad of BAD_INPUTS) {
    it(`refuses ${bad.name} with a SOAP fault, stores nothing, keeps serving`, async () => {
      const before = stored();
      const answer = await post(await bad.build());
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.body).toMatch(/<faultcode>[^<]+<\/faultcode>/);
      expect(answer.body).not.toContain("    at ");
      expect(answer.body.length).toBeLessThan(4096);
      const faultCode = /<faultcode>([^<]*)</.exec(answer.body)?.[1] ?? "";
      const faultString = /<faultstring>([^<]*)</.exec(answer.body)?.[1] ?? "";
      if (faultCode.startsWith("wsse:")) {
        expect(faultString.startsWith(`${bad.code}: `)).toBe(true);
      } else {
        // The server's own envelope pre-check (size, XML well-formedness, one Body, SOAP
        // version) may refuse first; it answers soap:Client / soap:VersionMismatch.
        expect(["soap:Client", "soap:VersionMismatch"]).toContain(faultCode);
        expect(PRECHECKED_CODES).toContain(bad.code);
      }
      expect(stored()).toEqual(before);
      const next = await post(await signedRegistration());
      expect(next.status).toBe(200);
    });
  }
});
