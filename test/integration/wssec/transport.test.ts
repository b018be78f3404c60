/**
 * Transport-level variants of a signed request, through the running reference server
 * (signature policy "required", stated explicitly) and through `esol verify`, which
 * apply one charset rule (`decodeEnvelope`): a UTF-8 BOM, no XML declaration,
 * Content-Type charset spellings and UTF-16 bodies are accepted; other charsets and
 * contradictions are refused with 415 and nothing is stored; SOAPAction quoted, empty
 * or unquoted.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommunicationServer } from "../../../src/server/index.js";
import { createRequestVerifier, WsSecuritySigner } from "../../../src/wssec/index.js";
import { runEsolWithInput } from "../../helpers/esol.js";
import type { TestIdentity } from "../../helpers/keys.js";
import { client } from "../../unit/wssec/support.js";

const repoRoot = join(import.meta.dirname, "../../..");
let dir = "";
let server: CommunicationServer;
let url = "";
let proxy: TestIdentity;
let sequence = 0;

interface Answer {
  status: number;
  body: string;
}

function post(body: Buffer, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: "POST", agent: false, headers: { ...headers, "Content-Length": String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Runs `esol verify` with `input` bytes on stdin. */
const esolVerify = (args: string[], input: Buffer) => runEsolWithInput(["verify", ...args], input, repoRoot);

/** A freshly signed RegisterProxy for a new ProxyId, as text. */
function signedRegistration(declaration = '<?xml version="1.0" encoding="utf-8"?>'): {
  text: string;
  proxyId: string;
} {
  const proxyId = `proxy-t${++sequence}`;
  const envelope =
    `${declaration}<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ` +
    `xmlns:t="urn:esolutions:communication:v1"><soap:Body><t:RegisterProxy><Key>key-${proxyId}</Key>` +
    `<ProxyId>${proxyId}</ProxyId><Site>Zürich</Site></t:RegisterProxy></soap:Body></soap:Envelope>`;
  const signer = new WsSecuritySigner({ key: proxy.keyPem, cert: proxy.certPem });
  return { text: signer.secureRequest(envelope, { operation: "RegisterProxy", attempt: 1 }), proxyId };
}

const storedProxies = (): string[] => server.exportStore().proxies.map((p) => p.proxyId);
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const utf16be = (text: string): Buffer => Buffer.from(text, "utf16le").swap16();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "esol-wssec-transport-"));
  proxy = await client();
  await writeFile(join(dir, "proxy.crt"), proxy.certPem);
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

interface Variant {
  name: string;
  bytes: (text: string) => Buffer;
  contentType: string;
  declaration?: string;
}

const ACCEPTED: Variant[] = [
  {
    name: "a UTF-8 byte-order mark before the XML declaration",
    bytes: (t) => Buffer.concat([BOM, Buffer.from(t)]),
    contentType: "text/xml; charset=utf-8",
  },
  {
    name: "no XML declaration",
    bytes: (t) => Buffer.from(t),
    contentType: "text/xml; charset=utf-8",
    declaration: "",
  },
  {
    name: "charset=UTF-8 without a space, upper case",
    bytes: (t) => Buffer.from(t),
    contentType: "text/xml;charset=UTF-8",
  },
  {
    name: 'a quoted charset ("utf-8")',
    bytes: (t) => Buffer.from(t),
    contentType: 'Text/XML; charset="utf-8"',
  },
  { name: "no charset parameter (UTF-8 assumed)", bytes: (t) => Buffer.from(t), contentType: "text/xml" },
  {
    name: "UTF-16LE with a BOM, declared utf-16",
    bytes: (t) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, "utf16le")]),
    contentType: "text/xml; charset=utf-16",
    declaration: '<?xml version="1.0" encoding="UTF-16"?>',
  },
  {
    name: "UTF-16BE without a BOM, declared utf-16be",
    bytes: (t) => utf16be(t),
    contentType: "text/xml; charset=UTF-16BE",
    declaration: '<?xml version="1.0" encoding="utf-16"?>',
  },
];

const REFUSED: Variant[] = [
  {
    name: "charset=iso-8859-1",
    bytes: (t) => Buffer.from(t, "latin1"),
    contentType: "text/xml; charset=iso-8859-1",
    declaration: "",
  },
  {
    name: "a UTF-8 BOM under charset=utf-16",
    bytes: (t) => Buffer.concat([BOM, Buffer.from(t)]),
    contentType: "text/xml; charset=utf-16",
  },
  {
    name: "an XML declaration naming ISO-8859-1 in a UTF-8 body",
    bytes: (t) => Buffer.from(t),
    contentType: "text/xml; charset=utf-8",
    declaration: '<?xml version="1.0" encoding="ISO-8859-1"?>',
  },
  {
    name: "bytes that are not UTF-8 (no U+FFFD substitution)",
    bytes: (t) => Buffer.from(t.replace("Zürich", "Z\u00fcrich"), "latin1"),
    contentType: "text/xml; charset=utf-8",
  },
];

describe("transport variants through the running server (policy: required)", () => {
  for (const v of ACCEPTED) {
    it(`accepts and stores once: ${v.name}`, async () => {
      const { text, proxyId } = signedRegistration(v.declaration);
      const answer = await post(v.bytes(text), { "Content-Type": v.contentType });
      expect(answer.body).toContain("RegisterProxyResponse");
      expect(answer.status).toBe(200);
      expect(storedProxies().filter((p) => p === proxyId)).toHaveLength(1);
      const site = server.exportStore().proxies.find((p) => p.proxyId === proxyId) as unknown as {
        site?: string;
      };
      if (site.site !== undefined) expect(site.site).toBe("Zürich");
    });
  }

  for (const v of REFUSED) {
    it(`refuses with 415 and stores nothing: ${v.name}`, async () => {
      const { text, proxyId } = signedRegistration(v.declaration);
      const answer = await post(v.bytes(text), { "Content-Type": v.contentType });
      expect(answer.status).toBe(415);
      expect(answer.body).toContain("UNSUPPORTED_MEDIA_TYPE");
      expect(storedProxies()).not.toContain(proxyId);
    });
  }

  for (const [name, action] of [
    ["quoted", '"urn:esolutions:communication:v1#RegisterProxy"'],
    ["empty quoted (WSS4J/CXF)", '""'],
    ["unquoted", "urn:esolutions:communication:v1#RegisterProxy"],
    ["the bare operation name", "RegisterProxy"],
  ] as const) {
    it(`accepts SOAPAction ${name}`, async () => {
      const { text, proxyId } = signedRegistration();
      const answer = await post(Buffer.from(text), {
        "Content-Type": "text/xml; charset=utf-8",
        SOAPAction: action,
      });
      expect(answer.status).toBe(200);
      expect(storedProxies()).toContain(proxyId);
    });
  }

  it("refuses a SOAPAction naming another operation, and stores nothing", async () => {
    const { text, proxyId } = signedRegistration();
    const answer = await post(Buffer.from(text), {
      "Content-Type": "text/xml; charset=utf-8",
      SOAPAction: '"Sync"',
    });
    expect(answer.status).toBe(500);
    expect(answer.body).toContain("INVALID_SOAP_ACTION");
    expect(storedProxies()).not.toContain(proxyId);
  });
});

describe("esol verify applies the same charset rule", () => {
  const trust = () => ["--trust", join(dir, "proxy.crt")];
  it("accepts a UTF-8 BOM and a UTF-16 body with its Content-Type", async () => {
    const bom = await esolVerify(trust(), Buffer.concat([BOM, Buffer.from(signedRegistration().text)]));
    expect(bom.stderr).toBe("");
    expect(bom.code).toBe(0);
    const v = ACCEPTED.find((a) => a.name.startsWith("UTF-16BE")) as Variant;
    const utf16 = await esolVerify(
      [...trust(), "--content-type", v.contentType],
      v.bytes(signedRegistration(v.declaration).text),
    );
    expect(utf16.stderr).toBe("");
    expect(utf16.code).toBe(0);
  });

  it("refuses what the server refuses with 415, naming the charset, with the server's code", async () => {
    const v = REFUSED[0] as Variant;
    const run = await esolVerify(
      [...trust(), "--content-type", v.contentType],
      v.bytes(signedRegistration(v.declaration).text),
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^error UNSUPPORTED_MEDIA_TYPE: .*iso-8859-1/);
  });

  it("--fault prints the server's own answer for each refused charset: HTTP 415 and the same fault code", async () => {
    for (const v of REFUSED) {
      const { text } = signedRegistration(v.declaration);
      const [server, verify] = await Promise.all([
        post(v.bytes(text), { "Content-Type": v.contentType }),
        esolVerify([...trust(), "--fault", "--content-type", v.contentType], v.bytes(text)),
      ]);
      expect(verify.code, v.name).not.toBe(0);
      expect(server.status, v.name).toBe(415);
      const code = (body: string) => /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
      expect(code(server.body), v.name).toBe("UNSUPPORTED_MEDIA_TYPE");
      expect(verify.stdout.split("\n")[0], v.name).toBe("HTTP/1.1 415");
      expect(code(verify.stdout), v.name).toBe("UNSUPPORTED_MEDIA_TYPE");
      expect(verify.stderr, v.name).toMatch(/^error UNSUPPORTED_MEDIA_TYPE: /);
    }
  });
});
