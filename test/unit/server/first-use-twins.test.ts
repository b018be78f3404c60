import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FirstUseVerifier } from "../../../src/server/signers.js";

const dir = mkdtempSync(join(tmpdir(), "esol-tofu-twins-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed EC certificate made by openssl, with the given SKI extension and serial. */
function cert(name: string, ski: string, serial: string): string {
  const key = join(dir, `${name}.key`);
  const out = join(dir, `${name}.pem`);
  execFileSync("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    key,
    "-out",
    out,
    "-days",
    "2",
    "-subj",
    `/CN=${name}`,
    "-set_serial",
    serial,
    "-addext",
    `subjectKeyIdentifier=${ski}`,
  ]);
  return readFileSync(out, "utf8");
}

describe("trust on first use never binds a twin of a bound certificate's key references", () => {
  const settings = { maxBytes: 1 << 20, clock: () => Date.now() };

  it("binds distinct certificates, refuses one that copies a bound SKI, and re-binding the same one is fine", () => {
    const firstUse = new FirstUseVerifier(settings);
    const victim = cert("victim", "0102030405060708090a0b0c0d0e0f1011121314", "1");
    const other = cert("other", "1112131415161718191a1b1c1d1e1f2021222324", "2");
    const copycat = cert("copycat", "0102030405060708090a0b0c0d0e0f1011121314", "3");
    expect(firstUse.bind(victim)).toBe(true);
    expect(firstUse.bind(other)).toBe(true);
    expect(firstUse.bind(copycat)).toBe(false);
    expect(firstUse.bind(victim)).toBe(true);
  });

  it("refuses one with the same issuer and serial as a bound certificate (issuer compared by meaning)", () => {
    const firstUse = new FirstUseVerifier(settings);
    // Self-signed: issuer = subject, so the same CN and serial make the same IssuerSerial.
    const a = cert("same-issuer", "2122232425262728292a2b2c2d2e2f3031323334", "77");
    const b = cert("same-issuer", "3132333435363738393a3b3c3d3e3f4041424344", "77");
    expect(firstUse.bind(a)).toBe(true);
    expect(firstUse.bind(b)).toBe(false);
  });
});
