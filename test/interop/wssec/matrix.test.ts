/**
 * The interop matrix (docs/keys-and-certificates.md, "Accepted and refused forms"):
 * RegisterProxy requests signed by independent stacks in each stack's default shape —
 * python-xmlsec/lxml in WSS4J, WCF and Metro shapes, zeep's BinarySignature and
 * Signature, the JDK's javax.xml.crypto.dsig — each sent through `esol verify` and to the
 * running reference server (signature policy "required"), asserting accepted and stored
 * exactly once (the second delivery is a replay), or refused with the documented code
 * and nothing stored. The table of results is printed at the end.
 */
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommunicationServer } from "../../../src/server/index.js";
import { createRequestVerifier } from "../../../src/wssec/index.js";
import { formatDistinguishedName, readCertificateNameFields } from "../../../src/wssec/x509.js";
import { runEsolWithInput } from "../../helpers/esol.js";
import { testIdentity } from "../../helpers/keys.js";
import { opensslIdentity } from "../../helpers/openssl.js";
import { post as rawPost } from "../../integration/server/raw.js";

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, "../../..");
const PYTHON = "/usr/bin/python3";

let dir = "";
let server: CommunicationServer;
let url = "";
let sequence = 0;
/** Issuer and serial of the other pinned certificate (the re-pointing attack). */
let plainIssuerSerial = { issuer: "", serial: "" };
const results: { form: string; stack: string; expected: string; verify: string; server: string }[] = [];

/** Files of an identity: `named` (openssl: serial > 2^63, escaped issuer, SKI extension), `plain` (no SKI extension), `stranger` (not trusted). */
const file = (name: string): string => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "esol-wssec-matrix-"));
  const { generateKeyPairSync } = await import("node:crypto");
  const rsaKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
    type: "pkcs8",
    format: "pem",
  }) as string;
  const named = await opensslIdentity({
    subject: "/C=DE/O=Example, Inc./OU=R\\+D/CN=proxy-matrix",
    serialHex: "00f1e2d3c4b5a6978877665544332211",
    keyPem: rsaKey,
  });
  const plain = await testIdentity("rsa", "matrix-plain");
  const stranger = await testIdentity("rsa", "matrix-stranger");
  const fields = readCertificateNameFields(new X509Certificate(plain.certPem).raw);
  plainIssuerSerial = { issuer: formatDistinguishedName(fields.issuer), serial: String(fields.serialNumber) };
  for (const [name, id] of [
    ["named", named],
    ["plain", plain],
    ["stranger", stranger],
  ] as const) {
    await writeFile(file(`${name}.key`), id.keyPem);
    await writeFile(file(`${name}.crt`), id.certPem);
  }
  server = new CommunicationServer({
    dbPath: file("server.db"),
    host: "127.0.0.1",
    port: 0,
    tls: false,
    signaturePolicy: "required",
    verifier: createRequestVerifier({ trust: [named.certPem, plain.certPem] }),
  });
  url = (await server.start()).url;
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  const lines = [
    "| form | stack | expected | esol verify | server |",
    "| --- | --- | --- | --- | --- |",
    ...results.map((r) => `| ${r.form} | ${r.stack} | ${r.expected} | ${r.verify} | ${r.server} |`),
  ];
  process.stdout.write(`\n${lines.join("\n")}\n`);
});

const post = (body: string) => rawPost(url, body);

const esolVerify = (input: string) =>
  runEsolWithInput(["verify", "--trust", file("named.crt"), "--trust", file("plain.crt")], input, repoRoot);

type Identity = "named" | "plain" | "stranger";
const python = async (args: string[]): Promise<string> =>
  (await run(PYTHON, args, { cwd: repoRoot, maxBuffer: 1 << 22 })).stdout;
const stack = (style: string, keyRef: string, who: Identity, proxyId: string, ...options: string[]) =>
  python([
    "test/fixtures/wssec/stack_sign.py",
    style,
    keyRef,
    file(`${who}.key`),
    file(`${who}.crt`),
    proxyId,
    ...options,
  ]);
const zeep = (kind: "binary" | "signature", who: Identity, proxyId: string) =>
  python([
    "test/fixtures/wssec/zeep_register.py",
    "wsdl/communication.wsdl",
    file(`${who}.key`),
    file(`${who}.crt`),
    proxyId,
    kind,
  ]);
const jdk = async (who: Identity, proxyId: string): Promise<string> =>
  (
    await run("java", ["test/fixtures/wssec/JdkSign.java", file(`${who}.key`), file(`${who}.crt`), proxyId], {
      cwd: repoRoot,
    })
  ).stdout;

interface Row {
  form: string;
  stack: string;
  /** `accepted`, or the WSS_* code of the refusal. */
  expected: string;
  sign: (proxyId: string) => Promise<string>;
  /** Changes the signed text (an attack in transit). */
  tamper?: (xml: string) => string;
}

const ROWS: Row[] = [
  {
    form: "IssuerSerial, PrefixList #default/soap, default-namespace payload",
    stack: "WSS4J/CXF (python-xmlsec)",
    expected: "accepted",
    sign: (p) => stack("wss4j", "issuer-serial", "named", p),
  },
  {
    form: "X509SubjectKeyIdentifier (SKI extension)",
    stack: "WSS4J/CXF (python-xmlsec)",
    expected: "accepted",
    sign: (p) => stack("wss4j", "ski", "named", p),
  },
  {
    form: "BST DirectReference",
    stack: "WSS4J/CXF (python-xmlsec)",
    expected: "accepted",
    sign: (p) => stack("wss4j", "bst", "named", p),
  },
  {
    form: "certificate in KeyIdentifier (X509KeyIdentifier)",
    stack: "WSS4J/CXF (python-xmlsec)",
    expected: "accepted",
    sign: (p) => stack("wss4j", "x509-keyidentifier", "named", p),
  },
  {
    form: "ThumbprintSHA1",
    stack: "WSS4J/CXF (python-xmlsec)",
    expected: "accepted",
    sign: (p) => stack("wss4j", "thumbprint", "named", p),
  },
  {
    form: "Timestamp with Created only",
    stack: "WSS4J/CXF (python-xmlsec)",
    expected: "accepted",
    sign: (p) => stack("wss4j", "issuer-serial", "named", p, "created-only"),
  },
  {
    form: "SKI by RFC 5280 method 1 (no extension), unprefixed ds, ms timestamps",
    stack: "WCF/WSE (python-xmlsec)",
    expected: "accepted",
    sign: (p) => stack("wcf", "ski", "plain", p),
  },
  {
    form: "IssuerSerial in .NET form (', ' and quotes)",
    stack: "WCF/WSE (python-xmlsec)",
    expected: "accepted",
    sign: (p) => stack("wcf", "issuer-serial", "named", p),
  },
  {
    form: "BST reference without ValueType, PrefixList S",
    stack: "Metro (python-xmlsec)",
    expected: "accepted",
    sign: (p) => stack("metro", "bst-no-valuetype", "named", p),
  },
  {
    form: "IssuerSerial, exc14n: prefix",
    stack: "Metro (python-xmlsec)",
    expected: "accepted",
    sign: (p) => stack("metro", "issuer-serial", "named", p),
  },
  {
    form: "BinarySignature (BST)",
    stack: "zeep",
    expected: "accepted",
    sign: (p) => zeep("binary", "named", p),
  },
  {
    form: "Signature (X509Data: empty IssuerSerial + X509Certificate)",
    stack: "zeep",
    expected: "accepted",
    sign: (p) => zeep("signature", "named", p),
  },
  {
    form: "IssuerSerial (RFC 2253), PrefixList #default, Created only",
    stack: "JDK javax.xml.crypto",
    expected: "accepted",
    sign: (p) => jdk("named", p),
  },
  {
    form: "Timestamp in +02:00 offset form",
    stack: "WSS4J/CXF (python-xmlsec)",
    expected: "WSS_MALFORMED",
    sign: (p) => stack("wss4j", "issuer-serial", "named", p, "offset"),
  },
  {
    form: "Timestamp with 7 fractional digits",
    stack: "WCF/WSE (python-xmlsec)",
    expected: "WSS_MALFORMED",
    sign: (p) => stack("wcf", "ski", "plain", p, "fraction7"),
  },
  {
    form: "RSA-SHA1 / SHA-1 digests (WSS4J 1.x default)",
    stack: "WSS4J/CXF (python-xmlsec)",
    expected: "WSS_ALGORITHM",
    sign: (p) => stack("wss4j", "issuer-serial", "named", p, "sha1"),
  },
  {
    form: "IssuerSerial of an unpinned certificate",
    stack: "WSS4J/CXF (python-xmlsec)",
    expected: "WSS_UNTRUSTED_KEY",
    sign: (p) => stack("wss4j", "issuer-serial", "stranger", p),
  },
  {
    form: "SKI of an unpinned certificate",
    stack: "WCF/WSE (python-xmlsec)",
    expected: "WSS_UNTRUSTED_KEY",
    sign: (p) => stack("wcf", "ski", "stranger", p),
  },
  {
    form: "BST of an unpinned certificate",
    stack: "zeep",
    expected: "WSS_UNTRUSTED_KEY",
    sign: (p) => zeep("binary", "stranger", p),
  },
  {
    form: "IssuerSerial re-pointed at another pinned certificate",
    stack: "WSS4J/CXF (python-xmlsec)",
    expected: "WSS_BAD_SIGNATURE",
    sign: (p) => stack("wss4j", "issuer-serial", "named", p),
    tamper: (xml) =>
      xml
        .replace(/<ds:X509IssuerName>[^<]*</, `<ds:X509IssuerName>${plainIssuerSerial.issuer}<`)
        .replace(/<ds:X509SerialNumber>\d+</, `<ds:X509SerialNumber>${plainIssuerSerial.serial}<`),
  },
  {
    form: "Body altered after signing",
    stack: "JDK javax.xml.crypto",
    expected: "WSS_BAD_DIGEST",
    sign: (p) => jdk("named", p),
    tamper: (xml) => xml.replace('<Site xmlns="">HQ<', '<Site xmlns="">XX<'),
  },
];

const proxies = (): string[] => server.exportStore().proxies.map((p) => p.proxyId);

describe("interop matrix: independent stacks, default shapes", () => {
  for (const row of ROWS) {
    it(`${row.stack}: ${row.form} → ${row.expected}`, async () => {
      const proxyId = `matrix-${++sequence}`;
      const signed = await row.sign(proxyId);
      const xml = row.tamper ? row.tamper(signed) : signed;
      if (row.tamper) expect(xml).not.toBe(signed);
      const verified = await esolVerify(xml);
      const first = await post(xml);
      const second = await post(xml);
      const stored = proxies().filter((p) => p === proxyId).length;
      const codeOf = (text: string) => /WSS_[A-Z_]+/.exec(text)?.[0] ?? "none";
      const verify = verified.code === 0 ? "accepted" : codeOf(verified.stderr);
      const serverResult =
        first.status === 200
          ? `accepted, stored ${stored}, resend ${codeOf(second.body)}`
          : `${codeOf(first.body)}, stored ${stored}`;
      results.push({
        form: row.form,
        stack: row.stack,
        expected: row.expected,
        verify,
        server: serverResult,
      });
      if (row.expected === "accepted") {
        expect(verified.stderr).toBe("");
        expect(verified.code).toBe(0);
        expect(first.body).toContain("RegisterProxyResponse");
        expect(first.status).toBe(200);
        expect(codeOf(second.body)).toBe("WSS_REPLAY");
        expect(stored).toBe(1);
      } else {
        expect(verified.code).not.toBe(0);
        expect(verify).toBe(row.expected);
        expect(first.status).toBe(500);
        expect(codeOf(first.body)).toBe(row.expected);
        expect(stored).toBe(0);
      }
    });
  }
});
