/**
 * Responses under `verifyResponsesWith`: the client refuses an unsigned or wrongly signed
 * answer; a SOAP fault that does not verify (a server without response signing, or one
 * whose signer failed) is reported as a typed `UNSIGNED_FAULT` error carrying the fault,
 * so the user still sees the server's reason. Signature policy stated explicitly.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SdkError, SoapFaultError, UnsignedFaultError } from "../../../src/errors.js";
import { CommunicationServer } from "../../../src/server/index.js";
import type { MessageSecurity } from "../../../src/soap/index.js";
import { CommunicationClient } from "../../../src/soap/index.js";
import { createMessageSigner, createRequestVerifier } from "../../../src/wssec/index.js";
import { createTestIdentity, type TestIdentity, testIdentity } from "../../helpers/keys.js";

let dir = "";
let proxy: TestIdentity;
let stranger: TestIdentity;
let serverId: TestIdentity;
let impostor: TestIdentity;
const servers: CommunicationServer[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "esol-wssec-responses-"));
  proxy = await testIdentity("rsa", "responses-proxy");
  stranger = await testIdentity("rsa", "responses-stranger");
  serverId = await createTestIdentity("ec-p256", { commonName: "esol-test-responses-server" });
  impostor = await createTestIdentity("ec-p256", { commonName: "esol-test-responses-impostor" });
});

afterAll(async () => {
  for (const s of servers) await s.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function startServer(name: string, responseSecurity: MessageSecurity | undefined): Promise<string> {
  const server = new CommunicationServer({
    dbPath: join(dir, `${name}.db`),
    host: "127.0.0.1",
    port: 0,
    tls: false,
    signaturePolicy: "required",
    verifier: createRequestVerifier({ trust: [proxy.certPem] }),
    ...(responseSecurity ? { responseSecurity } : {}),
  });
  servers.push(server);
  return (await server.start()).url;
}

const clientFor = (url: string, who: TestIdentity) =>
  new CommunicationClient({
    endpoint: url,
    maxRetries: 0,
    security: createMessageSigner({
      key: who.keyPem,
      cert: who.certPem,
      verifyResponsesWith: serverId.certPem,
    }),
  });

async function failure(call: () => Promise<unknown>): Promise<SdkError> {
  try {
    await call();
  } catch (err) {
    if (err instanceof SdkError) return err;
    throw err;
  }
  throw new Error("the call succeeded");
}

describe("responses under verifyResponsesWith", () => {
  it("a signed fault is reported as the server's fault (it verifies)", async () => {
    const url = await startServer(
      "signed",
      createMessageSigner({ key: serverId.keyPem, cert: serverId.certPem }),
    );
    const ok = clientFor(url, proxy);
    const refused = clientFor(url, stranger);
    try {
      await ok.registerProxy({ key: "proxy-key-0001", proxyId: "resp-1" });
      const err = await failure(() => refused.registerProxy({ key: "proxy-key-0002", proxyId: "resp-2" }));
      expect(err).toBeInstanceOf(SoapFaultError);
      expect(err.code).toBe("WSS_UNTRUSTED_KEY");
    } finally {
      await ok.close();
      await refused.close();
    }
  });

  it("an unsigned fault becomes UNSIGNED_FAULT carrying the server's reason; an unsigned answer is refused", async () => {
    const url = await startServer("unsigned", undefined);
    const refused = clientFor(url, stranger);
    const ok = clientFor(url, proxy);
    try {
      const err = await failure(() => refused.registerProxy({ key: "proxy-key-0003", proxyId: "resp-3" }));
      expect(err).toBeInstanceOf(UnsignedFaultError);
      expect(err.code).toBe("UNSIGNED_FAULT");
      expect((err as UnsignedFaultError).fault.code).toBe("WSS_UNTRUSTED_KEY");
      expect(err.message).toContain("WSS_UNTRUSTED_KEY");
      expect(((err as UnsignedFaultError).cause as SdkError).code).toBe("WSS_UNSIGNED");
      const answer = await failure(() => ok.registerProxy({ key: "proxy-key-0004", proxyId: "resp-4" }));
      expect(answer.code).toBe("WSS_UNSIGNED");
    } finally {
      await ok.close();
      await refused.close();
    }
  });

  it("a fault the server could not sign is UNSIGNED_FAULT; answers signed by another key are refused", async () => {
    const real = createMessageSigner({ key: serverId.keyPem, cert: serverId.certPem });
    // The server's signer fails on faults (e.g. its key store went away mid-request).
    const failingOnFaults: MessageSecurity = {
      secureRequest: (text, context) => {
        if (text.includes(":Fault>")) throw new Error("signing key unavailable");
        return real.secureRequest(text, context);
      },
    };
    const url = await startServer("failing", failingOnFaults);
    const refused = clientFor(url, stranger);
    try {
      const err = await failure(() => refused.registerProxy({ key: "proxy-key-0005", proxyId: "resp-5" }));
      expect(err.code).toBe("UNSIGNED_FAULT");
      expect((err as UnsignedFaultError).fault.message).toContain("could not sign");
    } finally {
      await refused.close();
    }
    const wrongUrl = await startServer(
      "impostor",
      createMessageSigner({ key: impostor.keyPem, cert: impostor.certPem }),
    );
    const ok = clientFor(wrongUrl, proxy);
    try {
      const err = await failure(() => ok.registerProxy({ key: "proxy-key-0006", proxyId: "resp-6" }));
      expect(err.code).toBe("WSS_UNTRUSTED_KEY");
      expect(err).not.toBeInstanceOf(SoapFaultError);
    } finally {
      await ok.close();
    }
  });
});
