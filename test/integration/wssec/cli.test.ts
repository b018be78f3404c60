import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runEsolWithInput } from "../../helpers/esol.js";
import { testIdentity } from "../../helpers/keys.js";
import { BAD_INPUTS } from "../../unit/wssec/bad-inputs.js";
import { client, SAMPLE_ENVELOPE, signWith } from "../../unit/wssec/support.js";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const repoRoot = join(import.meta.dirname, "../../..");

/** Runs `esol <args>` with `input` on stdin. */
const esol = (args: string[], input: string): Promise<Run> => runEsolWithInput(args, input, repoRoot);

let dir = "";
const file = (name: string): string => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "esol-wssec-cli-"));
  const rsa = await client();
  const ec = await testIdentity("ec-p384");
  await Promise.all([
    writeFile(file("client.key"), rsa.keyPem),
    writeFile(file("client.crt"), rsa.certPem),
    writeFile(file("ec.key"), ec.keyPem),
    writeFile(file("ec.crt"), ec.certPem),
  ]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("esol sign | esol verify", () => {
  it("signs an envelope that esol verify accepts (RSA, BST)", async () => {
    const signed = await esol(
      ["sign", "--key", file("client.key"), "--cert", file("client.crt")],
      SAMPLE_ENVELOPE,
    );
    expect(signed.code).toBe(0);
    expect(signed.stdout).toContain("<wsse:BinarySecurityToken");
    const verified = await esol(["verify", "--trust", file("client.crt")], signed.stdout);
    expect(verified.stderr).toBe("");
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(
      /^ok trusted subject="CN=esol-test-rsa-client" sha256=[0-9a-f]{64} alg=rsa-sha256 key-ref=bst\n$/,
    );
  });

  it("signs with ECDSA P-384 and a thumbprint reference that esol verify accepts", async () => {
    const args = [
      "sign",
      "--key",
      file("ec.key"),
      "--cert",
      file("ec.crt"),
      "--alg",
      "ecdsa-sha384",
      "--key-ref",
      "thumbprint",
    ];
    const signed = await esol(args, SAMPLE_ENVELOPE);
    expect(signed.code).toBe(0);
    expect(signed.stdout).toContain("#ThumbprintSHA1");
    const verified = await esol(
      ["verify", "--trust", file("client.crt"), "--trust", file("ec.crt")],
      signed.stdout,
    );
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain("alg=ecdsa-sha384 key-ref=thumbprint-sha1");
  });

  it("refuses a signature by a certificate that is not trusted", async () => {
    const signed = await esol(["sign", "--key", file("ec.key"), "--cert", file("ec.crt")], SAMPLE_ENVELOPE);
    const verified = await esol(["verify", "--trust", file("client.crt")], signed.stdout);
    expect(verified.code).not.toBe(0);
    expect(verified.stderr).toBe("error WSS_UNTRUSTED_KEY: the embedded certificate is not trusted\n");
  });

  it("reports a key that does not match its certificate as one error line", async () => {
    const run = await esol(["sign", "--key", file("ec.key"), "--cert", file("client.crt")], SAMPLE_ENVELOPE);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^error CONFIG_\w+: .+\n$/);
  });

  it("reports an unknown algorithm as one error line", async () => {
    const run = await esol(
      ["sign", "--key", file("client.key"), "--cert", file("client.crt"), "--alg", "rsa-sha1"],
      SAMPLE_ENVELOPE,
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toBe(
      "error ARG_INVALID: --alg must be one of rsa-sha256, rsa-sha512, ecdsa-sha256, ecdsa-sha384\n",
    );
  });
});

describe("esol verify refuses the SOAP/WSS bad-input list", () => {
  // Replay needs the server's cache across requests; a one-shot process cannot see it.
  for (const bad of BAD_INPUTS) {
    it(`refuses ${bad.name} with ${bad.code}`, async () => {
      const run = await esol(["verify", "--trust", file("client.crt")], await bad.build());
      expect(run.code).not.toBe(0);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(new RegExp(`^error ${bad.code}: [^\\n]{1,200}\\n$`));
      expect(run.stderr).not.toContain("    at ");
    });
  }

  it("accepts an unsigned envelope only with --insecure-unsigned, and says so", async () => {
    const run = await esol(["verify", "--insecure-unsigned"], SAMPLE_ENVELOPE);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("unsigned");
  });

  it("--fault prints the reference server's answer from the one fault table, with its detail", async () => {
    const tampered = signWith(await client()).replace("<tns:meter>1234<", "<tns:meter>1<");
    const digest = await esol(["verify", "--trust", file("client.crt"), "--fault"], tampered);
    expect(digest.code).not.toBe(0);
    expect(digest.stderr).toMatch(/^error WSS_BAD_DIGEST: [^\n]+\n$/);
    const [status, fault] = digest.stdout.split("\n");
    expect(status).toBe("HTTP/1.1 500");
    expect(fault).toContain("<faultcode>wsse:FailedCheck</faultcode>");
    expect(fault).toContain("<Code>WSS_BAD_DIGEST</Code><Retryable>false</Retryable>");

    const large = await esol(
      ["verify", "--trust", file("client.crt"), "--fault", "--max-bytes", "64"],
      SAMPLE_ENVELOPE,
    );
    expect(large.stderr).toMatch(/^error WSS_TOO_LARGE: /);
    expect(large.stdout.split("\n")[0]).toBe("HTTP/1.1 413");
    expect(large.stdout).toContain("<Code>WSS_TOO_LARGE</Code>");

    const plain = await esol(["verify", "--trust", file("client.crt")], tampered);
    expect(plain.stdout).toBe("");
  });

  it("checks a signed message's integrity even with --insecure-unsigned and no trust", async () => {
    const tampered = signWith(await client()).replace("<tns:meter>1234<", "<tns:meter>1<");
    const run = await esol(["verify", "--insecure-unsigned"], tampered);
    expect(run.stderr).toMatch(/^error WSS_BAD_DIGEST: /);
  });
});
