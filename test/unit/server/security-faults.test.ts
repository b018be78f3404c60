/**
 * One WS-Security fault table: every `WSS_*` code the source raises is in
 * `SECURITY_FAULTS`, and the reference server's fault and the verifier's `securityFault`
 * answer each code the same way (fault code, HTTP status), the server's with the
 * `CommunicationFault` detail every other fault carries.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SecurityError, type SecurityErrorCode } from "../../../src/errors.js";
import { faultEnvelope, securityFaultFor } from "../../../src/server/faults.js";
import { SECURITY_FAULTS, securityFault, securityFaultCode } from "../../../src/wssec/index.js";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

const detailCode = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
const faultCodeOf = (xml: string) => /<faultcode>([^<]*)<\/faultcode>/.exec(xml)?.[1];

describe("SECURITY_FAULTS", () => {
  it("has an entry for every WSS_ code raised in src/", () => {
    const raised = new Set<string>();
    for (const path of sourceFiles("src")) {
      const text = readFileSync(path, "utf8");
      for (const m of text.matchAll(/(?:Error|fail)\(\s*"(WSS_[A-Z0-9_]+)"/g)) raised.add(m[1] as string);
    }
    expect(raised.size).toBeGreaterThan(10);
    expect([...raised].filter((code) => !Object.hasOwn(SECURITY_FAULTS, code))).toEqual([]);
  });

  it("answers each code the same from the server and from securityFault, with the detail on the server's", () => {
    for (const [code, entry] of Object.entries(SECURITY_FAULTS)) {
      const err = new SecurityError(code as SecurityErrorCode, `reason for ${code}\nsecond line`);
      expect(securityFaultCode(err), code).toEqual(entry);
      const fault = securityFaultFor(err);
      expect([fault.code, fault.faultCode, fault.httpStatus, fault.retryable], code).toEqual([
        code,
        entry.faultCode,
        entry.httpStatus,
        entry.retryable,
      ]);
      const served = faultEnvelope(fault);
      expect(detailCode(served), code).toBe(code);
      expect(served, code).toContain(`<Retryable>${entry.retryable}</Retryable>`);
      expect(served, code).toContain(`<faultstring>${code}: reason for ${code}</faultstring>`);
      expect(faultCodeOf(served), code).toBe(faultCodeOf(securityFault(err)));
    }
  });

  it("sends an oversize envelope with 413 and a full replay cache with 503, retryable", () => {
    expect(securityFaultFor(new SecurityError("WSS_TOO_LARGE", "x")).httpStatus).toBe(413);
    expect(securityFaultFor(new SecurityError("WSS_BUSY", "x"))).toMatchObject({
      httpStatus: 503,
      retryable: true,
      faultCode: "soap:Server",
    });
    expect(securityFaultFor(new SecurityError("WSS_SOMETHING_NEW" as SecurityErrorCode, "x"))).toMatchObject({
      httpStatus: 500,
      faultCode: "wsse:InvalidSecurity",
    });
  });
});
