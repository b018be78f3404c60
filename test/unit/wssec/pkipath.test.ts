/**
 * `X509PKIPathv1` BinarySecurityTokens (WSS X.509 Token Profile 1.1 §3.1): a chain made with
 * the openssl CLI (root → intermediate → proxy), sent as one PkiPath. The chain is verified
 * up to a CA given with `trustCa` (the root alone is enough: the path carries the
 * intermediate), under the subject rule; a root the message carries is never trusted on its
 * own; a broken or malformed path is refused. Clocks are fixed inside the chain's validity.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecurityError } from "../../../src/errors.js";
import {
  createMessageSigner,
  createRequestVerifier,
  X509_PKIPATH_VALUE_TYPE,
} from "../../../src/wssec/index.js";
import { splitPkiPath } from "../../../src/wssec/x509.js";
import { runEsolWithInput } from "../../helpers/esol.js";
import { SAMPLE_ENVELOPE } from "./support.js";

const run = promisify(execFile);
let dir = "";
const pems: Record<string, string> = {};
/** Inside every certificate's validity (openssl starts them now, for 30 days). */
let now = 0;

/** One openssl certificate: self-signed when `issuer` is absent. */
async function issue(name: string, subject: string, ca: boolean, issuer?: string): Promise<void> {
  const key = join(dir, `${name}.key`);
  await run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]);
  const ext = join(dir, `${name}.ext`);
  await writeFile(
    ext,
    ca
      ? "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n"
      : "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\n",
  );
  const csr = join(dir, `${name}.csr`);
  await run("openssl", ["req", "-new", "-key", key, "-subj", subject, "-out", csr]);
  const signer = issuer
    ? ["-CA", join(dir, `${issuer}.crt`), "-CAkey", join(dir, `${issuer}.key`), "-set_serial", "0x1001"]
    : ["-signkey", key];
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    csr,
    ...signer,
    "-days",
    "30",
    "-extfile",
    ext,
    "-out",
    join(dir, `${name}.crt`),
  ]);
  pems[name] = await readFile(join(dir, `${name}.crt`), "utf8");
  pems[`${name}-key`] = await readFile(key, "utf8");
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "esol-pkipath-"));
  await issue("root", "/CN=esol-test-root", true);
  await issue("intermediate", "/CN=esol-test-intermediate", true, "root");
  await issue("proxy", "/CN=proxy-7", false, "intermediate");
  await issue("printer", "/CN=printer-7", false, "intermediate");
  await issue("other-root", "/CN=esol-other-root", true);
  now = Date.now() + 60_000;
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const signAs = (leaf: string, chain: string[]): string =>
  createMessageSigner({
    key: pems[`${leaf}-key`] as string,
    cert: pems[leaf] as string,
    chain: chain.map((c) => pems[c] as string),
    keyReference: "pkipath",
    clock: () => now,
  }).secureRequest(SAMPLE_ENVELOPE, { operation: "Sync", attempt: 1 }) as string;

const refusal = (fn: () => unknown): SecurityError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SecurityError) return err;
    throw err;
  }
  throw new Error("accepted");
};

const caVerifier = (trustCa: string[]) =>
  createRequestVerifier({ trustCa, subject: "CN=proxy-\\d+", clock: () => now });

describe("X509PKIPathv1 BinarySecurityToken", () => {
  it("writes a DER PkiPath that openssl reads as a SEQUENCE of the three certificates, root first", async () => {
    const signed = signAs("proxy", ["intermediate", "root"]);
    expect(signed).toContain(`ValueType="${X509_PKIPATH_VALUE_TYPE}"`);
    const b64 = /ValueType="[^"]*X509PKIPathv1"[^>]*>([^<]+)</.exec(signed)?.[1] as string;
    const der = Buffer.from(b64, "base64");
    const file = join(dir, "path.der");
    await writeFile(file, der);
    const { stdout } = await run("openssl", ["asn1parse", "-inform", "DER", "-in", file, "-i"]);
    expect(stdout.split("\n")[0]).toMatch(/^\s*0:d=0\s+hl=\d+ l=\s*\d+ cons: SEQUENCE/);
    const parts = splitPkiPath(der, 9);
    expect(parts).toHaveLength(3);
    const subjects = await Promise.all(
      parts.map(async (p, i) => {
        const f = join(dir, `part-${i}.der`);
        await writeFile(f, p);
        return (
          await run("openssl", ["x509", "-inform", "DER", "-in", f, "-noout", "-subject"])
        ).stdout.trim();
      }),
    );
    expect(subjects).toEqual([
      "subject=CN = esol-test-root",
      "subject=CN = esol-test-intermediate",
      "subject=CN = proxy-7",
    ]);
  });

  it("verifies the chain up to the configured root, with the subject rule", () => {
    const verifier = caVerifier([pems.root as string]);
    const sender = verifier.verifyRequest(signAs("proxy", ["intermediate", "root"]));
    expect(sender?.subject).toBe("CN=proxy-7");
    expect(sender?.keyReference).toBe("pkipath");
    expect(sender?.trusted).toBe(true);
    // Without the root in the path (it is configured) the chain verifies too.
    expect(verifier.verifyRequest(signAs("proxy", ["intermediate"]))?.subject).toBe("CN=proxy-7");
  });

  it("refuses a certificate outside the subject rule, and a path that does not reach a configured CA", () => {
    const verifier = caVerifier([pems.root as string]);
    expect(refusal(() => verifier.verifyRequest(signAs("printer", ["intermediate", "root"]))).code).toBe(
      "WSS_UNTRUSTED_KEY",
    );
    // The leaf alone cannot reach the root: the intermediate is neither configured nor sent.
    expect(refusal(() => verifier.verifyRequest(signAs("proxy", []))).code).toBe("WSS_UNTRUSTED_KEY");
    // The path's own root is not trusted because the message carries it.
    const other = caVerifier([pems["other-root"] as string]);
    expect(refusal(() => other.verifyRequest(signAs("proxy", ["intermediate", "root"]))).code).toBe(
      "WSS_UNTRUSTED_KEY",
    );
  });

  it("refuses a path whose order is broken (an intermediate that did not issue the next)", () => {
    const verifier = caVerifier([pems.root as string]);
    // other-root in place of the intermediate: it did not issue the proxy's certificate.
    expect(refusal(() => verifier.verifyRequest(signAs("proxy", ["other-root", "root"]))).code).toBe(
      "WSS_UNTRUSTED_KEY",
    );
  });

  it("accepts a pinned signer in a PkiPath without any CA", () => {
    const verifier = createRequestVerifier({ trust: [pems.proxy as string], clock: () => now });
    expect(verifier.verifyRequest(signAs("proxy", ["intermediate", "root"]))?.subject).toBe("CN=proxy-7");
  });

  it("refuses a malformed PkiPath (not a SEQUENCE, trailing bytes) as WSS_MALFORMED", () => {
    const verifier = caVerifier([pems.root as string]);
    const signed = signAs("proxy", ["intermediate", "root"]);
    const b64 = /ValueType="[^"]*X509PKIPathv1"[^>]*>([^<]+)</.exec(signed)?.[1] as string;
    const der = Buffer.from(b64, "base64");
    const trailing = Buffer.concat([der, Buffer.from([0, 0])]).toString("base64");
    const notSequence = Buffer.concat([Buffer.from([0x31]), der.subarray(1)]).toString("base64");
    for (const bad of [trailing, notSequence])
      expect(refusal(() => verifier.verifyRequest(signed.replace(b64, bad))).code).toBe("WSS_MALFORMED");
    expect(() => splitPkiPath(der, 2)).toThrow(/more than 2/);
  });

  it("esol sign --key-ref pkipath --chain makes what esol verify --trust-ca ROOT accepts", async () => {
    const file = (name: string) => join(dir, name);
    const signed = await runEsolWithInput(
      [
        "sign",
        "--key",
        file("proxy.key"),
        "--cert",
        file("proxy.crt"),
        "--key-ref",
        "pkipath",
        "--chain",
        file("intermediate.crt"),
      ],
      SAMPLE_ENVELOPE,
    );
    expect(signed.stderr).toBe("");
    expect(signed.stdout).toContain("X509PKIPathv1");
    const ok = await runEsolWithInput(
      ["verify", "--trust-ca", file("root.crt"), "--subject", "CN=proxy-\\d+"],
      signed.stdout,
    );
    expect(ok.stderr).toBe("");
    expect(ok.stdout).toMatch(/^ok trusted subject="CN=proxy-7" .* key-ref=pkipath/);
    const refused = await runEsolWithInput(
      ["verify", "--trust-ca", file("other-root.crt"), "--subject", "CN=proxy-\\d+"],
      signed.stdout,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/^error WSS_UNTRUSTED_KEY: /);
  });
});
