import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, SecurityError } from "../../../src/errors.js";
import {
  createRequestVerifier,
  securityFault,
  securityFaultCode,
  WsSecurityVerifier,
} from "../../../src/wssec/index.js";
import { createTestIdentity, testIdentity } from "../../helpers/keys.js";
import { BAD_INPUTS } from "./bad-inputs.js";
import {
  ALGORITHM_KEYS,
  attacker,
  client,
  KEY_REFERENCES,
  replaceOnce,
  SAMPLE_ENVELOPE,
  signWith,
} from "./support.js";

const WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";

const refusal = (fn: () => unknown): SecurityError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SecurityError) return err;
    throw err;
  }
  throw new Error("the verifier accepted the message");
};

describe("WsSecurityVerifier accepts what the signer produces", () => {
  for (const [algorithm, keyType] of ALGORITHM_KEYS) {
    for (const keyReference of KEY_REFERENCES) {
      it(`accepts ${algorithm} with a ${keyReference} key reference and names the sender`, async () => {
        const id = await testIdentity(keyType);
        const verifier = createRequestVerifier({ trust: [id.certPem] });
        const sender = verifier.verifyRequest(signWith(id, SAMPLE_ENVELOPE, { algorithm, keyReference }));
        const der = Buffer.from(id.certPem.replace(/-----[^-]+-----|\s/g, ""), "base64");
        expect(sender).toMatchObject({
          trusted: true,
          algorithm,
          keyReference,
          thumbprintSha256: createHash("sha256").update(der).digest("hex"),
          subject: `CN=esol-test-${keyType}-default`,
        });
        expect(sender?.bodyCanonical).toContain("<tns:meter>1234</tns:meter>");
        expect(verifier.stats.accepted).toBe(1);
      });
    }
  }

  it("accepts a message whose envelope already had a Header and a prefixed default namespace", async () => {
    const id = await client();
    const env = SAMPLE_ENVELOPE.replace(
      "<soap:Body>",
      '<soap:Header><tns:Trace xmlns="urn:x">t-1</tns:Trace></soap:Header><soap:Body>',
    );
    expect(createRequestVerifier({ trust: [id.certPem] }).verifyRequest(signWith(id, env))?.trusted).toBe(
      true,
    );
  });

  it("accepts the 2003 draft namespaces only when allowed", async () => {
    const id = await client();
    const msg = signWith(id, SAMPLE_ENVELOPE, { namespaces: "wss-2003-draft" });
    expect(msg).toContain("http://schemas.xmlsoap.org/ws/2003/06/secext");
    expect(
      new WsSecurityVerifier({ trust: [id.certPem], allowDraftNamespaces: true }).verifyRequest(msg)?.trusted,
    ).toBe(true);
    expect(refusal(() => new WsSecurityVerifier({ trust: [id.certPem] }).verifyRequest(msg)).code).toBe(
      "WSS_NAMESPACE",
    );
  });

  it("accepts a signature with a UsernameToken beside it", async () => {
    const id = await client();
    const msg = signWith(id, SAMPLE_ENVELOPE, {
      usernameToken: { username: "proxy<1>", password: "s3cret" },
    });
    expect(msg).toContain("<wsse:Username>proxy&lt;1&gt;</wsse:Username>");
    expect(msg).toContain("#PasswordDigest");
    expect(createRequestVerifier({ trust: [id.certPem] }).verifyRequest(msg)?.trusted).toBe(true);
  });
});

describe("WsSecurityVerifier looks inside a large (streamed) Body", () => {
  // The Body's content is not kept as a tree; these prove the rules still see into it.
  const bigBody = (inner: string): string => {
    let reads = "";
    for (let i = 0; i < 200; i++)
      reads += `<tns:read><tns:serial>SN-${i}</tns:serial><tns:meter>${i}</tns:meter></tns:read>`;
    return SAMPLE_ENVELOPE.replace("<tns:SubmitBillingReads>", `<tns:SubmitBillingReads>${reads}${inner}`);
  };

  it("returns the whole Body, canonical, for a large message", async () => {
    const id = await client();
    const sender = createRequestVerifier({ trust: [id.certPem] }).verifyRequest(signWith(id, bigBody("")));
    expect(sender?.bodyCanonical).toContain(
      "<tns:read><tns:serial>SN-199</tns:serial><tns:meter>199</tns:meter></tns:read>",
    );
    expect(sender?.bodyCanonical).toContain('<tns:note lang="en">A &amp; B &lt; C</tns:note>');
  });

  it("refuses an element deep in the Body that reuses the Timestamp's Id", async () => {
    const id = await client();
    const signed = signWith(id, bigBody(""));
    const tsId = /<wsu:Timestamp wsu:Id="([^"]+)"/.exec(signed)?.[1] as string;
    const evil = replaceOnce(signed, "<tns:read>", `<tns:read><tns:x xmlns:wsu="${WSU}" wsu:Id="${tsId}"/>`);
    const err = refusal(() => createRequestVerifier({ trust: [id.certPem] }).verifyRequest(evil));
    expect(err.code).toBe("WSS_WRAPPING");
  });

  it("refuses a second Timestamp hidden deep in the Body", async () => {
    const id = await client();
    const signed = signWith(id, bigBody(""));
    const ts = /<wsu:Timestamp [\s\S]*?<\/wsu:Timestamp>/.exec(signed)?.[0] as string;
    const copy = ts
      .replace(/wsu:Id="[^"]+"/, 'wsu:Id="other"')
      .replace("<wsu:Timestamp ", `<wsu:Timestamp xmlns:wsu="${WSU}" `);
    const evil = replaceOnce(signed, "<tns:read>", `<tns:read>${copy}`);
    const err = refusal(() => createRequestVerifier({ trust: [id.certPem] }).verifyRequest(evil));
    expect(err.code).toBe("WSS_WRAPPING");
  });
});

describe("WsSecurityVerifier refuses the SOAP/WSS bad-input list", () => {
  for (const bad of BAD_INPUTS) {
    it(`refuses ${bad.name} with ${bad.code}`, async () => {
      const verifier = createRequestVerifier({ trust: [(await client()).certPem] });
      const message = await bad.build();
      const err = refusal(() => verifier.verifyRequest(message));
      expect(err.code).toBe(bad.code);
      expect(err.message.length).toBeLessThan(200);
      expect(verifier.stats.refused[bad.code]).toBe(1);
      // The verifier is still usable: the next valid request passes.
      expect(verifier.verifyRequest(signWith(await client()))?.trusted).toBe(true);
    });
  }
});

describe("WsSecurityVerifier replay, time and trust rules", () => {
  it("refuses a replayed request while its timestamp is valid", async () => {
    const id = await client();
    const verifier = createRequestVerifier({ trust: [id.certPem] });
    const msg = signWith(id);
    verifier.verifyRequest(msg);
    expect(refusal(() => verifier.verifyRequest(msg)).code).toBe("WSS_REPLAY");
  });

  it("refuses an ECDSA replay whose signature was re-encoded as (r, n - s)", async () => {
    const id = await testIdentity("ec-p256");
    const verifier = createRequestVerifier({ trust: [id.certPem] });
    const msg = signWith(id);
    verifier.verifyRequest(msg);
    const sigB64 = (/<ds:SignatureValue>([^<]+)</.exec(msg) as RegExpExecArray)[1] as string;
    const sig = Buffer.from(sigB64, "base64");
    const n = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    const s = BigInt(`0x${sig.subarray(32).toString("hex")}`);
    const flipped = Buffer.concat([
      sig.subarray(0, 32),
      Buffer.from((n - s).toString(16).padStart(64, "0"), "hex"),
    ]);
    const replay = msg.replace(sigB64, flipped.toString("base64"));
    expect(replay).not.toBe(msg);
    expect(refusal(() => verifier.verifyRequest(replay)).code).toBe("WSS_REPLAY");
  });

  it("accepts a replay-looking message again once it is past Expires + skew (then as expired)", async () => {
    const id = await client();
    let now = Date.now();
    const verifier = createRequestVerifier({ trust: [id.certPem], clock: () => now });
    const msg = signWith(id, SAMPLE_ENVELOPE, { clock: () => now });
    verifier.verifyRequest(msg);
    now += 400_000;
    expect(refusal(() => verifier.verifyRequest(msg)).code).toBe("WSS_EXPIRED");
  });

  it("accepts timestamps within the 60 s clock skew", async () => {
    const id = await client();
    const now = Date.now();
    const verifier = createRequestVerifier({ trust: [id.certPem], clock: () => now });
    expect(
      verifier.verifyRequest(signWith(id, SAMPLE_ENVELOPE, { clock: () => now + 50_000 })),
    ).toBeDefined();
    expect(
      refusal(() => verifier.verifyRequest(signWith(id, SAMPLE_ENVELOPE, { clock: () => now + 70_000 })))
        .code,
    ).toBe("WSS_NOT_YET_VALID");
  });

  it("refuses a non-canonical base64 SignatureValue", async () => {
    const id = await client();
    const msg = signWith(id);
    // 256-byte RSA signature: the character before "==" carries 4 unused bits.
    const altered = replaceOnce(msg, /(.)==<\/ds:SignatureValue>/, (_m: string, c: string) => {
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      return `${alphabet[alphabet.indexOf(c) ^ 1]}==</ds:SignatureValue>`;
    });
    expect(refusal(() => createRequestVerifier({ trust: [id.certPem] }).verifyRequest(altered)).code).toBe(
      "WSS_MALFORMED",
    );
  });

  it("refuses a thumbprint reference to a certificate it does not trust", async () => {
    const verifier = createRequestVerifier({ trust: [(await client()).certPem] });
    const msg = signWith(await attacker(), SAMPLE_ENVELOPE, { keyReference: "thumbprint-sha1" });
    expect(refusal(() => verifier.verifyRequest(msg)).code).toBe("WSS_UNTRUSTED_KEY");
  });

  it("accepts a thumbprint reference after the certificate is pinned at run time", async () => {
    const other = await attacker();
    const verifier = createRequestVerifier({ trust: [(await client()).certPem] });
    const msg = signWith(other, SAMPLE_ENVELOPE, { keyReference: "thumbprint-sha256" });
    expect(refusal(() => verifier.verifyRequest(msg)).code).toBe("WSS_UNTRUSTED_KEY");
    verifier.trustCertificate(other.certPem);
    expect(verifier.verifyRequest(msg)?.subject).toBe("CN=esol-test-rsa-attacker");
  });

  it("trusts a certificate issued by the configured CA only when the subject matches", async () => {
    const ca = await createTestIdentity("ec-p256", { commonName: "esol-test-ca", isCa: true });
    const proxy = await createTestIdentity("ec-p256", { commonName: "proxy-17", ca });
    const rogue = await createTestIdentity("ec-p256", { commonName: "printer-17", ca });
    const selfMade = await createTestIdentity("ec-p256", { commonName: "proxy-18" });
    const verifier = createRequestVerifier({ trustCa: [ca.certPem], subject: "CN=proxy-\\d+" });
    expect(verifier.verifyRequest(signWith(proxy))?.subject).toBe("CN=proxy-17");
    expect(refusal(() => verifier.verifyRequest(signWith(rogue))).code).toBe("WSS_UNTRUSTED_KEY");
    expect(refusal(() => verifier.verifyRequest(signWith(selfMade))).code).toBe("WSS_UNTRUSTED_KEY");
  });

  it("refuses a pinned certificate that has expired", async () => {
    const old = await createTestIdentity("ec-p256", {
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const err = refusal(() => createRequestVerifier({ trust: [old.certPem] }).verifyRequest(signWith(old)));
    expect(err.code).toBe("WSS_UNTRUSTED_KEY");
  });

  it("without trust and with requireSignature false, checks integrity but reports the sender untrusted", async () => {
    const verifier = createRequestVerifier({ requireSignature: false });
    const msg = signWith(await attacker());
    expect(verifier.verifyRequest(msg)?.trusted).toBe(false);
    expect(verifier.verifyRequest(SAMPLE_ENVELOPE)).toBeUndefined();
    const tampered = replaceOnce(signWith(await attacker()), "<tns:meter>1234<", "<tns:meter>1<");
    expect(refusal(() => verifier.verifyRequest(tampered)).code).toBe("WSS_BAD_DIGEST");
  });

  it("refuses configurations that would trust nothing or any CA-issued subject", async () => {
    expect(() => createRequestVerifier({})).toThrow(ConfigError);
    const ca = await client();
    expect(() => createRequestVerifier({ trustCa: [ca.certPem] })).toThrow(/subject/);
    expect(() => createRequestVerifier({ trust: ["not a pem"] })).toThrow(/no PEM certificate/);
    expect(() => createRequestVerifier({ trust: [ca.certPem], maxBytes: Number.NaN })).toThrow(
      /maxBytes must be a positive number/,
    );
  });

  it("refuses an envelope over a configured maxBytes", async () => {
    const id = await client();
    const verifier = createRequestVerifier({ trust: [id.certPem], maxBytes: 1024 });
    expect(refusal(() => verifier.verifyRequest(signWith(id))).code).toBe("WSS_TOO_LARGE");
  });
});

describe("securityFault", () => {
  it("renders SOAP 1.1 wsse fault codes without stack or long attacker text", () => {
    const digest = securityFault(
      new SecurityError("WSS_BAD_DIGEST", "the Body does not match its signed digest"),
    );
    expect(digest).toContain("<faultcode>wsse:FailedCheck</faultcode>");
    expect(digest).toContain(
      "<faultstring>WSS_BAD_DIGEST: the Body does not match its signed digest</faultstring>",
    );
    expect(securityFault(new SecurityError("WSS_EXPIRED", "x"))).toContain("wsse:MessageExpired");
    expect(securityFault(new SecurityError("WSS_WRAPPING", "x"))).toContain("wsse:InvalidSecurity");
    const long = securityFault(new SecurityError("WSS_MALFORMED", `<script>${"a".repeat(5000)}\nat line`));
    expect(long).not.toContain("<script>");
    expect(long.length).toBeLessThan(600);
    const internal = securityFault(new TypeError("secret internals"));
    expect(internal).toContain("soap:Server");
    expect(internal).not.toContain("secret");
    expect(securityFaultCode(new SecurityError("WSS_TOO_LARGE", "x")).httpStatus).toBe(413);
  });
});
