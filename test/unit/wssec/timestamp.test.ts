/**
 * Timestamp rules (WSS 1.1 SOAP Message Security §10, Basic Security Profile 1.1
 * R3213/R3217): Created required, Expires optional (then the maximum age applies), UTC
 * with `Z` only, at most 3 fractional-second digits unless configured, and refusals that
 * name the times involved.
 */
import { describe, expect, it } from "vitest";
import { SecurityError } from "../../../src/errors.js";
import { createRequestVerifier, type RequestVerifierOptions } from "../../../src/wssec/index.js";
import { createTestIdentity, type TestIdentity } from "../../helpers/keys.js";
import { replaceOnce, resign, SAMPLE_ENVELOPE, signWith } from "./support.js";

const NOW = Date.parse("2026-11-30T12:00:00.000Z");

// Valid around NOW whatever the machine's clock says: the tests use only the injected clock.
let identity: Promise<TestIdentity> | undefined;
const client = (): Promise<TestIdentity> => {
  identity ??= createTestIdentity("rsa", {
    commonName: "esol-test-timestamps",
    notBefore: new Date("2026-01-01T00:00:00Z"),
    notAfter: new Date("2036-01-01T00:00:00Z"),
  });
  return identity;
};

const refusal = (fn: () => unknown): SecurityError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SecurityError) return err;
    throw err;
  }
  throw new Error("the verifier accepted the message");
};

/** A message signed at `NOW` whose Timestamp content is replaced by `inner`, then signed again. */
async function withTimestamp(inner: string): Promise<string> {
  const id = await client();
  const signed = signWith(id, SAMPLE_ENVELOPE, { clock: () => NOW });
  return resign(
    replaceOnce(signed, /(<wsu:Timestamp [^>]*>)[\s\S]*?(<\/wsu:Timestamp>)/, `$1${inner}$2`),
    id.keyPem,
  );
}

const verifierAt = async (now: number, extra: RequestVerifierOptions = {}) =>
  createRequestVerifier({ trust: [(await client()).certPem], clock: () => now, ...extra });

const created = (t: string) => `<wsu:Created>${t}</wsu:Created>`;
const expires = (t: string) => `<wsu:Expires>${t}</wsu:Expires>`;

describe("Timestamp forms", () => {
  it("accepts the resigned fixture with both times (the helper signs validly)", async () => {
    const msg = await withTimestamp(
      created("2026-11-30T12:00:00.000Z") + expires("2026-11-30T12:04:00.000Z"),
    );
    expect((await verifierAt(NOW)).verifyRequest(msg)?.expiresGiven).toBe(true);
  });

  it("accepts a Timestamp with Created only (WSS4J's default) and derives Expires from the maximum age", async () => {
    const msg = await withTimestamp(created("2026-11-30T12:00:00Z"));
    const sender = (await verifierAt(NOW + 10_000)).verifyRequest(msg);
    expect(sender?.expiresGiven).toBe(false);
    expect(sender?.expires.toISOString()).toBe("2026-11-30T12:05:00.000Z");
  });

  it("refuses a Created-only Timestamp older than maxAgeMs + skew, naming the times", async () => {
    const msg = await withTimestamp(created("2026-11-30T12:00:00Z"));
    const tooOld = await verifierAt(NOW + 361_000);
    const r = refusal(() => tooOld.verifyRequest(msg));
    expect(r.code).toBe("WSS_EXPIRED");
    expect(r.message).toContain("Created 2026-11-30T12:00:00.000Z");
    expect(r.message).toContain("maximum age 300 s");
    // Within the default age, but not within a configured shorter one.
    const strict = await verifierAt(NOW + 100_000, { maxAgeMs: 30_000, clockSkewMs: 5_000 });
    expect(refusal(() => strict.verifyRequest(msg)).code).toBe("WSS_EXPIRED");
    expect((await verifierAt(NOW + 100_000)).verifyRequest(msg)).toBeDefined();
  });

  it("applies a maximum age longer than the lifetime limit to a Created-only Timestamp (no WSS_LIFETIME for a derived Expires)", async () => {
    const msg = await withTimestamp(created("2026-11-30T12:00:00Z"));
    const lenient = await verifierAt(NOW + 400_000, { maxAgeMs: 600_000 });
    expect(lenient.verifyRequest(msg)?.expires.toISOString()).toBe("2026-11-30T12:10:00.000Z");
  });

  it("refuses a Timestamp without Created, or with anything after Expires", async () => {
    const v = await verifierAt(NOW);
    const noCreated = await withTimestamp(expires("2026-11-30T12:05:00Z"));
    expect(refusal(() => v.verifyRequest(noCreated)).code).toBe("WSS_MALFORMED");
    const extra = await withTimestamp(
      created("2026-11-30T12:00:00Z") + expires("2026-11-30T12:05:00Z") + created("2026-11-30T12:00:00Z"),
    );
    expect(refusal(() => v.verifyRequest(extra)).code).toBe("WSS_MALFORMED");
  });

  it("refuses a Timestamp in +02:00 offset form (UTC with Z only), naming the time", async () => {
    // 14:00+02:00 is 12:00Z: the same instant, but not the profile's form.
    const msg = await withTimestamp(
      created("2026-11-30T14:00:00+02:00") + expires("2026-11-30T14:05:00+02:00"),
    );
    const v = await verifierAt(NOW);
    const r = refusal(() => v.verifyRequest(msg));
    expect(r.code).toBe("WSS_MALFORMED");
    expect(r.message).toContain("2026-11-30T14:00:00+02:00");
    expect(r.message).toContain("UTC");
  });

  it("attack: an offset timestamp far in the future (+14:00 years ahead) is refused, not stored", async () => {
    const v = await verifierAt(NOW);
    const msg = await withTimestamp(
      created("2036-11-30T12:00:00-14:00") + expires("2036-11-30T12:05:00-14:00"),
    );
    expect(refusal(() => v.verifyRequest(msg)).code).toBe("WSS_MALFORMED");
    expect(v.stats.accepted).toBe(0);
  });

  it("accepts up to 3 fractional digits by default; more only when configured (truncated, not rounded)", async () => {
    const three = await withTimestamp(
      created("2026-11-30T12:00:00.123Z") + expires("2026-11-30T12:05:00.123Z"),
    );
    expect((await verifierAt(NOW)).verifyRequest(three)?.created.toISOString()).toBe(
      "2026-11-30T12:00:00.123Z",
    );
    const seven = await withTimestamp(
      created("2026-11-30T12:00:00.1239999Z") + expires("2026-11-30T12:05:00.1239999Z"),
    );
    const strict = await verifierAt(NOW);
    expect(refusal(() => strict.verifyRequest(seven)).message).toContain(
      "more than 3 fractional-second digits",
    );
    const relaxed = await verifierAt(NOW, { timestampFractionDigits: 7 });
    expect(relaxed.verifyRequest(seven)?.created.toISOString()).toBe("2026-11-30T12:00:00.123Z");
  });

  it("names the times when a Timestamp is in the future or expired", async () => {
    const msg = await withTimestamp(created("2026-11-30T12:00:00Z") + expires("2026-11-30T12:05:00Z"));
    const future = await verifierAt(NOW - 120_000);
    const f = refusal(() => future.verifyRequest(msg));
    expect(f.code).toBe("WSS_NOT_YET_VALID");
    expect(f.message).toContain("Created 2026-11-30T12:00:00.000Z, server time 2026-11-30T11:58:00.000Z");
    const late = await verifierAt(NOW + 400_000);
    const l = refusal(() => late.verifyRequest(msg));
    expect(l.code).toBe("WSS_EXPIRED");
    expect(l.message).toContain("Expires 2026-11-30T12:05:00.000Z");
  });
});
