/**
 * The SOAP/WSS bad-input list of SECURITY.md as data: each case builds the text an
 * attacker (or a broken peer) would send and names the code the verifier must refuse
 * it with. Used by the verifier unit suite and the `esol verify` integration suite.
 */
import { DSIG_NS, WSS_2004 } from "../../../src/wssec/namespaces.js";
import { attacker, client, replaceOnce, SAMPLE_ENVELOPE, signWith } from "./support.js";

/** One bad input. */
export interface BadInput {
  /** What is wrong, as the test name. */
  name: string;
  /** The code it must be refused with. */
  code: string;
  /** Builds the message. */
  build: () => Promise<string>;
}

const signed = async (): Promise<string> => signWith(await client());
const BODY = /<soap:Body wsu:Id="B">[\s\S]*<\/soap:Body>/;
const bodyOf = (msg: string): string => (BODY.exec(msg) as RegExpExecArray)[0];
const EVIL_BODY =
  "<soap:Body><tns:SubmitBillingReads><tns:read><tns:serial>SN-0001</tns:serial><tns:meter>1</tns:meter></tns:read></tns:SubmitBillingReads></soap:Body>";

const nestedBody = (depth: number): string =>
  SAMPLE_ENVELOPE.replace(
    "<tns:meter>1234</tns:meter>",
    `${"<tns:n>".repeat(depth)}x${"</tns:n>".repeat(depth)}`,
  );

/** Every case; each must be refused. */
export const BAD_INPUTS: readonly BadInput[] = [
  { name: "unsigned request", code: "WSS_UNSIGNED", build: async () => SAMPLE_ENVELOPE },
  {
    name: "body altered after signing",
    code: "WSS_BAD_DIGEST",
    build: async () => replaceOnce(await signed(), "<tns:meter>1234<", "<tns:meter>9234<"),
  },
  {
    name: "timestamp altered after signing",
    code: "WSS_BAD_DIGEST",
    build: async () =>
      replaceOnce(
        await signed(),
        /(<wsu:Created>[^<]*\.\d\d)(\d)Z/,
        (_m: string, head: string, d: string) => `${head}${(Number(d) + 1) % 10}Z`,
      ),
  },
  {
    name: "expired timestamp",
    code: "WSS_EXPIRED",
    build: async () => signWith(await client(), SAMPLE_ENVELOPE, { clock: () => Date.now() - 20 * 60_000 }),
  },
  {
    name: "future-dated timestamp",
    code: "WSS_NOT_YET_VALID",
    build: async () => signWith(await client(), SAMPLE_ENVELOPE, { clock: () => Date.now() + 10 * 60_000 }),
  },
  {
    name: "timestamp lifetime over 300 s",
    code: "WSS_LIFETIME",
    build: async () => signWith(await client(), SAMPLE_ENVELOPE, { ttlMs: 3_600_000 }),
  },
  {
    name: "wrapping: signed Body moved into the Header, a new Body in its place",
    code: "WSS_WRAPPING",
    build: async () => {
      const msg = await signed();
      const original = bodyOf(msg);
      return replaceOnce(
        replaceOnce(msg, original, EVIL_BODY),
        "<soap:Header>",
        `<soap:Header><tns:Wrapper soap:mustUnderstand="0">${original}</tns:Wrapper>`,
      );
    },
  },
  {
    name: "wrapping: signed Body wrapped in an element beside a new Body",
    code: "WSS_WRAPPING",
    build: async () => {
      const msg = await signed();
      const original = bodyOf(msg);
      return replaceOnce(msg, original, `<tns:Wrapper>${original}</tns:Wrapper>${EVIL_BODY}`);
    },
  },
  {
    name: "wrapping: duplicate Id (new Body reuses the signed Body's Id)",
    code: "WSS_WRAPPING",
    build: async () => {
      const msg = await signed();
      const original = bodyOf(msg);
      const evil = EVIL_BODY.replace("<soap:Body>", '<soap:Body wsu:Id="B">');
      return replaceOnce(
        replaceOnce(msg, original, evil),
        "<soap:Header>",
        `<soap:Header><tns:Keep>${original}</tns:Keep>`,
      );
    },
  },
  {
    name: "wrapping: second Body after the signed one",
    code: "WSS_WRAPPING",
    build: async () => replaceOnce(await signed(), "</soap:Body>", `</soap:Body>${EVIL_BODY}`),
  },
  {
    name: "second SignedInfo (CVE-2025-29774)",
    code: "WSS_WRAPPING",
    build: async () => {
      const msg = await signed();
      const si = (/<ds:SignedInfo>[\s\S]*?<\/ds:SignedInfo>/.exec(msg) as RegExpExecArray)[0];
      return replaceOnce(msg, "</ds:SignedInfo>", `</ds:SignedInfo>${si}`);
    },
  },
  {
    name: "second SignedInfo hidden in ds:Object",
    code: "WSS_WRAPPING",
    build: async () => {
      const msg = await signed();
      const si = (/<ds:SignedInfo>[\s\S]*?<\/ds:SignedInfo>/.exec(msg) as RegExpExecArray)[0];
      return replaceOnce(msg, "</ds:Signature>", `<ds:Object>${si}</ds:Object></ds:Signature>`);
    },
  },
  {
    name: "second ds:Signature",
    code: "WSS_WRAPPING",
    build: async () => {
      const msg = await signed();
      const sig = (/<ds:Signature [\s\S]*?<\/ds:Signature>/.exec(msg) as RegExpExecArray)[0];
      return replaceOnce(msg, "</wsse:Security>", `${sig}</wsse:Security>`);
    },
  },
  {
    name: "comment inside DigestValue (CVE-2025-29775)",
    code: "WSS_MALFORMED",
    build: async () => replaceOnce(await signed(), /<ds:DigestValue>(.{4})/, "<ds:DigestValue>$1<!---->"),
  },
  {
    name: "foreign key: tampered body re-signed with the attacker's own certificate",
    code: "WSS_UNTRUSTED_KEY",
    build: async () => signWith(await attacker(), SAMPLE_ENVELOPE.replace("1234", "1")),
  },
  {
    name: "foreign key: pinned certificate in the token, attacker's signature (CVE-2024-32962)",
    code: "WSS_BAD_SIGNATURE",
    build: async () => {
      const [mine, theirs] = [await client(), await attacker()];
      const msg = signWith(theirs, SAMPLE_ENVELOPE.replace("1234", "1"));
      const pinnedB64 = mine.certPem.replace(/-----[^-]+-----|\s/g, "");
      return replaceOnce(msg, /(<wsse:BinarySecurityToken[^>]*>)[^<]+/, `$1${pinnedB64}`);
    },
  },
  {
    name: "foreign key: KeyInfo with an X509Data certificate instead of a token reference",
    code: "WSS_UNTRUSTED_KEY",
    build: async () => {
      const theirs = await attacker();
      const b64 = theirs.certPem.replace(/-----[^-]+-----|\s/g, "");
      return replaceOnce(
        signWith(theirs),
        /<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>/,
        `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`,
      );
    },
  },
  {
    name: "SHA-1 signature algorithm",
    code: "WSS_ALGORITHM",
    build: async () =>
      replaceOnce(await signed(), "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", `${DSIG_NS}rsa-sha1`),
  },
  {
    name: "HMAC signature algorithm",
    code: "WSS_ALGORITHM",
    build: async () =>
      replaceOnce(await signed(), "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", `${DSIG_NS}hmac-sha1`),
  },
  {
    name: "SHA-1 digest algorithm",
    code: "WSS_ALGORITHM",
    build: async () =>
      replaceOnce(await signed(), "http://www.w3.org/2001/04/xmlenc#sha256", `${DSIG_NS}sha1`),
  },
  {
    name: "MD5 digest algorithm",
    code: "WSS_ALGORITHM",
    build: async () =>
      replaceOnce(
        await signed(),
        "http://www.w3.org/2001/04/xmlenc#sha256",
        "http://www.w3.org/2001/04/xmldsig-more#md5",
      ),
  },
  {
    name: "WithComments canonicalization",
    code: "WSS_ALGORITHM",
    build: async () =>
      replaceOnce(
        await signed(),
        '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>',
        '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#WithComments"/>',
      ),
  },
  {
    name: "inclusive c14n transform",
    code: "WSS_ALGORITHM",
    build: async () =>
      replaceOnce(
        await signed(),
        '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>',
        '<ds:Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>',
      ),
  },
  {
    name: "XPath transform",
    code: "WSS_ALGORITHM",
    build: async () =>
      replaceOnce(
        await signed(),
        '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>',
        '<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>not(ancestor-or-self::tns:meter)</ds:XPath></ds:Transform>',
      ),
  },
  {
    name: "XSLT transform",
    code: "WSS_ALGORITHM",
    build: async () =>
      replaceOnce(
        await signed(),
        '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>',
        '<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"/>',
      ),
  },
  {
    name: "enveloped-signature transform",
    code: "WSS_ALGORITHM",
    build: async () =>
      replaceOnce(
        await signed(),
        '<ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>',
        '<ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>',
      ),
  },
  {
    name: "more than 2 transforms",
    code: "WSS_ALGORITHM",
    build: async () => {
      const t = '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>';
      return replaceOnce(await signed(), `<ds:Transforms>${t}`, `<ds:Transforms>${t}${t}${t}`);
    },
  },
  {
    name: "external reference URI",
    code: "WSS_WRAPPING",
    build: async () => replaceOnce(await signed(), 'URI="#B"', 'URI="http://127.0.0.1:19999/evil.xml"'),
  },
  {
    name: "XPointer reference URI",
    code: "WSS_WRAPPING",
    build: async () => replaceOnce(await signed(), 'URI="#B"', 'URI="#xpointer(/)"'),
  },
  {
    name: "reference to the BinarySecurityToken instead of the Timestamp",
    code: "WSS_WRAPPING",
    build: async () => replaceOnce(await signed(), /URI="#TS-[^"]+"/, 'URI="#X509"'),
  },
  {
    name: "DOCTYPE with entities (billion laughs)",
    code: "WSS_MALFORMED",
    build: async () => {
      const lol = [...Array(10).keys()].map((i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join("");
      return `<?xml version="1.0"?><!DOCTYPE soap:Envelope [<!ENTITY l0 "lol">${lol}]>${(await signed()).replace(/^<\?xml[^>]*\?>/, "").replace("SN-0001", "&l10;")}`;
    },
  },
  {
    name: "DOCTYPE with an external entity (XXE)",
    code: "WSS_MALFORMED",
    build: async () =>
      `<!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${(await signed()).replace(/^<\?xml[^>]*\?>/, "").replace("SN-0001", "&xxe;")}`,
  },
  {
    name: "undeclared entity reference",
    code: "WSS_MALFORMED",
    build: async () => replaceOnce(await signed(), "SN-0001", "&xxe;"),
  },
  {
    name: "huge body (over 10 MiB)",
    code: "WSS_TOO_LARGE",
    build: async () => replaceOnce(await signed(), "SN-0001", "x".repeat(10 * 1024 * 1024 + 1)),
  },
  {
    name: "nesting deeper than 64 levels",
    code: "WSS_MALFORMED",
    build: async () => signWith(await client(), nestedBody(80)),
  },
  {
    name: "comment-split value (sax would read 34)",
    code: "WSS_MALFORMED",
    build: async () => replaceOnce(await signed(), "<tns:meter>1234<", "<tns:meter>12<!---->34<"),
  },
  {
    name: "CDATA holding markup",
    code: "WSS_MALFORMED",
    build: async () =>
      replaceOnce(
        await signed(),
        "<tns:serial>SN-0001<",
        "<tns:serial><![CDATA[</tns:serial><tns:meter>1</tns:meter>]]><",
      ),
  },
  {
    name: "processing instruction in the Body",
    code: "WSS_MALFORMED",
    build: async () => replaceOnce(await signed(), "<tns:read>", "<tns:read><?evil x?>"),
  },
  {
    name: "malformed XML (truncated)",
    code: "WSS_MALFORMED",
    build: async () => (await signed()).slice(0, -40),
  },
  {
    name: "malformed XML (mismatched end tag)",
    code: "WSS_MALFORMED",
    build: async () => replaceOnce(await signed(), "</tns:serial>", "</tns:seria>"),
  },
  {
    name: "malformed XML (two roots)",
    code: "WSS_MALFORMED",
    build: async () => `${await signed()}<soap:Envelope/>`,
  },
  { name: "not XML at all", code: "WSS_MALFORMED", build: async () => "GET / HTTP/1.1\r\n\r\n" },
  {
    name: "wrong SOAP version (1.2 envelope)",
    code: "WSS_VERSION_MISMATCH",
    build: async () =>
      (await signed()).replaceAll(
        "http://schemas.xmlsoap.org/soap/envelope/",
        "http://www.w3.org/2003/05/soap-envelope",
      ),
  },
  {
    name: "second Security header",
    code: "WSS_WRAPPING",
    build: async () => {
      const msg = await signed();
      const sec = (/<wsse:Security [\s\S]*<\/wsse:Security>/.exec(msg) as RegExpExecArray)[0];
      return replaceOnce(
        msg,
        "</soap:Header>",
        `${sec.replace(/wsu:Id="(\w+)"/g, 'wsu:Id="$1x"')}</soap:Header>`,
      );
    },
  },
  {
    name: "signature moved into the Body",
    code: "WSS_WRAPPING",
    build: async () => {
      const msg = await signed();
      const sig = (/<ds:Signature [\s\S]*?<\/ds:Signature>/.exec(msg) as RegExpExecArray)[0];
      // Keep the moved signature well-formed: wsse is declared on the Security header.
      const portable = sig.replace("<ds:Signature ", `<ds:Signature xmlns:wsse="${WSS_2004.wsse}" `);
      return replaceOnce(replaceOnce(msg, sig, ""), "<tns:read>", `<tns:read>${portable}`);
    },
  },
  {
    name: "Timestamp removed",
    code: "WSS_MALFORMED",
    build: async () => replaceOnce(await signed(), /<wsu:Timestamp[\s\S]*?<\/wsu:Timestamp>/, ""),
  },
  {
    name: "SignatureValue altered",
    code: "WSS_BAD_SIGNATURE",
    build: async () =>
      replaceOnce(
        await signed(),
        /<ds:SignatureValue>(.)/,
        (_m: string, c: string) => `<ds:SignatureValue>${c === "A" ? "B" : "A"}`,
      ),
  },
];
