/**
 * The verifier honours `InclusiveNamespaces PrefixList` wherever it may appear — the
 * SignedInfo's CanonicalizationMethod and each Reference's transform — including
 * `#default` (WSS4J writes it when the envelope declares a default namespace) and an empty
 * list. Our canonicalizer itself is checked byte for byte against xmlsec1 in
 * test/interop/wssec/c14n-xmlsec.test.ts; independent signers in the interop matrix.
 */
import { describe, expect, it } from "vitest";
import { SecurityError } from "../../../src/errors.js";
import { createRequestVerifier } from "../../../src/wssec/index.js";
import { client, resign, signWith } from "./support.js";

const EXC = "http://www.w3.org/2001/10/xml-exc-c14n#";

/** A WSS4J-shaped request: the payload in the envelope's default namespace, an xsi:type QName resolved by it. */
const DEFAULT_NS_ENVELOPE =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:esolutions:communication:v1" ' +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
  '<soapenv:Body><SubmitBillingReads><read xsi:type="MeterRead"><serial>SN-0001</serial><meter>1234</meter></read>' +
  '<note xmlns="">unqualified</note></SubmitBillingReads></soapenv:Body></soapenv:Envelope>';

const refusal = (fn: () => unknown): SecurityError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SecurityError) return err;
    throw err;
  }
  throw new Error("the verifier accepted the message");
};

/** Adds a PrefixList to every Reference transform and (when given) to the SignedInfo's c14n method, then re-signs. */
async function withPrefixLists(references: string, signedInfo?: string): Promise<string> {
  const id = await client();
  let msg = signWith(id, DEFAULT_NS_ENVELOPE).replaceAll(
    `<ds:Transform Algorithm="${EXC}"/>`,
    `<ds:Transform Algorithm="${EXC}"><ec:InclusiveNamespaces xmlns:ec="${EXC}" PrefixList="${references}"/></ds:Transform>`,
  );
  if (signedInfo !== undefined)
    msg = msg.replace(
      `<ds:CanonicalizationMethod Algorithm="${EXC}"/>`,
      `<ds:CanonicalizationMethod Algorithm="${EXC}"><ec:InclusiveNamespaces xmlns:ec="${EXC}" PrefixList="${signedInfo}"/></ds:CanonicalizationMethod>`,
    );
  return resign(msg, id.keyPem);
}

const verify = async (msg: string) =>
  createRequestVerifier({ trust: [(await client()).certPem] }).verifyRequest(msg);

describe("InclusiveNamespaces PrefixList", () => {
  it('accepts PrefixList="#default xsi" on the references (WSS4J with a default-namespace envelope)', async () => {
    const msg = await withPrefixLists("#default xsi");
    expect(msg).toContain('PrefixList="#default xsi"');
    expect((await verify(msg))?.bodyCanonical).toContain("<meter>1234</meter>");
  });

  it('accepts PrefixList="#default soapenv" on the SignedInfo canonicalization too', async () => {
    expect(await verify(await withPrefixLists("#default", "#default soapenv"))).toBeDefined();
  });

  it("accepts an empty PrefixList and unbound prefixes in it", async () => {
    expect(await verify(await withPrefixLists("", ""))).toBeDefined();
    expect(await verify(await withPrefixLists("nowhere #default", "nowhere"))).toBeDefined();
  });

  it("attack: rebinding the envelope's default namespace after signing (the xsi:type QName's meaning) is refused", async () => {
    const msg = await withPrefixLists("#default xsi");
    const smuggled = msg.replace(
      'xmlns="urn:esolutions:communication:v1" xmlns:xsi',
      'xmlns="urn:evil" xmlns:xsi',
    );
    expect(smuggled).not.toBe(msg);
    const verifier = createRequestVerifier({ trust: [(await client()).certPem] });
    expect(refusal(() => verifier.verifyRequest(smuggled)).code).toBe("WSS_BAD_DIGEST");
  });

  it("attack: a default namespace redeclared on the Body is refused", async () => {
    const msg = await withPrefixLists("#default");
    const smuggled = msg.replace(/<soapenv:Body /, '<soapenv:Body xmlns="urn:evil" ');
    expect(smuggled).not.toBe(msg);
    const verifier = createRequestVerifier({ trust: [(await client()).certPem] });
    expect(refusal(() => verifier.verifyRequest(smuggled)).code).toBe("WSS_BAD_DIGEST");
  });
});
