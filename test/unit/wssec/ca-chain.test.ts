/**
 * Certificates issued by an intermediate CA: `trustCa` given the chain (intermediate +
 * root) verifies the sender up to the root, with the subject constraint; an intermediate
 * without its root is a configuration error; an expired intermediate breaks the chain.
 * Validity windows and clocks are fixed, so the wall clock plays no part.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, SecurityError } from "../../../src/errors.js";
import { createRequestVerifier } from "../../../src/wssec/index.js";
import { createTestIdentity, type TestIdentity } from "../../helpers/keys.js";
import { SAMPLE_ENVELOPE, signWith } from "./support.js";

const NOW = Date.parse("2026-11-30T12:00:00Z");
const LONG = { notBefore: new Date("2026-01-01T00:00:00Z"), notAfter: new Date("2036-01-01T00:00:00Z") };

const refusal = (fn: () => unknown): SecurityError | ConfigError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SecurityError || err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("accepted");
};

async function chain(intermediateValidity = LONG) {
  const root = await createTestIdentity("ec-p256", { commonName: "esol-test-root", isCa: true, ...LONG });
  const intermediate = await createTestIdentity("ec-p256", {
    commonName: "esol-test-intermediate",
    isCa: true,
    ca: root,
    ...intermediateValidity,
  });
  const leaf = await createTestIdentity("ec-p256", { commonName: "proxy-5", ca: intermediate, ...LONG });
  const rogue = await createTestIdentity("ec-p256", { commonName: "printer-5", ca: intermediate, ...LONG });
  return { root, intermediate, leaf, rogue };
}

const signAt = (id: TestIdentity) => signWith(id, SAMPLE_ENVELOPE, { clock: () => NOW });

describe("trustCa with an intermediate CA", () => {
  it("accepts a sender issued by an intermediate given with its root, under the subject rule", async () => {
    const { root, intermediate, leaf, rogue } = await chain();
    const verifier = createRequestVerifier({
      trustCa: [`${intermediate.certPem}\n${root.certPem}`],
      subject: "CN=proxy-\\d+",
      clock: () => NOW,
    });
    expect(verifier.verifyRequest(signAt(leaf))?.subject).toBe("CN=proxy-5");
    expect(refusal(() => verifier.verifyRequest(signAt(rogue))).code).toBe("WSS_UNTRUSTED_KEY");
  });

  it("refuses the sender when only the root is configured (the message carries only the leaf)", async () => {
    const { root, leaf } = await chain();
    const verifier = createRequestVerifier({
      trustCa: [root.certPem],
      subject: "CN=proxy-\\d+",
      clock: () => NOW,
    });
    expect(refusal(() => verifier.verifyRequest(signAt(leaf))).code).toBe("WSS_UNTRUSTED_KEY");
  });

  it("refuses to configure an intermediate without its root", async () => {
    const { intermediate } = await chain();
    const err = refusal(() =>
      createRequestVerifier({ trustCa: [intermediate.certPem], subject: "CN=proxy-\\d+" }),
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.code).toBe("CONFIG_CERT");
  });

  it("refuses a sender whose intermediate has expired", async () => {
    const { root, intermediate, leaf } = await chain({
      notBefore: new Date("2026-01-01T00:00:00Z"),
      notAfter: new Date("2026-06-01T00:00:00Z"),
    });
    const verifier = createRequestVerifier({
      trustCa: [intermediate.certPem, root.certPem],
      subject: "CN=proxy-\\d+",
      clock: () => NOW,
    });
    expect(refusal(() => verifier.verifyRequest(signAt(leaf))).code).toBe("WSS_UNTRUSTED_KEY");
  });
});
