import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SecurityError } from "../../../src/errors.js";
import { createRequestVerifier } from "../../../src/wssec/index.js";
import { testIdentity } from "../../helpers/keys.js";
import { SAMPLE_ENVELOPE, signWith } from "./support.js";

/** [start, end) of the first match of `re` in `text`. */
const span = (text: string, re: RegExp): [number, number] => {
  const m = re.exec(text);
  if (!m) throw new Error(`fixture drift: ${re}`);
  return [m.index, m.index + m[0].length];
};

// Replacement characters exclude whitespace: swapping one whitespace character for
// another between attributes is the same XML, not a change of signed content.
const REPLACEMENT = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));

describe("any single-byte change inside the signed parts is refused", () => {
  for (const type of ["rsa", "ec-p256"] as const) {
    it(`refuses every single-byte change of the Body, Timestamp, SignedInfo and SignatureValue (${type})`, async () => {
      const id = await testIdentity(type);
      const signed = signWith(id, SAMPLE_ENVELOPE);
      expect(createRequestVerifier({ trust: [id.certPem] }).verifyRequest(signed)?.trusted).toBe(true);
      const regions = [
        span(signed, /<soap:Body[\s\S]*<\/soap:Body>/),
        span(signed, /<wsu:Timestamp[\s\S]*<\/wsu:Timestamp>/),
        span(signed, /<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/),
        span(signed, /<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/),
      ];
      const position = fc
        .tuple(
          fc.integer({ min: 0, max: regions.length - 1 }),
          fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        )
        .map(([r, f]) => {
          const [start, end] = regions[r] as [number, number];
          return start + Math.floor(f * (end - start));
        });
      fc.assert(
        fc.property(position, REPLACEMENT, (at, ch) => {
          fc.pre(signed[at] !== ch);
          const mutated = signed.slice(0, at) + ch + signed.slice(at + 1);
          const verifier = createRequestVerifier({ trust: [id.certPem] });
          expect(() => verifier.verifyRequest(mutated)).toThrow(SecurityError);
        }),
        { numRuns: 400 },
      );
    });
  }
});
