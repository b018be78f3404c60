import { createPublicKey, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  ECDSA_SHA256_URI,
  EcdsaSha256XmlCrypto,
  EcdsaSha384XmlCrypto,
} from "../../../src/wssec/algorithms.js";
import { testIdentity } from "../../helpers/keys.js";

describe("ECDSA plug-in for xml-crypto", () => {
  it("signs with raw r||s (64 bytes for P-256) that node verifies as ieee-p1363", async () => {
    const id = await testIdentity("ec-p256");
    const plugin = new EcdsaSha256XmlCrypto();
    expect(plugin.getAlgorithmName()).toBe(ECDSA_SHA256_URI);
    const value = plugin.getSignature("<SignedInfo/>", id.keyPem);
    const raw = Buffer.from(value, "base64");
    expect(raw).toHaveLength(64);
    expect(
      verify(
        "sha256",
        Buffer.from("<SignedInfo/>"),
        { key: createPublicKey(id.certPem), dsaEncoding: "ieee-p1363" },
        raw,
      ),
    ).toBe(true);
    expect(plugin.verifySignature("<SignedInfo/>", id.certPem, value)).toBe(true);
    expect(plugin.verifySignature("<SignedInfo>x</SignedInfo>", id.certPem, value)).toBe(false);
  });

  it("signs P-384 with SHA-384 (96-byte values) and reports through the callback form", async () => {
    const id = await testIdentity("ec-p384");
    const plugin = new EcdsaSha384XmlCrypto();
    let fromCallback: string | undefined;
    const value = plugin.getSignature("data", id.keyPem, (_err, v) => {
      fromCallback = v;
    });
    expect(fromCallback).toBe(value);
    expect(Buffer.from(value, "base64")).toHaveLength(96);
    expect(plugin.verifySignature("data", id.certPem, value)).toBe(true);
  });
});
