/**
 * Independent stacks against ours: xmlsec1 (the reference XML-DSig implementation)
 * verifies what our signer writes and signs what our verifier must accept; a zeep
 * client (python3-zeep + python3-xmlsec, as device-side clients use it) signs a
 * request our verifier must accept.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecurityError } from "../../../src/errors.js";
import { CommunicationServer } from "../../../src/server/index.js";
import type { SignatureAlgorithmName } from "../../../src/wssec/index.js";
import { createMessageSigner, createRequestVerifier } from "../../../src/wssec/index.js";
import { WSS_2004 } from "../../../src/wssec/namespaces.js";
import { createTestIdentity, type TestIdentity, type TestKeyType, testIdentity } from "../../helpers/keys.js";
import { SAMPLE_ENVELOPE, signWith } from "../../unit/wssec/support.js";

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, "../../..");
const PYTHON = "/usr/bin/python3";
// xmlsec1 resolves "#id" only through attributes it is told are IDs.
const ID_ATTRS = [
  "--id-attr:Id",
  `${WSS_2004.wsu}:Timestamp`,
  "--id-attr:Id",
  "http://schemas.xmlsoap.org/soap/envelope/:Body",
];

const ALGS: readonly [SignatureAlgorithmName, TestKeyType][] = [
  ["rsa-sha256", "rsa"],
  ["rsa-sha512", "rsa"],
  ["ecdsa-sha256", "ec-p256"],
  ["ecdsa-sha384", "ec-p384"],
];

let dir = "";
const files = new Map<string, { key: string; cert: string; id: TestIdentity }>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "esol-wssec-interop-"));
  for (const [, type] of ALGS) {
    if (files.has(type)) continue;
    const id = await testIdentity(type);
    const key = join(dir, `${type}.key`);
    const cert = join(dir, `${type}.crt`);
    await writeFile(key, id.keyPem);
    await writeFile(cert, id.certPem);
    files.set(type, { key, cert, id });
  }
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const identity = (type: TestKeyType) => files.get(type) as { key: string; cert: string; id: TestIdentity };

async function xmlsecVerify(xml: string, cert: string): Promise<{ ok: boolean; output: string }> {
  const file = join(dir, `verify-${Math.random().toString(36).slice(2)}.xml`);
  await writeFile(file, xml);
  try {
    const { stderr } = await run("xmlsec1", ["--verify", "--pubkey-cert-pem", cert, ...ID_ATTRS, file]);
    return { ok: true, output: stderr };
  } catch (err) {
    return { ok: false, output: String((err as { stderr?: string }).stderr ?? err) };
  }
}

describe("xmlsec1 verifies what our signer produces", () => {
  for (const [algorithm, type] of ALGS) {
    for (const keyReference of ["bst", "thumbprint-sha1"] as const) {
      it(`xmlsec1 --verify accepts our ${algorithm} signature (${keyReference})`, async () => {
        const { cert, id } = identity(type);
        const result = await xmlsecVerify(signWith(id, SAMPLE_ENVELOPE, { algorithm, keyReference }), cert);
        expect(result.output).toContain("SignedInfo References (ok/all): 2/2");
        expect(result.ok).toBe(true);
      });
    }
  }

  it("xmlsec1 --verify rejects our signature once the Body is altered (the check is real)", async () => {
    const { cert, id } = identity("ec-p256");
    const tampered = signWith(id).replace("<tns:meter>1234<", "<tns:meter>9234<");
    expect((await xmlsecVerify(tampered, cert)).ok).toBe(false);
  });
});

describe("our verifier accepts what xmlsec1 signs", () => {
  for (const [algorithm, type] of ALGS) {
    it(`accepts a ${algorithm} signature computed by xmlsec1 --sign`, async () => {
      const { key, cert, id } = identity(type);
      // Our own output with the values blanked is a valid xmlsec1 template.
      const template = signWith(id, SAMPLE_ENVELOPE, { algorithm })
        .replace(/<ds:DigestValue>[^<]*<\/ds:DigestValue>/g, "<ds:DigestValue></ds:DigestValue>")
        .replace(/<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/, "<ds:SignatureValue></ds:SignatureValue>");
      const input = join(dir, `template-${algorithm}.xml`);
      const output = join(dir, `signed-${algorithm}.xml`);
      await writeFile(input, template);
      await run("xmlsec1", [
        "--sign",
        "--privkey-pem",
        `${key},${cert}`,
        ...ID_ATTRS,
        "--output",
        output,
        input,
      ]);
      const signed = await readFile(output, "utf8");
      expect(signed).not.toContain("<ds:SignatureValue></ds:SignatureValue>");
      const sender = createRequestVerifier({ trust: [id.certPem] }).verifyRequest(signed);
      expect(sender).toMatchObject({ trusted: true, algorithm, keyReference: "bst" });
    });
  }
});

describe("our verifier accepts what a zeep client signs", () => {
  const zeepSign = async (type: TestKeyType, alg: string): Promise<string> => {
    const { key, cert } = identity(type);
    const { stdout } = await run(
      PYTHON,
      ["test/fixtures/wssec/zeep_sign.py", "wsdl/communication.wsdl", key, cert, alg],
      { cwd: repoRoot },
    );
    return stdout;
  };

  for (const [alg, type] of [
    ["rsa-sha256", "rsa"],
    ["rsa-sha512", "rsa"],
    ["ecdsa-sha256", "ec-p256"],
  ] as const) {
    it(`accepts zeep BinarySignature + UsernameToken/Timestamp with ${alg}`, async () => {
      const xml = await zeepSign(type, alg);
      expect(xml).toContain("wsse:UsernameToken");
      expect(xml).toContain("wsse:BinarySecurityToken");
      const verifier = createRequestVerifier({ trust: [identity(type).id.certPem] });
      const sender = verifier.verifyRequest(xml);
      expect(sender).toMatchObject({ trusted: true, algorithm: alg, keyReference: "bst" });
      expect(sender?.bodyCanonical).toContain("proxy-zeep");
    });
  }

  it("refuses a zeep request whose Body was altered in transit", async () => {
    const original = await zeepSign("rsa", "rsa-sha256");
    const xml = original.replace(/(ProxyId>)proxy-zeep</, "$1proxy-evil<");
    expect(xml).not.toBe(original);
    const verifier = createRequestVerifier({ trust: [identity("rsa").id.certPem] });
    let code = "accepted";
    try {
      verifier.verifyRequest(xml);
    } catch (err) {
      code = err instanceof SecurityError ? err.code : "other";
    }
    expect(code).toBe("WSS_BAD_DIGEST");
  });
});

describe("a zeep client calls the reference server", () => {
  it("zeep's signed RegisterProxy is accepted over TLS, and zeep (xmlsec) verifies the server's signed response", async () => {
    const { key, cert, id } = identity("rsa");
    const serverId = await createTestIdentity("ec-p256", { commonName: "esol-test-server" });
    const serverCert = join(dir, "server-signing.crt");
    const tlsCa = join(dir, "server-tls.crt");
    await writeFile(serverCert, serverId.certPem);

    const server = new CommunicationServer({
      dbPath: join(dir, "zeep-server.db"),
      host: "127.0.0.1",
      port: 0,
      verifier: createRequestVerifier({ trust: [id.certPem] }),
      responseSecurity: createMessageSigner({ key: serverId.keyPem, cert: serverId.certPem }),
    });
    try {
      const address = await server.start();
      await writeFile(tlsCa, address.certificatePem ?? "");
      const { stdout } = await run(
        PYTHON,
        [
          "test/fixtures/wssec/zeep_call.py",
          "wsdl/communication.wsdl",
          address.url,
          tlsCa,
          key,
          cert,
          serverCert,
          "proxy-zeep-1",
        ],
        { cwd: repoRoot },
      );
      expect(stdout.trim()).toBe("proxy-zeep-1");
      expect(server.exportStore().proxies.map((p) => p.proxyId)).toContain("proxy-zeep-1");
      // The response check is real: pinning another certificate makes zeep refuse the reply.
      const wrongPin = run(
        PYTHON,
        [
          "test/fixtures/wssec/zeep_call.py",
          "wsdl/communication.wsdl",
          address.url,
          tlsCa,
          key,
          cert,
          cert,
          "proxy-zeep-2",
        ],
        { cwd: repoRoot },
      );
      await expect(wrongPin).rejects.toThrow(/SignatureVerificationFailed/);
    } finally {
      await server.close();
    }
  });
});
