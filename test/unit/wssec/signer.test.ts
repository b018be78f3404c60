import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, SecurityError } from "../../../src/errors.js";
import { createRequestVerifier, WsSecuritySigner } from "../../../src/wssec/index.js";
import { testIdentity } from "../../helpers/keys.js";
import { client, SAMPLE_ENVELOPE, signWith } from "./support.js";

const SOAP = "http://schemas.xmlsoap.org/soap/envelope/";

describe("WsSecuritySigner", () => {
  it("keeps the caller's bytes and only inserts the header, the Body Id and one wsu declaration", async () => {
    const signed = signWith(await client());
    const stripped = signed
      .replace(/<soap:Header><wsse:Security [\s\S]*<\/wsse:Security><\/soap:Header>/, "")
      .replace(' wsu:Id="B"', "")
      .replace(
        ' xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"',
        "",
      );
    expect(stripped).toBe(SAMPLE_ENVELOPE);
    expect(signed.match(/xmlns:wsu=/g)).toHaveLength(1);
    expect(signed).not.toMatch(/>\s+</);
  });

  const shapes: [string, string][] = [
    [
      "an unprefixed (default namespace) envelope",
      `<Envelope xmlns="${SOAP}"><Body><m xmlns="urn:m">1</m></Body></Envelope>`,
    ],
    [
      "a self-closing Header",
      `<s:Envelope xmlns:s="${SOAP}"><s:Header/><s:Body><m xmlns="urn:m">1</m></s:Body></s:Envelope>`,
    ],
    [
      "a Header with other entries",
      `<s:Envelope xmlns:s="${SOAP}"><s:Header><t xmlns="urn:t">x</t></s:Header><s:Body><m xmlns="urn:m">1</m></s:Body></s:Envelope>`,
    ],
    [
      "a Body that already has a wsu:Id",
      `<s:Envelope xmlns:s="${SOAP}" xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><s:Body u:Id="body-1"><m xmlns="urn:m">1</m></s:Body></s:Envelope>`,
    ],
    ["an empty Body", `<s:Envelope xmlns:s="${SOAP}"><s:Body/></s:Envelope>`],
    [
      "whitespace and line breaks",
      `<s:Envelope xmlns:s="${SOAP}">\n  <s:Body>\r\n    <m xmlns="urn:m" a="x\ty">1 &amp; 2</m>\n  </s:Body>\n</s:Envelope>\n`,
    ],
  ];
  for (const [name, envelope] of shapes) {
    it(`signs ${name} so that the verifier accepts it`, async () => {
      const id = await testIdentity("ec-p256");
      const signed = signWith(id, envelope);
      expect(createRequestVerifier({ trust: [id.certPem] }).verifyRequest(signed)?.trusted).toBe(true);
    });
  }

  it("signs any text and attribute content so that the verifier accepts it", async () => {
    const id = await testIdentity("ec-p256");
    const verifier = createRequestVerifier({ trust: [id.certPem] });
    const escapeXml = (v: string) => v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
    const content = fc.string({
      unit: fc.constantFrom(
        "a",
        "Z",
        "0",
        " ",
        "\t",
        "\n",
        "\r",
        "&",
        "<",
        ">",
        '"',
        "'",
        "é",
        "€",
        "𝄞",
        "]",
      ),
    });
    fc.assert(
      fc.property(content, content, (text, attr) => {
        const envelope = `<s:Envelope xmlns:s="${SOAP}"><s:Body><m xmlns="urn:m" v="${escapeXml(attr)}">${escapeXml(text).replace(/]]>/g, "]]&gt;")}</m></s:Body></s:Envelope>`;
        expect(verifier.verifyRequest(signWith(id, envelope))?.trusted).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("writes a fresh Timestamp on every call, so a retry of the same request is not a replay", async () => {
    const id = await client();
    const signer = new WsSecuritySigner({ key: id.keyPem, cert: id.certPem });
    const verifier = createRequestVerifier({ trust: [id.certPem] });
    const first = signer.secureRequest(SAMPLE_ENVELOPE, { operation: "Sync", attempt: 1 });
    const second = signer.secureRequest(SAMPLE_ENVELOPE, { operation: "Sync", attempt: 2 });
    expect(second).not.toBe(first);
    expect(verifier.verifyRequest(first)).toBeDefined();
    expect(verifier.verifyRequest(second)).toBeDefined();
  });

  it("refuses envelopes it cannot sign safely", async () => {
    const id = await client();
    const signer = new WsSecuritySigner({ key: id.keyPem, cert: id.certPem });
    const ctx = { operation: "Sync", attempt: 1 };
    expect(() =>
      signer.secureRequest(SAMPLE_ENVELOPE.replace("<tns:read>", "<tns:read><!--x-->"), ctx),
    ).toThrow(SecurityError);
    expect(() =>
      signer.secureRequest(SAMPLE_ENVELOPE.replaceAll(SOAP, "http://www.w3.org/2003/05/soap-envelope"), ctx),
    ).toThrow(/not a SOAP 1.1 envelope/);
    expect(() =>
      signer.secureRequest(`<s:Envelope xmlns:s="${SOAP}" xmlns:wsu="urn:other"><s:Body/></s:Envelope>`, ctx),
    ).toThrow(/binds prefix wsu/);
  });

  it("refuses a key that does not fit the algorithm or the certificate", async () => {
    const rsa = await client();
    const ec = await testIdentity("ec-p256");
    expect(
      () => new WsSecuritySigner({ key: rsa.keyPem, cert: rsa.certPem, algorithm: "ecdsa-sha256" }),
    ).toThrow(ConfigError);
    expect(() => new WsSecuritySigner({ key: ec.keyPem, cert: rsa.certPem })).toThrow(/does not match/);
    expect(() => new WsSecuritySigner({ key: "nope", cert: rsa.certPem })).toThrow(/private key/);
  });

  it("adds a PasswordDigest UsernameToken (Nonce, Created) without a key", () => {
    const signer = new WsSecuritySigner({ usernameToken: { username: "proxy-1", password: "pw" } });
    const out = signer.secureRequest(SAMPLE_ENVELOPE);
    expect(out).toMatch(
      /<wsse:UsernameToken><wsse:Username>proxy-1<\/wsse:Username><wsse:Password Type="[^"]+#PasswordDigest">[A-Za-z0-9+/=]{28}<\/wsse:Password><wsse:Nonce EncodingType="[^"]+#Base64Binary">[A-Za-z0-9+/=]{24}<\/wsse:Nonce><wsu:Created>/,
    );
    expect(out).not.toContain("ds:Signature");
    expect(out).not.toContain(">pw<");
  });
});
