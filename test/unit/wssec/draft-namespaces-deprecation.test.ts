/**
 * `allowDraftNamespaces` (issue 14) is deprecated in favour of the per-sender `trustLegacy`
 * grant: it keeps working for one minor version and warns once per process. Vitest runs each
 * file in its own module context, so this file's verifiers are the first to give the option.
 */
import { afterAll, describe, expect, it } from "vitest";
import { SecurityError } from "../../../src/errors.js";
import { createRequestVerifier, WsSecurityVerifier } from "../../../src/wssec/index.js";
import { attacker, client, SAMPLE_ENVELOPE, signWith } from "./support.js";

const warnings: Error[] = [];
const onWarning = (w: Error): void => {
  warnings.push(w);
};
process.on("warning", onWarning);
afterAll(() => {
  process.off("warning", onWarning);
});

/** process.emitWarning delivers on the next tick. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SecurityError) return err.code;
    throw err;
  }
  return undefined;
};

describe("allowDraftNamespaces (deprecated)", () => {
  it("is replaced by trustLegacy: the draft namespaces from the granted sender only, and no warning", async () => {
    const [old, other] = [await client(), await attacker()];
    const verifier = createRequestVerifier({ trust: [other.certPem], trustLegacy: [old.certPem] });
    const draft = (id: typeof old) => signWith(id, SAMPLE_ENVELOPE, { namespaces: "wss-2003-draft" });
    expect(verifier.verifyRequest(draft(old))?.trusted).toBe(true);
    expect(codeOf(() => verifier.verifyRequest(draft(other)))).toBe("WSS_NAMESPACE");
    await tick();
    expect(warnings).toEqual([]);
  });

  it("still accepts the 2003 draft namespaces, with one DeprecationWarning per process", async () => {
    const id = await client();
    const msg = signWith(id, SAMPLE_ENVELOPE, { namespaces: "wss-2003-draft" });
    expect(msg).toContain("http://schemas.xmlsoap.org/ws/2003/06/secext");
    expect(
      new WsSecurityVerifier({ trust: [id.certPem], allowDraftNamespaces: true }).verifyRequest(msg)?.trusted,
    ).toBe(true);
    expect(
      createRequestVerifier({ trust: [id.certPem], allowDraftNamespaces: true }).verifyRequest(msg)?.trusted,
    ).toBe(true);
    expect(
      codeOf(() =>
        new WsSecurityVerifier({ trust: [id.certPem], allowDraftNamespaces: false }).verifyRequest(msg),
      ),
    ).toBe("WSS_NAMESPACE");
    await tick();
    expect(warnings.map((w) => [w.name, (w as Error & { code?: string }).code])).toEqual([
      ["DeprecationWarning", "ESOL_DEP_ALLOW_DRAFT_NAMESPACES"],
    ]);
    expect(warnings[0]?.message).toContain("trustLegacy");
  });
});
