/**
 * The legacy profile (issue 14 item 5): messages signed the way the original eSolutions
 * clients sign — RSA-SHA1 with SHA-1 digests, in the 2003 (and 2002) draft WS-Security
 * namespaces — computed by xmlsec1 (an independent XML-DSig implementation), accepted only
 * from a sender pinned with `trustLegacy`; refused for every other sender with the error
 * they get without any grant; refused by default. Then end to end through `esol server
 * --trust-legacy`: accepted and stored, logged, and shown on that proxy in `esol server export`.
 */
import { type ChildProcess, execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecurityError } from "../../../src/errors.js";
import type { StoreExport } from "../../../src/server/index.js";
import {
  createRequestVerifier,
  type RequestVerifierOptions,
  WSS_2002_DRAFT,
  WSS_2003_DRAFT,
  WSS_2004,
  WsSecuritySigner,
  type WsseNamespaces,
} from "../../../src/wssec/index.js";
import { runEsol, runEsolWithInput, spawnEsol, waitForLine } from "../../helpers/esol.js";
import { type TestIdentity, testIdentity } from "../../helpers/keys.js";
import { post } from "../../integration/server/raw.js";

const run = promisify(execFile);
const SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/";
const RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
const SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1";
/** Inside every test certificate's validity: a minute after the newest one starts. */
let NOW = 0;

let dir = "";
let legacy: TestIdentity;
let strict: TestIdentity;
let stranger: TestIdentity;
const running: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "esol-wssec-legacy-"));
  legacy = await testIdentity("rsa", "legacy-client");
  strict = await testIdentity("rsa", "client");
  stranger = await testIdentity("rsa", "attacker");
  NOW =
    Math.max(
      ...[legacy, strict, stranger].map((id) => Date.parse(new X509Certificate(id.certPem).validFrom)),
    ) + 60_000;
  for (const [name, id] of Object.entries({ legacy, strict, stranger })) {
    await writeFile(join(dir, `${name}.key`), id.keyPem);
    await writeFile(join(dir, `${name}.crt`), id.certPem);
  }
});

afterAll(async () => {
  for (const p of running) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  if (dir) await rm(dir, { recursive: true, force: true });
});

const registration = (proxyId: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP_NS}" xmlns:t="urn:esolutions:communication:v1">` +
  `<soap:Body><t:RegisterProxy><Key>key-${proxyId}</Key><ProxyId>${proxyId}</ProxyId><Site>legacy</Site></t:RegisterProxy></soap:Body></soap:Envelope>`;

interface LegacyShape {
  ns: WsseNamespaces;
  /** RSA-SHA1 + SHA-1 digests (else RSA-SHA256 + SHA-256). */
  sha1: boolean;
}

/**
 * Signs with xmlsec1 --sign: our signer writes the header in the wanted namespaces (a
 * template once its values are blanked), the algorithms are rewritten, xmlsec1 computes
 * every digest and the signature.
 */
async function xmlsecSign(name: string, id: TestIdentity, shape: LegacyShape, envelope: string, clock = NOW) {
  const base = new WsSecuritySigner({
    key: id.keyPem,
    cert: id.certPem,
    namespaces: shape.ns === WSS_2004 ? "wss-2004" : "wss-2003-draft",
    clock: () => clock,
  }).secureRequest(envelope, { operation: "RegisterProxy", attempt: 1 });
  let template = base
    .replace(/<ds:DigestValue>[^<]*<\/ds:DigestValue>/g, "<ds:DigestValue></ds:DigestValue>")
    .replace(/<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/, "<ds:SignatureValue></ds:SignatureValue>");
  if (shape.ns === WSS_2002_DRAFT)
    template = template
      .replaceAll(WSS_2003_DRAFT.wsse, WSS_2002_DRAFT.wsse)
      .replaceAll(WSS_2003_DRAFT.wsu, WSS_2002_DRAFT.wsu);
  if (shape.sha1)
    template = template
      .replace(/(<ds:SignatureMethod Algorithm=")[^"]+"/, `$1${RSA_SHA1}"`)
      .replace(/(<ds:DigestMethod Algorithm=")[^"]+"/g, `$1${SHA1}"`);
  const input = join(dir, `${name}.template.xml`);
  const output = join(dir, `${name}.signed.xml`);
  await writeFile(input, template);
  await run("xmlsec1", [
    "--sign",
    "--privkey-pem",
    `${join(dir, `${name.split("-")[0]}.key`)},${join(dir, `${name.split("-")[0]}.crt`)}`,
    "--id-attr:Id",
    `${shape.ns.wsu}:Timestamp`,
    "--id-attr:Id",
    `${SOAP_NS}:Body`,
    "--output",
    output,
    input,
  ]);
  const signed = await readFile(output, "utf8");
  expect(signed).not.toContain("<ds:SignatureValue></ds:SignatureValue>");
  if (shape.sha1) expect(signed).toContain(RSA_SHA1);
  return signed;
}

const refusal = (fn: () => unknown): SecurityError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SecurityError) return err;
    throw err;
  }
  throw new Error("accepted");
};

const verifier = (options: RequestVerifierOptions = {}) =>
  createRequestVerifier({ trust: [strict.certPem], clock: () => NOW, ...options });

describe("legacy profile: granted per pinned sender, off by default", () => {
  const SHAPES: Array<[string, LegacyShape, string[]]> = [
    [
      "RSA-SHA1 / SHA-1 digests (WS-Security 1.0 namespaces)",
      { ns: WSS_2004, sha1: true },
      ["rsa-sha1", "sha1-digest"],
    ],
    [
      "RSA-SHA1 in the 2003 draft namespaces",
      { ns: WSS_2003_DRAFT, sha1: true },
      ["wss-2003-draft", "rsa-sha1", "sha1-digest"],
    ],
    [
      "RSA-SHA1 in the 2002 draft namespaces",
      { ns: WSS_2002_DRAFT, sha1: true },
      ["wss-2002-draft", "rsa-sha1", "sha1-digest"],
    ],
    ["RSA-SHA256 in the 2003 draft namespaces", { ns: WSS_2003_DRAFT, sha1: false }, ["wss-2003-draft"]],
  ];
  const codeFor = (shape: LegacyShape) => (shape.ns === WSS_2004 ? "WSS_ALGORITHM" : "WSS_NAMESPACE");

  for (const [name, shape, forms] of SHAPES) {
    it(`${name}: accepted from the granted sender, reporting the legacy forms`, async () => {
      const signed = await xmlsecSign(`legacy-${forms.join("_")}`, legacy, shape, registration("p-legacy"));
      const sender = verifier({ trustLegacy: [legacy.certPem] }).verifyRequest(signed);
      expect(sender).toMatchObject({ trusted: true, profile: "legacy", legacyForms: forms });
      expect(sender?.algorithm).toBe(shape.sha1 ? "rsa-sha1" : "rsa-sha256");
      // Tampering is still caught under the legacy profile.
      expect(
        refusal(() =>
          verifier({ trustLegacy: [legacy.certPem] }).verifyRequest(signed.replace("p-legacy", "p-legacz")),
        ).code,
      ).toBe("WSS_BAD_DIGEST");
    });

    it(`${name}: refused with the usual error for a pinned sender without the grant, a stranger, and by default`, async () => {
      const fromStrict = await xmlsecSign(
        `strict-${forms.join("_")}`,
        strict,
        shape,
        registration("p-strict"),
      );
      const fromStranger = await xmlsecSign(
        `stranger-${forms.join("_")}`,
        stranger,
        shape,
        registration("p-x"),
      );
      const granted = verifier({ trustLegacy: [legacy.certPem] });
      const byDefault = verifier();
      // Also when something else is wrong with it: the legacy form is what they are told about.
      const brokenTime = fromStranger.replace(/(<wsu:Created>)[^<]*/, "$1yesterday");
      expect(brokenTime).not.toBe(fromStranger);
      for (const [v, msg] of [
        [granted, fromStrict],
        [granted, fromStranger],
        [granted, brokenTime],
        [byDefault, fromStrict],
      ] as const) {
        const err = refusal(() => v.verifyRequest(msg));
        expect(err.code).toBe(codeFor(shape));
        // The same answer a server without any legacy grant gives (nothing reveals the grant).
        expect(err.message).toBe(refusal(() => byDefault.verifyRequest(msg)).message);
      }
    });
  }

  it("the 2003-draft message is refused by default even from a pinned sender", async () => {
    const signed = await xmlsecSign(
      "strict-draft-default",
      strict,
      { ns: WSS_2003_DRAFT, sha1: false },
      registration("p"),
    );
    const err = refusal(() => verifier().verifyRequest(signed));
    expect(err.code).toBe("WSS_NAMESPACE");
    expect(err.message).toContain(WSS_2003_DRAFT.wsse);
  });

  it("a granted sender's current-form messages report no legacy form; re-pinning it keeps the grant", async () => {
    const v = verifier({ trustLegacy: [legacy.certPem] });
    const modern = await xmlsecSign(
      "legacy-modern",
      legacy,
      { ns: WSS_2004, sha1: false },
      registration("p-m"),
    );
    expect(v.verifyRequest(modern)).toMatchObject({ profile: "legacy", legacyForms: [] });
    v.trustCertificate(legacy.certPem); // what the server does at registration
    const old = await xmlsecSign(
      "legacy-repinned",
      legacy,
      { ns: WSS_2004, sha1: true },
      registration("p-r"),
    );
    expect(v.verifyRequest(old)?.profile).toBe("legacy");
    // A strict sender's messages say so.
    const strictModern = await xmlsecSign(
      "strict-modern",
      strict,
      { ns: WSS_2004, sha1: false },
      registration("p-s"),
    );
    expect(v.verifyRequest(strictModern)).toMatchObject({ profile: "strict", legacyForms: [] });
  });
});

describe("esol verify --trust-legacy", () => {
  it("accepts the granted sender's legacy message and names the forms; --trust alone refuses it", async () => {
    const signed = await xmlsecSign(
      "legacy-cli",
      legacy,
      { ns: WSS_2003_DRAFT, sha1: true },
      registration("p-cli"),
      Date.now(), // esol verify checks on its own clock
    );
    const ok = await runEsolWithInput(["verify", "--trust-legacy", join(dir, "legacy.crt")], signed);
    expect(ok.stderr).toBe("");
    expect(ok.stdout).toMatch(/^ok trusted .* alg=rsa-sha1 .* legacy=wss-2003-draft,rsa-sha1,sha1-digest\n$/);
    const refused = await runEsolWithInput(["verify", "--trust", join(dir, "legacy.crt")], signed);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/^error WSS_NAMESPACE: /);
  });
});

describe("esol server --trust-legacy", () => {
  it("stores the granted sender's legacy registration once, logs it, shows the grant in the export; refuses others", async () => {
    const db = join(dir, "server.db");
    const server = spawnEsol(
      [
        "server",
        "--http",
        "--port",
        "0",
        "--db",
        db,
        "--trust",
        join(dir, "strict.crt"),
        "--trust-legacy",
        join(dir, "legacy.crt"),
        "--log",
        "warn",
      ],
      running,
    );
    let stderr = "";
    server.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const url = (await waitForLine(server, "listening ")).slice("listening ".length).trim();
    const now = Date.now(); // the server verifies on its own clock
    const shape = { ns: WSS_2003_DRAFT, sha1: true };
    const fromLegacy = await xmlsecSign("legacy-server", legacy, shape, registration("p-old"), now);
    const fromStrict = await xmlsecSign("strict-server", strict, shape, registration("p-new"), now);
    const modern = new WsSecuritySigner({ key: strict.keyPem, cert: strict.certPem }).secureRequest(
      registration("p-new"),
      { operation: "RegisterProxy", attempt: 1 },
    );

    const accepted = await post(url, fromLegacy);
    expect(accepted.status).toBe(200);
    expect((await post(url, fromLegacy)).status).toBe(500); // a replay is still a replay
    const refused = await post(url, fromStrict);
    expect(refused.status).toBe(500);
    expect(refused.body).toContain("WSS_NAMESPACE");
    expect((await post(url, modern)).status).toBe(200);

    const exported = await runEsol(["server", "export", "--db", db]);
    expect(exported.code).toBe(0);
    const store = JSON.parse(exported.stdout) as StoreExport;
    const byId = new Map(store.proxies.map((p) => [p.proxyId, p]));
    expect([...byId.keys()].sort()).toEqual(["p-new", "p-old"]);
    expect(byId.get("p-old")?.signer).toMatchObject({
      subject: expect.stringContaining("legacy"),
      profile: "legacy",
    });
    expect(byId.get("p-old")?.signer?.profileGrantedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(byId.get("p-new")?.signer?.profile).toBeUndefined();

    server.kill("SIGTERM");
    await new Promise((resolve) => server.once("exit", resolve));
    const lines = stderr.split("\n").filter((l) => l.includes("accepted under the legacy profile"));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      operation: "RegisterProxy",
      legacyForms: ["wss-2003-draft", "rsa-sha1", "sha1-digest"],
    });
    expect(stderr).toContain("warning: --trust-legacy");
  });
});
